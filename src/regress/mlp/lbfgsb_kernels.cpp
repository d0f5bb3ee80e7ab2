#include "regress/mlp/lbfgsb_kernels.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "regress/mlp/vector_clones.h"

namespace oh::regress::mlp {
namespace {

// Four doubles: native in the AVX2 and AVX-512 clones (whose 512-bit units may be single), and
// few enough that the accumulators stay in registers. Lanes are independent, so each lane's sum
// keeps its own order.
constexpr int kBlock = 4;
typedef double vec __attribute__((vector_size(kBlock * sizeof(double)), aligned(8)));

OH_INLINE vec load_vec(const double* p) {
  vec v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
OH_INLINE void store_vec(double* p, vec v) { std::memcpy(p, &v, sizeof v); }

// Coordinate j of the new pair: y = g − g_old and s = step·d (d itself when the step is 1, as
// dscal is then skipped).
OH_INLINE void store_new_pair(CorrectionPairs& pairs, std::size_t j, int slot, const double* g,
                                     const double* g_old, const double* d, double step) {
  const int m = pairs.memory(), W = pairs.lanes();
  const double y = g[j] - g_old[j];
  const double s = step != 1.0 ? step * d[j] : d[j];
  double* row = pairs.rows() + j * W;
  row[slot] = y;
  row[m + slot] = s;
}

// Rows i..i+kBlock-1 (zero rows past n) turned lane-major: lanes[q] holds lane q of the kBlock
// coordinates, by 4×4 transposes of kBlock-lane chunks.
OH_INLINE void rows_to_lanes(const CorrectionPairs& pairs, std::size_t i, int chunks, double* lanes) {
  static_assert(kBlock == 4, "the transpose below is 4 x 4");
  typedef long long lanes_index __attribute__((vector_size(kBlock * sizeof(long long))));
  const std::size_t n = pairs.size();
  const int W = pairs.lanes();
  const double* r[kBlock];
  for (int e = 0; e < kBlock; ++e) r[e] = i + e < n ? pairs.rows() + (i + e) * W : pairs.zero_row();
  for (int c = 0; c < chunks; ++c) {
    const vec r0 = load_vec(r[0] + kBlock * c), r1 = load_vec(r[1] + kBlock * c);
    const vec r2 = load_vec(r[2] + kBlock * c), r3 = load_vec(r[3] + kBlock * c);
    const vec even01 = __builtin_shuffle(r0, r1, lanes_index{0, 4, 2, 6});
    const vec odd01 = __builtin_shuffle(r0, r1, lanes_index{1, 5, 3, 7});
    const vec even23 = __builtin_shuffle(r2, r3, lanes_index{0, 4, 2, 6});
    const vec odd23 = __builtin_shuffle(r2, r3, lanes_index{1, 5, 3, 7});
    double* out = lanes + kBlock * kBlock * c;
    store_vec(out, __builtin_shuffle(even01, even23, lanes_index{0, 1, 4, 5}));
    store_vec(out + kBlock, __builtin_shuffle(odd01, odd23, lanes_index{0, 1, 4, 5}));
    store_vec(out + 2 * kBlock, __builtin_shuffle(even01, even23, lanes_index{2, 3, 6, 7}));
    store_vec(out + 3 * kBlock, __builtin_shuffle(odd01, odd23, lanes_index{2, 3, 6, 7}));
  }
}

// Sequential sums over coordinates of `rows` lanes times three per-coordinate factors, with the
// lanes held in registers: K chunks of kBlock lanes (the last chunk may read past a row, into the
// next row or the padding, and those lanes are dropped).
template <int K>
OH_INLINE void pair_products_in_registers(CorrectionPairs& pairs, const double* g, const double* g_old,
                                                 const double* d, double step, int new_slot, bool with_gradient,
                                                 PairProducts& out) {
  const std::size_t n = pairs.size();
  const int m = pairs.memory(), W = pairs.lanes();
  const double* rows = pairs.rows();
  vec acc_s[K] = {}, acc_y[K] = {}, acc_r[K] = {};
  if (new_slot >= 0) {
    // The new pair is stored kAhead coordinates before its row is read: a wide load of a row
    // right after a store into it would stall on store forwarding.
    constexpr std::size_t kAhead = 16;
    for (std::size_t j = 0; j < std::min(kAhead, n); ++j) store_new_pair(pairs, j, new_slot, g, g_old, d, step);
    for (std::size_t i = 0; i < n; ++i) {
      if (i + kAhead < n) store_new_pair(pairs, i + kAhead, new_slot, g, g_old, d, step);
      const double* row = rows + i * W;
      const double y = row[new_slot], s = row[m + new_slot], r = -g[i];
      for (int c = 0; c < K; ++c) {
        const vec lane = load_vec(row + kBlock * c);
        acc_s[c] += lane * s;
        acc_y[c] += lane * y;
        if (with_gradient) acc_r[c] += lane * r;
      }
    }
  } else {
    for (std::size_t i = 0; i < n; ++i) {
      const double* row = rows + i * W;
      const double r = -g[i];
      for (int c = 0; c < K; ++c) acc_r[c] += load_vec(row + kBlock * c) * r;
    }
  }
  for (int q = 0; q < W; ++q) {
    out.with_s[q] = acc_s[q / kBlock][q % kBlock];
    out.with_y[q] = acc_y[q / kBlock][q % kBlock];
    out.with_r[q] = acc_r[q / kBlock][q % kBlock];
  }
}

// Any memory: the same sums with the lane accumulators in memory.
void pair_products_any_width(CorrectionPairs& pairs, const double* g, const double* g_old, const double* d,
                             double step, int new_slot, bool with_gradient, PairProducts& out) {
  const std::size_t n = pairs.size();
  const int m = pairs.memory(), W = pairs.lanes();
  const double* rows = pairs.rows();
  std::fill(out.with_s.begin(), out.with_s.end(), 0.0);
  std::fill(out.with_y.begin(), out.with_y.end(), 0.0);
  std::fill(out.with_r.begin(), out.with_r.end(), 0.0);
  double *acc_s = out.with_s.data(), *acc_y = out.with_y.data(), *acc_r = out.with_r.data();
  for (std::size_t i = 0; i < n; ++i) {
    const double* row = rows + i * W;
    const double r = -g[i];
    if (new_slot >= 0) {
      store_new_pair(pairs, i, new_slot, g, g_old, d, step);
      const double y = row[new_slot], s = row[m + new_slot];
      for (int q = 0; q < W; ++q) {
        acc_s[q] += row[q] * s;
        acc_y[q] += row[q] * y;
      }
    }
    if (with_gradient)
      for (int q = 0; q < W; ++q) acc_r[q] += row[q] * r;
  }
}

}  // namespace

CorrectionPairs::CorrectionPairs(std::size_t n, int m)
    : n_(n),
      m_(m),
      // Rows carry one chunk of padding for the register paths' last partial chunk.
      rows_(n * 2 * static_cast<std::size_t>(m) + kBlock, 0.0),
      zero_row_((2 * static_cast<std::size_t>(m) + kBlock - 1) / kBlock * kBlock, 0.0),
      lane_scratch_(zero_row_.size() * kBlock, 0.0) {}

OH_VECTOR_CLONES
void accumulate_pair_products(CorrectionPairs& pairs, const double* g, const double* g_old, const double* d,
                              double step, int new_slot, bool with_gradient, PairProducts& out) {
  const int W = pairs.lanes();
  out.with_s.assign(W, 0.0);
  out.with_y.assign(W, 0.0);
  out.with_r.assign(W, 0.0);
  switch ((W + kBlock - 1) / kBlock) {
    case 1: return pair_products_in_registers<1>(pairs, g, g_old, d, step, new_slot, with_gradient, out);
    case 2: return pair_products_in_registers<2>(pairs, g, g_old, d, step, new_slot, with_gradient, out);
    case 3: return pair_products_in_registers<3>(pairs, g, g_old, d, step, new_slot, with_gradient, out);
    case 4: return pair_products_in_registers<4>(pairs, g, g_old, d, step, new_slot, with_gradient, out);
    case 5: return pair_products_in_registers<5>(pairs, g, g_old, d, step, new_slot, with_gradient, out);
    default: return pair_products_any_width(pairs, g, g_old, d, step, new_slot, with_gradient, out);
  }
}

double cauchy_slope(const double* g, std::size_t n) {
  double f1 = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double neggi = -g[i];
    f1 = f1 - neggi * neggi;
  }
  return f1;
}

OH_VECTOR_CLONES
void steepest_descent_point(const double* x, const double* g, double t, std::size_t n, double* z, double* d,
                            double& dtd, double& gd) {
  double dd_sum = 0.0, gd_sum = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double zi = t != 0.0 ? x[i] + t * (-g[i]) : x[i];
    const double di = zi - x[i];
    z[i] = zi;
    d[i] = di;
    dd_sum += di * di;
    gd_sum += g[i] * di;
  }
  dtd = dd_sum;
  gd = gd_sum;
}

