#include "regress/preprocess/spline_transformer.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace oh::regress {
namespace {

/// numpy.linspace(start, stop, num) with endpoint: i·step + start, the last value exactly stop.
void append_linspace(std::vector<double>& out, double start, double stop, int num) {
  const double div = num - 1;
  const double step = (stop - start) / div;
  for (int i = 0; i < num - 1; ++i) out.push_back(step == 0.0 ? i / div * (stop - start) + start : i * step + start);
  out.push_back(stop);
}

}  // namespace

SplineTransformer::SplineTransformer(int n_knots, int degree) : n_knots_(n_knots), degree_(degree) {
  if (n_knots < 2 || degree < 0) throw std::invalid_argument("SplineTransformer: need n_knots >= 2, degree >= 0");
}

void SplineTransformer::fit(const Matrix& X) {
  // scikit-learn's check_array(ensure_min_samples=2) in SplineTransformer.fit.
  if (X.rows() < 2) throw MethodFailure("SplineTransformer needs at least 2 rows, got " + std::to_string(X.rows()));
  knots_.assign(static_cast<size_t>(X.cols()), {});
  for (Eigen::Index j = 0; j < X.cols(); ++j) {
    std::vector<double> base;
    append_linspace(base, X.col(j).minCoeff(), X.col(j).maxCoeff(), n_knots_);
    const double dist_min = base[1] - base[0];
    const double dist_max = base[n_knots_ - 1] - base[n_knots_ - 2];
    std::vector<double>& t = knots_[static_cast<size_t>(j)];
    if (degree_ > 0) append_linspace(t, base[0] - degree_ * dist_min, base[0] - dist_min, degree_);
    t.insert(t.end(), base.begin(), base.end());
    if (degree_ > 0)
      append_linspace(t, base[n_knots_ - 1] + dist_max, base[n_knots_ - 1] + degree_ * dist_max, degree_);
  }
}

void SplineTransformer::basis_at(const std::vector<double>& t, double x, double* h, int* first) const {
  // scipy's find_interval (extrapolate=False) then de Boor's recursion (_deBoor_D with m = 0).
  const int k = degree_;
  const int n = static_cast<int>(t.size()) - k - 1;
  int ell = k;
  while (x >= t[ell + 1] && ell + 1 != n) ++ell;
  double previous[16];
  h[0] = 1.0;
  for (int j = 1; j <= k; ++j) {
    std::copy(h, h + j, previous);
    h[0] = 0.0;
    for (int m = 1; m <= j; ++m) {
      const double xb = t[ell + m];
      const double xa = t[ell + m - j];
      if (xb == xa) {
        h[m] = 0.0;
        continue;
      }
      const double w = previous[m - 1] / (xb - xa);
      h[m - 1] += w * (xb - x);
      h[m] = w * (x - xa);
    }
  }
  *first = ell - k;
}

Matrix SplineTransformer::transform(const Matrix& X) const {
  if (X.cols() != static_cast<Eigen::Index>(knots_.size()))
    throw std::invalid_argument("SplineTransformer: " + std::to_string(X.cols()) + " columns, fitted on " +
                                std::to_string(knots_.size()));
  if (degree_ > 15) throw std::invalid_argument("SplineTransformer: degree above 15 is not supported");
  const int per_feature = splines_per_feature();
  Matrix out = Matrix::Zero(X.rows(), X.cols() * per_feature);
  double h[16], at_min[16], at_max[16];
  int first = 0, first_min = 0, first_max = 0;
  for (Eigen::Index j = 0; j < X.cols(); ++j) {
    const std::vector<double>& t = knots_[static_cast<size_t>(j)];
    const double xmin = t[degree_], xmax = t[t.size() - degree_ - 1];
    basis_at(t, xmin, at_min, &first_min);
    basis_at(t, xmax, at_max, &first_max);
    const Eigen::Index offset = j * per_feature;
    for (Eigen::Index i = 0; i < X.rows(); ++i) {
      const double x = X(i, j);
      if (x >= xmin && x <= xmax) {
        basis_at(t, x, h, &first);
        for (int a = 0; a <= degree_; ++a) out(i, offset + first + a) = h[a];
      } else if (x < xmin) {
        // scikit-learn's 'constant' extrapolation copies the boundary values of only the first
        // (last) `degree` splines; the rest of the block stays zero.
        for (int c = 0; c < degree_; ++c) {
          const int a = c - first_min;
          out(i, offset + c) = (a >= 0 && a <= degree_) ? at_min[a] : 0.0;
        }
      } else if (x > xmax) {
        for (int c = per_feature - degree_; c < per_feature; ++c) {
          const int a = c - first_max;
          out(i, offset + c) = (a >= 0 && a <= degree_) ? at_max[a] : 0.0;
        }
      }
    }
  }
  return out;
}

}  // namespace oh::regress
