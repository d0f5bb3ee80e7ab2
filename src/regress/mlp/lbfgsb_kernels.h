#pragma once
// The O(n) and O(m·n) passes of the unbounded L-BFGS-B 3.0 iteration. Every sum is a sequential
// sum in coordinate order, exactly as reference BLAS ddot (its unroll by 5 adds left to right
// into one accumulator) and the Fortran loops compute it; what changes is that independent sums
// advance together in one pass instead of one after another.
#include <cstddef>
#include <vector>

namespace oh::regress::mlp {

/// The m correction pairs (s, y), slot q holding one pair, stored by coordinate: row i holds the
/// 2m values [y_0..y_{m-1}, s_0..s_{m-1}] of coordinate i, so one pass forms sums against every
/// stored vector at once. (One layout keeps the two passes per iteration at one read each.)
class CorrectionPairs {
 public:
  CorrectionPairs(std::size_t n, int m);
  std::size_t size() const { return n_; }
  int memory() const { return m_; }
  int lanes() const { return 2 * m_; }
  double* rows() { return rows_.data(); }
  const double* rows() const { return rows_.data(); }
  /// Scratch for coordinate-wise passes: a zero row, and one group of rows turned lane-major.
  const double* zero_row() const { return zero_row_.data(); }
  double* lane_scratch() { return lane_scratch_.data(); }

 private:
  std::size_t n_;
  int m_;
  std::vector<double> rows_, zero_row_, lane_scratch_;
};

/// Sums over all coordinates against every lane of `pairs` (lane q < m: y_q, lane m+q: s_q).
struct PairProducts {
  std::vector<double> with_s, with_y, with_r;  // Σ lane·s, Σ lane·y, Σ lane·(−g)
};

/// After an accepted step: s = step·d (d itself when step is 1, as dscal is skipped), y = g −
/// g_old; when `new_slot` >= 0 they are stored in that slot first, and with_s / with_y are formed
/// (with_y of the new slot is yᵀy). with_r (against −g) is formed when `with_gradient`.
void accumulate_pair_products(CorrectionPairs& pairs, const double* g, const double* g_old, const double* d,
                              double step, int new_slot, bool with_gradient, PairProducts& out);

/// f1 = −Σ g_i² accumulated as cauchy does (f1 := f1 − (−g_i)(−g_i)).
double cauchy_slope(const double* g, std::size_t n);

/// The point the first iteration after a (re)start moves to: z = x + t·(−g) (z = x when t is
/// 0, as daxpy returns early), d = z − x; returns dᵀd and gᵀd through the last two arguments.
void steepest_descent_point(const double* x, const double* g, double t, std::size_t n, double* z, double* d,
                            double& dtd, double& gd);

/// The subspace Newton point (subsm, unbounded): d = −g; for each stored pair k in `order`,
/// d := d + (y_k·wv[k])/θ + s_k·wv[col+k]; d := (1/θ)·d; z = x + d; then d = z − x. Returns dᵀd
/// and gᵀd.
void subspace_point(CorrectionPairs& pairs, const int* order, int col, const double* wv, double theta,
                    const double* x, const double* g, double* z, double* d, double& dtd, double& gd);

/// Copies `source` into g while forming gᵀd and max|g_i| (NaN when some g_i is NaN, as the
/// patched projgr reports). `source` may be g itself.
void slope_and_gradient_norm(const double* source, double* g, const double* d, std::size_t n, double& gd,
                             double& max_abs_g);

/// x = step·d + t, also written to `previous`. Returns whether x differs from what `previous`
/// held (element-wise !=, so NaN differs; overwriting equal values keeps later comparisons the
/// same, since == does not see the sign of zero).
bool trial_point(const double* t, const double* d, double step, std::size_t n, double* x, double* previous);

/// x = z, also written to `previous`; returns whether x differs from what `previous` held.
bool copy_point(const double* z, std::size_t n, double* x, double* previous);

}  // namespace oh::regress::mlp
