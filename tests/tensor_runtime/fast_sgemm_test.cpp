// The interposer of src/tensor_runtime: sgemm_/sgemv_ keep BLAS semantics exactly (every
// transpose flag, alpha/beta, padded leading dimensions, strides, quick returns, C and y not read
// when beta = 0, A/B/x not read when alpha = 0), libtorch's matmul/bmm/linear (and their
// backward) stay within float accuracy of a double reference, and the process really calls ours.
#include <ATen/ATen.h>
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <array>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "core/numpy_random.h"
#include "tensor_runtime/fast_sgemm.h"

namespace {

using oh::tensor_runtime::fast_sgemm_calls;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kSentinel = 12345.0f;  // marks storage that BLAS must leave untouched

std::vector<float> uniform_values(oh::RandomState& random, std::size_t count) {
  std::vector<float> values(count);
  for (float& v : values) v = static_cast<float>(random.uniform(-1.0, 1.0));
  return values;
}

bool transposed(char flag) { return flag != 'N' && flag != 'n'; }

// Forward error bound of a float dot product of length k plus the beta term: (k + 2) float
// epsilons of the magnitude sum |alpha| sum|a||b| + |beta c| (Higham's gamma_k with headroom for
// blocked summation and the two scalings).
double float_bound(int k, double magnitude) { return (k + 2) * static_cast<double>(FLT_EPSILON) * magnitude; }

struct GemmCase {
  char transa, transb;
  int m, n, k, pad;
  float alpha, beta;
};

std::string describe(const GemmCase& c) {
  return std::string("transa=") + c.transa + " transb=" + c.transb + " m=" + std::to_string(c.m) +
         " n=" + std::to_string(c.n) + " k=" + std::to_string(c.k) + " pad=" + std::to_string(c.pad) +
         " alpha=" + std::to_string(c.alpha) + " beta=" + std::to_string(c.beta);
}

void check_gemm_case(const GemmCase& c, oh::RandomState& random) {
  SCOPED_TRACE(describe(c));
  const int rows_a = transposed(c.transa) ? c.k : c.m, cols_a = transposed(c.transa) ? c.m : c.k;
  const int rows_b = transposed(c.transb) ? c.n : c.k, cols_b = transposed(c.transb) ? c.k : c.n;
  const int lda = std::max(1, rows_a + c.pad), ldb = std::max(1, rows_b + c.pad);
  const int ldc = std::max(1, c.m + c.pad);
  std::vector<float> a = uniform_values(random, static_cast<std::size_t>(lda) * std::max(cols_a, 1));
  std::vector<float> b = uniform_values(random, static_cast<std::size_t>(ldb) * std::max(cols_b, 1));
  std::vector<float> cm = uniform_values(random, static_cast<std::size_t>(ldc) * std::max(c.n, 1));
  // Storage BLAS must not read: A and B when alpha = 0, C when beta = 0.
  if (c.alpha == 0.0f) std::fill(a.begin(), a.end(), kNaN), std::fill(b.begin(), b.end(), kNaN);
  if (c.beta == 0.0f) std::fill(cm.begin(), cm.end(), kNaN);
  for (int j = 0; j < c.n; ++j)
    for (int i = c.m; i < ldc; ++i) cm[j * ldc + i] = kSentinel;
  const std::vector<float> c_before = cm;

  const auto op_a = [&](int i, int l) { return transposed(c.transa) ? a[i * lda + l] : a[l * lda + i]; };
  const auto op_b = [&](int l, int j) { return transposed(c.transb) ? b[l * ldb + j] : b[j * ldb + l]; };
  sgemm_(&c.transa, &c.transb, &c.m, &c.n, &c.k, &c.alpha, a.data(), &lda, b.data(), &ldb, &c.beta,
         cm.data(), &ldc);

  for (int j = 0; j < c.n; ++j) {
    for (int i = 0; i < ldc; ++i) {
      const float got = cm[j * ldc + i];
      if (i >= c.m) {
        ASSERT_EQ(got, kSentinel) << "padding row " << i << " of column " << j << " was written";
        continue;
      }
      double product = 0.0, magnitude = 0.0;
      if (c.alpha != 0.0f) {
        for (int l = 0; l < c.k; ++l) {
          product += static_cast<double>(op_a(i, l)) * op_b(l, j);
          magnitude += std::abs(static_cast<double>(op_a(i, l)) * op_b(l, j));
        }
      }
      const double old_c = c.beta == 0.0f ? 0.0 : c_before[j * ldc + i];
      const double expected = c.alpha * product + static_cast<double>(c.beta) * old_c;
      magnitude = std::abs(c.alpha) * magnitude + std::abs(c.beta * old_c);
      ASSERT_FALSE(std::isnan(got)) << "C(" << i << "," << j << ") is NaN: read C or A/B it must not read";
      ASSERT_LE(std::abs(got - expected), float_bound(c.k, magnitude) + 1e-30)
          << "C(" << i << "," << j << ") = " << got << ", expected " << expected;
    }
  }
}

TEST(FastSgemm, DynamicLinkerResolvesBlasToTheInterposer) {
  Dl_info info{};
  ASSERT_NE(dladdr(reinterpret_cast<void*>(&sgemm_), &info), 0);
  const std::string interposer_object = info.dli_fname;
  for (const char* name : {"sgemm_", "sgemv_"}) {
    void* resolved = dlsym(RTLD_DEFAULT, name);
    ASSERT_NE(resolved, nullptr) << name;
    const void* ours = std::string(name) == "sgemm_" ? reinterpret_cast<void*>(&sgemm_)
                                                     : reinterpret_cast<void*>(&sgemv_);
    EXPECT_EQ(resolved, ours) << name << " resolves elsewhere than the interposer";
    Dl_info resolved_info{};
    ASSERT_NE(dladdr(resolved, &resolved_info), 0);
    EXPECT_EQ(std::string(resolved_info.dli_fname), interposer_object) << name;
    // The reference BLAS is still there, after ours in the lookup order.
    void* reference = dlsym(RTLD_NEXT, name);
    ASSERT_NE(reference, nullptr) << name;
    EXPECT_NE(reference, resolved) << name;
  }
  // And libtorch's float products arrive here: matrix-matrix and matrix-vector.
  const std::uint64_t before = fast_sgemm_calls();
  const at::Tensor x = at::ones({64, 48}), y = at::ones({48, 32}), v = at::ones({48});
  const at::Tensor product = at::mm(x, y);
  EXPECT_EQ(fast_sgemm_calls(), before + 1) << "at::mm did not call our sgemm_";
  EXPECT_EQ(product.sum().item<float>(), 64.0f * 32.0f * 48.0f);
  at::mv(x, v);
  EXPECT_EQ(fast_sgemm_calls(), before + 2) << "at::mv did not call our sgemv_";
}

TEST(FastSgemm, GemmMatchesNaiveDoubleLoopOnEveryArgumentCombination) {
  oh::RandomState random(20240611);
  const std::vector<std::array<int, 3>> shapes = {{1, 1, 1}, {3, 5, 7}, {17, 1, 9}, {1, 23, 31},
                                                  {37, 53, 29}, {64, 64, 128}, {130, 70, 300}};
  int cases = 0;
  for (char transa : {'N', 'T', 'C', 'n', 't'})
    for (char transb : {'N', 'T', 'c'})
      for (const auto& [m, n, k] : shapes)
        for (int pad : {0, 3})
          for (float alpha : {1.0f, -0.5f, 0.0f})
            for (float beta : {0.0f, 1.0f, 0.75f}) {
              check_gemm_case({transa, transb, m, n, k, pad, alpha, beta}, random);
              ++cases;
            }
  EXPECT_EQ(cases, 5 * 3 * 7 * 2 * 3 * 3);
}

TEST(FastSgemm, GemmQuickReturnsAndEmptyInnerDimension) {
  oh::RandomState random(7);
  for (float beta : {0.0f, 1.0f, 2.0f}) {
    check_gemm_case({'N', 'N', 0, 5, 4, 1, 1.0f, beta}, random);
    check_gemm_case({'N', 'T', 6, 0, 4, 1, 1.0f, beta}, random);
    check_gemm_case({'T', 'N', 6, 5, 0, 1, 1.0f, beta}, random);  // C = beta C
  }
  // m = 0: C is not touched at all, not even read.
  float untouched = kNaN;
  const int zero = 0, one = 1;
  const float alpha = 1.0f, beta = 0.0f;
  sgemm_("N", "N", &zero, &one, &one, &alpha, nullptr, &one, nullptr, &one, &beta, &untouched, &one);
  EXPECT_TRUE(std::isnan(untouched));
}

TEST(FastSgemm, InvalidArgumentsGoToTheReferenceBlas) {
  // The reference BLAS reports them through xerbla (libtorch's prints "Parameter N to routine
  // SGEMM was incorrect" and returns) and computes nothing; oneDNN never sees them.
  const int m = 4, n = 4, k = 4, bad_lda = 2;
  std::vector<float> a(16, 1.0f), b(16, 1.0f), c(16, kSentinel);
  const float alpha = 1.0f, beta = 0.0f;
  const std::uint64_t before = fast_sgemm_calls();
  sgemm_("N", "N", &m, &n, &k, &alpha, a.data(), &bad_lda, b.data(), &m, &beta, c.data(), &m);
  sgemm_("X", "N", &m, &n, &k, &alpha, a.data(), &m, b.data(), &m, &beta, c.data(), &m);
  const int bad_incx = 0;
  sgemv_("N", &m, &n, &alpha, a.data(), &m, b.data(), &bad_incx, &beta, c.data(), &m);
  EXPECT_EQ(fast_sgemm_calls(), before);
  for (float v : c) EXPECT_EQ(v, kSentinel);
}

TEST(FastSgemm, GemvMatchesNaiveDoubleLoopWithStridesAndNegativeIncrements) {
  oh::RandomState random(99);
  int cases = 0;
  for (char trans : {'N', 'T', 'c'})
    for (const auto& [m, n] : std::vector<std::pair<int, int>>{{1, 1}, {5, 9}, {40, 17}, {200, 300}})
      for (int incx : {1, 3, -2})
        for (int incy : {1, 2, -1})
          for (float alpha : {1.0f, -1.5f, 0.0f})
            for (float beta : {0.0f, 1.0f, 0.5f}) {
              SCOPED_TRACE(std::string("trans=") + trans + " m=" + std::to_string(m) + " n=" +
                           std::to_string(n) + " incx=" + std::to_string(incx) + " incy=" +
                           std::to_string(incy) + " alpha=" + std::to_string(alpha) + " beta=" +
                           std::to_string(beta));
              const int lda = m + 2;
              const int length_x = transposed(trans) ? m : n, length_y = transposed(trans) ? n : m;
              std::vector<float> a = uniform_values(random, static_cast<std::size_t>(lda) * n);
              std::vector<float> x = uniform_values(random, 1 + (length_x - 1) * std::abs(incx));
              std::vector<float> y(1 + (length_y - 1) * std::abs(incy), kSentinel);
              // BLAS element i of a vector with a negative increment sits at (length-1-i)|inc|.
              const auto at = [](int i, int length, int inc) { return inc > 0 ? i * inc : (length - 1 - i) * -inc; };
              std::vector<float> y_before(length_y);
              for (int i = 0; i < length_y; ++i) {
                y_before[i] = beta == 0.0f ? kNaN : static_cast<float>(random.uniform(-1.0, 1.0));
                y[at(i, length_y, incy)] = y_before[i];
              }
              if (alpha == 0.0f) std::fill(a.begin(), a.end(), kNaN), std::fill(x.begin(), x.end(), kNaN);
              sgemv_(&trans, &m, &n, &alpha, a.data(), &lda, x.data(), &incx, &beta, y.data(), &incy);
              for (int i = 0; i < length_y; ++i) {
                double product = 0.0, magnitude = 0.0;
                if (alpha != 0.0f) {
                  for (int l = 0; l < length_x; ++l) {
                    const double a_il = transposed(trans) ? a[i * lda + l] : a[l * lda + i];
                    product += a_il * x[at(l, length_x, incx)];
                    magnitude += std::abs(a_il * x[at(l, length_x, incx)]);
                  }
                }
                const double old_y = beta == 0.0f ? 0.0 : y_before[i];
                const double expected = alpha * product + beta * old_y;
                magnitude = std::abs(alpha) * magnitude + std::abs(beta * old_y);
                const float got = y[at(i, length_y, incy)];
                ASSERT_FALSE(std::isnan(got)) << "y(" << i << ")";
                ASSERT_LE(std::abs(got - expected), float_bound(length_x, magnitude) + 1e-30) << "y(" << i << ")";
              }
              for (std::size_t s = 0; s < y.size(); ++s)
                if (s % std::abs(incy) != 0) {
                  ASSERT_EQ(y[s], kSentinel) << "gap element " << s << " written";
                }
              ++cases;
            }
  EXPECT_EQ(cases, 3 * 4 * 3 * 3 * 3 * 3);
}

// |float result - double reference| within the dot-product bound, elementwise.
void expect_within_float_bound(const at::Tensor& got, const at::Tensor& expected,
                               const at::Tensor& magnitude, int64_t k, const char* what) {
  const at::Tensor excess = (got.to(at::kDouble) - expected).abs() - magnitude * ((k + 2) * static_cast<double>(FLT_EPSILON));
  EXPECT_LE(excess.max().item<double>(), 0.0) << what;
}

TEST(FastSgemm, LibtorchProductsAndGradientsMatchDoubleReference) {
  at::manual_seed(3);
  const at::Tensor a = at::randn({3, 77, 129}), b = at::randn({3, 129, 65});
  const at::Tensor ad = a.to(at::kDouble), bd = b.to(at::kDouble);
  expect_within_float_bound(at::matmul(a[0], b[0]), at::matmul(ad[0], bd[0]),
                            at::matmul(ad[0].abs(), bd[0].abs()), 129, "matmul");
  expect_within_float_bound(at::bmm(a, b), at::bmm(ad, bd), at::bmm(ad.abs(), bd.abs()), 129, "bmm");
  const at::Tensor weight = at::randn({96, 129}), bias = at::randn({96});
  const at::Tensor wd = weight.to(at::kDouble), biasd = bias.to(at::kDouble);
  expect_within_float_bound(at::linear(a, weight, bias), at::linear(ad, wd, biasd),
                            at::linear(ad.abs(), wd.abs(), biasd.abs()), 129, "linear");
  expect_within_float_bound(at::matmul(a[1], b[1].select(1, 0)), at::matmul(ad[1], bd[1].select(1, 0)),
                            at::matmul(ad[1].abs(), bd[1].select(1, 0).abs()), 129, "matrix-vector");

  // Backward of linear: grad_input = g W, grad_weight = g^T x summed over the 3*77 rows.
  const at::Tensor input = a.clone().requires_grad_(true), w = weight.clone().requires_grad_(true);
  const at::Tensor g = at::randn({3, 77, 96});
  at::linear(input, w).backward(g);
  const at::Tensor gd = g.to(at::kDouble).reshape({-1, 96}), xd = ad.reshape({-1, 129});
  expect_within_float_bound(input.grad().reshape({-1, 129}), gd.matmul(wd), gd.abs().matmul(wd.abs()), 96,
                            "linear grad_input");
  expect_within_float_bound(w.grad(), gd.t().matmul(xd), gd.t().abs().matmul(xd.abs()), 3 * 77,
                            "linear grad_weight");
}

}  // namespace
