// The synthetic generators of DESIGN §4.2. Each formula is evaluated in numpy's left-to-right order
// with numpy's power rules (x**2 of an array is x*x, **0.5 is sqrt; a scalar ** p calls pow), so rows
// agree with scikit-learn/numpy to the bit before rounding (up to numpy's SIMD sin/cos/exp/log, which
// can differ in the last bit; rounding absorbs it).
#include <cmath>

#include "core/error.h"
#include "core/strings.h"
#include "core/numeric_format.h"
#include "core/numpy_random.h"
#include "data/dataset.h"

namespace oh::data {
namespace {

constexpr double kPi = 3.141592653589793;   // np.pi
constexpr double kE = 2.718281828459045;    // np.e

/// A numpy scalar's `x ** p`: libm's pow, called for real. GCC folds pow(x, 2.0) into x*x, which
/// differs from glibc's pow(x, 2.0) in the last bit for some x; the volatile pointer stops that.
double scalar_pow(double x, double p) {
  static double (*volatile libm_pow)(double, double) = std::pow;
  return libm_pow(x, p);
}

Matrix uniform_rows(RandomState& rng, int n, int d, double low = 0.0, double high = 1.0) {
  Matrix X(n, d);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < d; ++j) X(i, j) = rng.uniform(low, high);
  return X;
}

void round_in_place(Matrix& X, int decimals) {
  if (decimals < 0) return;
  X = X.unaryExpr([decimals](double v) { return np_round(v, decimals); });
}

void round_in_place(Vector& y, int decimals) {
  if (decimals < 0) return;
  y = y.unaryExpr([decimals](double v) { return np_round(v, decimals); });
}

/// friedman*/regression_*: y from the unrounded x, then both rounded.
Table round_after(Matrix X, Vector y, int decimals) {
  round_in_place(X, decimals);
  round_in_place(y, decimals);
  return {std::move(X), std::move(y)};
}

/// original*: x rounded first, then y = round(f(x)) row by row.
template <typename RowFunction>
Table round_before(Matrix X, int decimals, RowFunction f) {
  round_in_place(X, decimals);
  Vector y(X.rows());
  for (Eigen::Index i = 0; i < X.rows(); ++i) y(i) = f(X.row(i));
  round_in_place(y, decimals);
  return {std::move(X), std::move(y)};
}

using Row = Eigen::Ref<const Eigen::RowVectorXd>;

Table friedman1(uint32_t seed, const GenerateOptions& o) {
  if (o.n_features < 5) throw InputError("friedman1 needs at least 5 features, got " + std::to_string(o.n_features));
  RandomState rng(seed);
  Matrix X = uniform_rows(rng, o.n_samples, o.n_features);
  Vector y(o.n_samples);
  for (int i = 0; i < o.n_samples; ++i) {
    const double c = X(i, 2) - 0.5;
    y(i) = 10 * std::sin(kPi * X(i, 0) * X(i, 1)) + 20 * (c * c) + 10 * X(i, 3) + 5 * X(i, 4);
  }
  return round_after(std::move(X), std::move(y), o.decimals);
}

/// make_friedman2/3's inputs: x0~U(0,100), x1~U(40π,560π), x2~U(0,1), x3~U(1,11), scaled in place.
Matrix friedman23_inputs(uint32_t seed, int n) {
  RandomState rng(seed);
  Matrix X = uniform_rows(rng, n, 4);
  for (int i = 0; i < n; ++i) {
    X(i, 0) *= 100;
    X(i, 1) *= 520 * kPi;
    X(i, 1) += 40 * kPi;
    X(i, 3) *= 10;
    X(i, 3) += 1;
  }
  return X;
}

Table friedman2(uint32_t seed, const GenerateOptions& o) {
  Matrix X = friedman23_inputs(seed, o.n_samples);
  Vector y(o.n_samples);
  for (int i = 0; i < o.n_samples; ++i) {
    const double inner = X(i, 1) * X(i, 2) - 1 / (X(i, 1) * X(i, 3));
    y(i) = std::sqrt(X(i, 0) * X(i, 0) + inner * inner);
  }
  return round_after(std::move(X), std::move(y), o.decimals);
}

Table friedman3(uint32_t seed, const GenerateOptions& o) {
  Matrix X = friedman23_inputs(seed, o.n_samples);
  Vector y(o.n_samples);
  for (int i = 0; i < o.n_samples; ++i) y(i) = std::atan((X(i, 1) * X(i, 2) - 1 / (X(i, 1) * X(i, 3))) / X(i, 0));
  return round_after(std::move(X), std::move(y), o.decimals);
}

Table original1(uint32_t seed, const GenerateOptions& o) {
  RandomState rng(seed);
  return round_before(uniform_rows(rng, o.n_samples, 1, 0.0, 100.0), o.decimals, [](Row x) {
    return x[0] + 10 * std::sin(x[0] / 100 * kPi * 5) + 10 * std::cos(x[0] / 100 * kPi * 6);
  });
}

Table original2(uint32_t seed, const GenerateOptions& o) {
  RandomState rng(seed);
  Matrix X = uniform_rows(rng, o.n_samples, 4);
  for (int i = 0; i < o.n_samples; ++i) {
    X(i, 0) *= 3;
    X(i, 1) *= 52 * kPi;
    X(i, 1) += 4 * kPi;
    X(i, 2) *= 2;
    X(i, 3) *= 10;
    X(i, 3) += 1;
  }
  return round_before(std::move(X), o.decimals, [](Row x) {
    return scalar_pow(scalar_pow(x[0], 4.0) + scalar_pow(x[1] * x[2] - 2 / (std::sqrt(x[1]) * std::sqrt(x[3])), 2.0),
                      0.75);
  });
}

Table original3(uint32_t seed, const GenerateOptions& o) {
  RandomState rng(seed);
  Matrix X = uniform_rows(rng, o.n_samples, 4);
  for (int i = 0; i < o.n_samples; ++i) {
    X(i, 0) *= 2;
    X(i, 0) += 1;
    X(i, 1) *= 9;
    X(i, 1) += 1;
    X(i, 2) *= 10;
    X(i, 3) *= 19;
    X(i, 3) += 1;
  }
  return round_before(std::move(X), o.decimals, [](Row x) {
    return scalar_pow(kE, x[0]) + (x[1] * x[2]) / std::sqrt(x[3]) + scalar_pow(x[3] * x[0], 1.5);
  });
}

Table original4(uint32_t seed, const GenerateOptions& o) {
  RandomState rng(seed);
  Matrix X = uniform_rows(rng, o.n_samples, 2);
  X = X.unaryExpr([](double v) { return v * 98 + 2; });  // x *= 98; x += 2 (two roundings, as numpy)
  return round_before(std::move(X), o.decimals, [](Row x) {
    return (x[1] / 10) * std::sin(x[0]) + (x[0] / 10) * std::cos(x[1]) +
           (std::sqrt(x[0]) * std::log(x[1])) / (std::sqrt(x[1]) * std::log(x[0]));
  });
}

Table original5(uint32_t seed, const GenerateOptions& o) {
  RandomState rng(seed);
  Matrix X = uniform_rows(rng, o.n_samples, 3);
  X = X.unaryExpr([](double v) { return v * 50 - 25; });
  return round_before(std::move(X), o.decimals, [](Row x) {
    // 100 * max(scipy.special.softmax(x / 10)): shift by the max, exp, divide by the sequential sum.
    const Eigen::RowVectorXd z = x / 10;
    const double shift = z.maxCoeff();
    Eigen::RowVectorXd e = (z.array() - shift).exp();
    double sum = 0.0;
    for (Eigen::Index j = 0; j < e.size(); ++j) sum += e[j];
    return 100 * (e / sum).maxCoeff();
  });
}

/// make_regression(n, n_features, n_informative, noise=0, random_state=seed): standard-normal X
/// row-major, coefficients 100·U(0,1) for the informative features, y = X·w, then a shuffle of the
/// rows and one of the feature columns.
Table make_regression(uint32_t seed, int n, int n_features, int n_informative, int decimals) {
  n_informative = std::min(n_features, n_informative);  // scikit-learn clips it silently
  RandomState rng(seed);
  Matrix X(n, n_features);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n_features; ++j) X(i, j) = rng.standard_normal();
  std::vector<double> coef(static_cast<size_t>(n_features), 0.0);
  for (int j = 0; j < n_informative; ++j) coef[static_cast<size_t>(j)] = 100 * rng.random_sample();
  Vector y(n);
  for (int i = 0; i < n; ++i) {
    double sum = 0.0;
    for (int j = 0; j < n_features; ++j) sum += X(i, j) * coef[static_cast<size_t>(j)];
    y(i) = sum;
  }
  std::vector<int64_t> rows(static_cast<size_t>(n)), columns(static_cast<size_t>(n_features));
  for (int i = 0; i < n; ++i) rows[static_cast<size_t>(i)] = i;
  for (int j = 0; j < n_features; ++j) columns[static_cast<size_t>(j)] = j;
  rng.shuffle(rows);
  rng.shuffle(columns);
  Matrix shuffled(n, n_features);
  Vector y_shuffled(n);
  for (int i = 0; i < n; ++i) {
    y_shuffled(i) = y(rows[static_cast<size_t>(i)]);
    for (int j = 0; j < n_features; ++j) shuffled(i, j) = X(rows[static_cast<size_t>(i)], columns[static_cast<size_t>(j)]);
  }
  return round_after(std::move(shuffled), std::move(y_shuffled), decimals);
}

