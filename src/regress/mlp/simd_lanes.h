#pragma once
// Eight doubles as one GCC/Clang vector value. Each lane is an independent IEEE operation, so
// a kernel written on Lanes rounds exactly as its scalar loop would; the target clones only
// change how many machine registers hold one value (one zmm, two ymm or four xmm).
#include <cstring>

#include "regress/mlp/vector_clones.h"  // also silences -Wpsabi for Lanes values

namespace oh::regress::mlp {

typedef double Lanes __attribute__((vector_size(64)));
constexpr int kLaneCount = 8;

inline __attribute__((always_inline)) Lanes load_lanes(const double* p) {
  Lanes v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline __attribute__((always_inline)) void store_lanes(double* p, const Lanes& v) { std::memcpy(p, &v, sizeof v); }

/// The first `count` lanes from p, the others 0.
inline __attribute__((always_inline)) Lanes load_partial_lanes(const double* p, int count) {
  Lanes v = {};
  for (int i = 0; i < count; ++i) v[i] = p[i];
  return v;
}

inline __attribute__((always_inline)) void store_partial_lanes(double* p, const Lanes& v, int count) {
  for (int i = 0; i < count; ++i) p[i] = v[i];
}

/// x in every lane (not 0.0 + x, which would turn -0.0 into +0.0).
inline __attribute__((always_inline)) Lanes splat(double x) { return Lanes{x, x, x, x, x, x, x, x}; }

/// np.maximum(z, 0) lane by lane: negative values become +0.0, NaN and -0.0 stay.
inline __attribute__((always_inline)) Lanes relu_lanes(const Lanes& z) {
  const Lanes zero = {};
  return z < zero ? zero : z;
}

/// Transposes the 8 × 8 block held in rows[0..7] in place (rows[c][i] becomes the old rows[i][c]).
typedef long long LaneIndices __attribute__((vector_size(64)));

/// Lane i of the result is lane from[i] of the 16 lanes (a, b).
inline __attribute__((always_inline)) Lanes pick(const Lanes& a, const Lanes& b, const LaneIndices& from) {
  return __builtin_shuffle(a, b, from);
}

inline __attribute__((always_inline)) void transpose_lanes(Lanes rows[kLaneCount]) {
  using Indices = LaneIndices;
  Lanes t[kLaneCount], u[kLaneCount];
  for (int i = 0; i < kLaneCount; i += 2) {  // pairs of rows, interleaved by element
    t[i] = pick(rows[i], rows[i + 1], Indices{0, 8, 2, 10, 4, 12, 6, 14});
    t[i + 1] = pick(rows[i], rows[i + 1], Indices{1, 9, 3, 11, 5, 13, 7, 15});
  }
  for (int i = 0; i < kLaneCount; i += 4)  // quads of rows, interleaved by pairs of elements
    for (int h = 0; h < 2; ++h) {
      u[i + h] = pick(t[i + h], t[i + h + 2], Indices{0, 1, 8, 9, 4, 5, 12, 13});
      u[i + h + 2] = pick(t[i + h], t[i + h + 2], Indices{2, 3, 10, 11, 6, 7, 14, 15});
    }
  for (int c = 0; c < 4; ++c) {  // the two halves, interleaved by quads
    rows[c] = pick(u[c], u[c + 4], Indices{0, 1, 2, 3, 8, 9, 10, 11});
    rows[c + 4] = pick(u[c], u[c + 4], Indices{4, 5, 6, 7, 12, 13, 14, 15});
  }
}

}  // namespace oh::regress::mlp