OH_VECTOR_CLONES
void subspace_point(CorrectionPairs& pairs, const int* order, int col, const double* wv, double theta,
                    const double* x, const double* g, double* z, double* d, double& dtd, double& gd) {
  // Rows a few groups ahead are requested early: this pass computes long enough per row that
  // the hardware prefetcher alone leaves it waiting on memory.
  constexpr std::size_t kPrefetchAhead = 16;
  const std::size_t n = pairs.size();
  const int m = pairs.memory(), W = pairs.lanes(), chunks = (W + kBlock - 1) / kBlock;
  const std::size_t group_bytes = kBlock * W * sizeof(double);
  double* lanes = pairs.lane_scratch();
  const double inverse_theta = 1.0 / theta;
  double dd_sum = 0.0, gd_sum = 0.0;
  double gx[kBlock], xx[kBlock], zz[kBlock], ddd[kBlock];
  for (std::size_t start = 0; start < n; start += kBlock) {
    if (start + kPrefetchAhead + kBlock <= n) {
      const char* ahead = reinterpret_cast<const char*>(pairs.rows() + (start + kPrefetchAhead) * W);
      for (std::size_t b = 0; b < group_bytes; b += 64) __builtin_prefetch(ahead + b);
    }
    const int count = static_cast<int>(std::min<std::size_t>(kBlock, n - start));
    // The last partial group goes through zeroed scratch so that no lane reads past n.
    for (int e = 0; e < kBlock; ++e) {
      gx[e] = e < count ? g[start + e] : 0.0;
      xx[e] = e < count ? x[start + e] : 0.0;
    }
    rows_to_lanes(pairs, start, chunks, lanes);
    const vec gv = load_vec(gx), xv = load_vec(xx);
    vec dv = -gv;
    for (int k = 0; k < col; ++k) {
      const int slot = order[k];
      dv = (dv + (load_vec(lanes + slot * kBlock) * wv[k]) / theta) + load_vec(lanes + (m + slot) * kBlock) * wv[col + k];
    }
    dv = inverse_theta * dv;
    const vec zv = xv + dv;
    store_vec(zz, zv);
    store_vec(ddd, zv - xv);
    for (int e = 0; e < count; ++e) {
      z[start + e] = zz[e];
      d[start + e] = ddd[e];
      dd_sum += ddd[e] * ddd[e];
      gd_sum += gx[e] * ddd[e];
    }
  }
  dtd = dd_sum;
  gd = gd_sum;
}