/// The ICL lab's task: w ~ N(0, I_d) drawn first, then x ~ U(-0.5, 0.5)^d row-major, y = w·x.
Table linear(uint32_t seed, const GenerateOptions& o) {
  RandomState rng(seed);
  Vector w(o.n_features);
  for (int j = 0; j < o.n_features; ++j) w(j) = rng.standard_normal();
  Matrix X = uniform_rows(rng, o.n_samples, o.n_features, -0.5, 0.5);
  Vector y(o.n_samples);
  for (int i = 0; i < o.n_samples; ++i) {
    double sum = 0.0;
    for (int j = 0; j < o.n_features; ++j) sum += X(i, j) * w(j);
    y(i) = sum;
  }
  return round_after(std::move(X), std::move(y), o.decimals);
}

DatasetSpec regression_spec(int features, int informative) {
  return {"regression_ni" + std::to_string(informative) + std::to_string(features),
          "make_regression(n_features=" + std::to_string(features) + ", n_informative=" +
              std::to_string(informative) + ", noise=0)",
          features, [informative](uint32_t seed, const GenerateOptions& o) {
            return make_regression(seed, o.n_samples, o.n_features, informative, o.decimals);
          }};
}

}  // namespace

const std::vector<DatasetSpec>& all_datasets() {
  static const std::vector<DatasetSpec> specs = [] {
    std::vector<DatasetSpec> all = {
        {"friedman1", "10 sin(pi x0 x1) + 20 (x2 - 0.5)^2 + 10 x3 + 5 x4, x ~ U(0,1)^d", 10, friedman1},
        {"friedman2", "(x0^2 + (x1 x2 - 1/(x1 x3))^2)^0.5", 4, friedman2},
        {"friedman3", "arctan((x1 x2 - 1/(x1 x3)) / x0)", 4, friedman3},
        {"original1", "x + 10 sin(5 pi x/100) + 10 cos(6 pi x/100), x ~ U(0,100)", 1, original1},
        {"original2", "(x0^4 + (x1 x2 - 2/(sqrt(x1) sqrt(x3)))^2)^0.75", 4, original2},
        {"original3", "e^x0 + x1 x2 / sqrt(x3) + (x3 x0)^1.5", 4, original3},
        {"original4", "(x1/10) sin x0 + (x0/10) cos x1 + sqrt(x0) ln x1 / (sqrt(x1) ln x0)", 2, original4},
        {"original5", "100 max(softmax(x/10)), x ~ U(-25,25)^3", 3, original5},
    };
    for (auto [features, informative] : {std::pair{1, 1}, {2, 1}, {3, 1}, {2, 2}, {3, 2}, {3, 3}})
      all.push_back(regression_spec(features, informative));
    all.push_back({"linear", "y = w.x, w ~ N(0, I), x ~ U(-0.5, 0.5)^d", 10, linear});
    return all;
  }();
  return specs;
}

const DatasetSpec& find_dataset(const std::string& name) {
  for (const auto& spec : all_datasets())
    if (spec.name == name) return spec;
  std::vector<std::string> valid;
  for (const auto& spec : all_datasets()) valid.push_back(spec.name);
  valid.push_back("csv");
  throw InputError("unknown dataset '" + name + "' (valid: " + join(valid) + ")");
}

}  // namespace oh::data
