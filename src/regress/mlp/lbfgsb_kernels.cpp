#include "regress/mlp/lbfgsb_kernels.h"

#include <algorithm>
#include <cmath>
#include <cstring>

// Compiled for several instruction sets and picked at load time; only the vector width differs,
// and with -ffp-contract=off and no reassociation every clone rounds identically.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define OH_LBFGSB_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#define OH_LBFGSB_INLINE inline __attribute__((always_inline))
#else
#define OH_LBFGSB_CLONES
#define OH_LBFGSB_INLINE inline
#endif

namespace oh::regress::mlp {
namespace {

// Eight doubles; lanes are independent, so each lane's sum keeps its own order.
typedef double v8d __attribute__((vector_size(64), aligned(8)));
typedef long long v8l __attribute__((vector_size(64)));
constexpr int kBlock = 8;

OH_LBFGSB_INLINE v8d load8(const double* p) {
  v8d v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
OH_LBFGSB_INLINE void store8(double* p, v8d v) { std::memcpy(p, &v, sizeof v); }

// Sequential sums over coordinates of `rows` lanes times three per-coordinate factors, with the
// lanes held in registers: K chunks of 8 lanes (the last chunk may read past a row, into the
// next row or the padding, and those lanes are dropped).
template <int K>
OH_LBFGSB_INLINE void pair_products_in_registers(CorrectionPairs& pairs, const double* g, const double* g_old,
                                                 const double* d, double step, int new_slot, bool with_gradient,
                                                 PairProducts& out) {
  const std::size_t n = pairs.size();
  const int m = pairs.memory(), W = pairs.lanes();
  double* rows = pairs.rows();
  double* blocks = pairs.blocks();
  v8d acc_s[K] = {}, acc_y[K] = {}, acc_r[K] = {};
  if (new_slot >= 0) {
    // The new pair enters the lanes in registers (a store into the row followed by a wide load
    // of it would stall on store forwarding); the row is written after it has been read.
    v8l is_y[K], is_s[K];
    for (int c = 0; c < K; ++c)
      for (int e = 0; e < kBlock; ++e) {
        is_y[c][e] = kBlock * c + e == new_slot ? -1 : 0;
        is_s[c][e] = kBlock * c + e == m + new_slot ? -1 : 0;
      }
    const bool scaled = step != 1.0;  // dscal is skipped when the step is 1
    for (std::size_t i = 0; i < n; ++i) {
      const double y = g[i] - g_old[i];
      const double s = scaled ? step * d[i] : d[i];
      const double r = -g[i];
      double* row = rows + i * W;
      for (int c = 0; c < K; ++c) {
        v8d lane = load8(row + kBlock * c);
        lane = is_y[c] ? y : lane;
        lane = is_s[c] ? s : lane;
        acc_s[c] += lane * s;
        acc_y[c] += lane * y;
        if (with_gradient) acc_r[c] += lane * r;
      }
      row[new_slot] = y;
      row[m + new_slot] = s;
      double* block = blocks + (i / kBlock) * W * kBlock + i % kBlock;
      block[new_slot * kBlock] = y;
      block[(m + new_slot) * kBlock] = s;
    }
  } else {
    for (std::size_t i = 0; i < n; ++i) {
      const double* row = rows + i * W;
      const double r = -g[i];
      for (int c = 0; c < K; ++c) acc_r[c] += load8(row + kBlock * c) * r;
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
  double* rows = pairs.rows();
  double* blocks = pairs.blocks();
  std::fill(out.with_s.begin(), out.with_s.end(), 0.0);
  std::fill(out.with_y.begin(), out.with_y.end(), 0.0);
  std::fill(out.with_r.begin(), out.with_r.end(), 0.0);
  double *acc_s = out.with_s.data(), *acc_y = out.with_y.data(), *acc_r = out.with_r.data();
  for (std::size_t i = 0; i < n; ++i) {
    double* row = rows + i * W;
    const double r = -g[i];
    if (new_slot >= 0) {
      const double y = g[i] - g_old[i];
      const double s = step == 1.0 ? d[i] : step * d[i];
      row[new_slot] = y;
      row[m + new_slot] = s;
      double* block = blocks + (i / kBlock) * W * kBlock + i % kBlock;
      block[new_slot * kBlock] = y;
      block[(m + new_slot) * kBlock] = s;
      for (int q = 0; q < W; ++q) {
        acc_s[q] += row[q] * s;
        acc_y[q] += row[q] * y;
      }
    }
    if (with_gradient)
      for (int q = 0; q < W; ++q) acc_r[q] += row[q] * r;
  }
}

// Adds the first `count` lanes of v to `sum` one after another (coordinate order).
OH_LBFGSB_INLINE double add_lanes_in_order(double sum, v8d v, int count) {
  for (int e = 0; e < count; ++e) sum += v[e];
  return sum;
}

}  // namespace

CorrectionPairs::CorrectionPairs(std::size_t n, int m)
    : n_(n),
      m_(m),
      // Rows carry one chunk of padding for the register path's last partial chunk.
      rows_(n * 2 * static_cast<std::size_t>(m) + kBlock, 0.0),
      blocks_((n + kBlock - 1) / kBlock * 2 * static_cast<std::size_t>(m) * kBlock, 0.0) {}

OH_LBFGSB_CLONES
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

OH_LBFGSB_CLONES
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

OH_LBFGSB_CLONES
void subspace_point(const CorrectionPairs& pairs, const int* order, int col, const double* wv, double theta,
                    const double* x, const double* g, double* z, double* d, double& dtd, double& gd) {
  const std::size_t n = pairs.size();
  const int m = pairs.memory(), W = pairs.lanes();
  const double* blocks = pairs.blocks();
  const double inverse_theta = 1.0 / theta;
  double dd_sum = 0.0, gd_sum = 0.0;
  double gx[kBlock], xx[kBlock], zz[kBlock], ddd[kBlock];
  for (std::size_t start = 0; start < n; start += kBlock) {
    const int count = static_cast<int>(std::min<std::size_t>(kBlock, n - start));
    // Full blocks read straight from the arrays; the last partial one goes through zeroed
    // scratch so that no lane reads past n.
    for (int e = 0; e < kBlock; ++e) {
      gx[e] = e < count ? g[start + e] : 0.0;
      xx[e] = e < count ? x[start + e] : 0.0;
    }
    const v8d gv = load8(gx), xv = load8(xx);
    const double* block = blocks + (start / kBlock) * W * kBlock;
    v8d dv = -gv;
    for (int k = 0; k < col; ++k) {
      const int slot = order[k];
      dv = (dv + (load8(block + slot * kBlock) * wv[k]) / theta) + load8(block + (m + slot) * kBlock) * wv[col + k];
    }
    dv = inverse_theta * dv;
    const v8d zv = xv + dv;
    const v8d dd = zv - xv;
    store8(zz, zv);
    store8(ddd, dd);
    for (int e = 0; e < count; ++e) {
      z[start + e] = zz[e];
      d[start + e] = ddd[e];
    }
    dd_sum = add_lanes_in_order(dd_sum, dd * dd, count);
    gd_sum = add_lanes_in_order(gd_sum, gv * dd, count);
  }
  dtd = dd_sum;
  gd = gd_sum;
}

OH_LBFGSB_CLONES
void slope_and_gradient_norm(const double* g, const double* d, std::size_t n, double& gd, double& max_abs_g) {
  double sum = 0.0, largest = 0.0;
  bool nan = false;
  for (std::size_t i = 0; i < n; ++i) {
    sum += g[i] * d[i];
    const double a = std::fabs(g[i]);
    largest = a > largest ? a : largest;
    nan |= g[i] != g[i];
  }
  gd = sum;
  max_abs_g = nan ? std::nan("") : largest;
}

OH_LBFGSB_CLONES
bool trial_point(const double* t, const double* d, double step, std::size_t n, double* x, const double* previous) {
  bool changed = false;
  for (std::size_t i = 0; i < n; ++i) {
    x[i] = step * d[i] + t[i];
    changed |= x[i] != previous[i];
  }
  return changed;
}

OH_LBFGSB_CLONES
bool copy_point(const double* z, std::size_t n, double* x, const double* previous) {
  bool changed = false;
  for (std::size_t i = 0; i < n; ++i) {
    x[i] = z[i];
    changed |= z[i] != previous[i];
  }
  return changed;
}

}  // namespace oh::regress::mlp