OH_VECTOR_CLONES
void slope_and_gradient_norm(const double* source, double* g, const double* d, std::size_t n, double& gd,
                             double& max_abs_g) {
  double sum = 0.0, largest = 0.0;
  bool nan = false;
  for (std::size_t i = 0; i < n; ++i) {
    const double gi = source[i];
    g[i] = gi;
    sum += gi * d[i];
    const double a = std::fabs(gi);
    largest = a > largest ? a : largest;
    nan |= gi != gi;
  }
  gd = sum;
  max_abs_g = nan ? std::nan("") : largest;
}

OH_VECTOR_CLONES
bool trial_point(const double* t, const double* d, double step, std::size_t n, double* x, double* previous) {
  bool changed = false;
  for (std::size_t i = 0; i < n; ++i) {
    const double xi = step * d[i] + t[i];
    changed |= xi != previous[i];
    x[i] = xi;
    previous[i] = xi;
  }
  return changed;
}

OH_VECTOR_CLONES
bool copy_point(const double* z, std::size_t n, double* x, double* previous) {
  bool changed = false;
  for (std::size_t i = 0; i < n; ++i) {
    changed |= z[i] != previous[i];
    x[i] = z[i];
    previous[i] = z[i];
  }
  return changed;
}

}  // namespace oh::regress::mlp
