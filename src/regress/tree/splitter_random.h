#pragma once
// scikit-learn's tree splitter draws features with its own xorshift generator ("our_rand_r" in
// sklearn/tree/_utils), not with numpy: reproducing the feature visiting order needs this exact
// sequence (DESIGN §4.5).
#include <cstdint>

#include "core/numpy_random.h"

namespace oh::regress::tree {

/// Largest value of the generator (RAND_R_MAX = 2^31 - 1).
constexpr uint32_t kRandRMax = 0x7FFFFFFFu;

class SplitterRandom {
 public:
  explicit SplitterRandom(uint32_t seed) : state_(seed) {}

  /// The next value in [0, RAND_R_MAX]; a zero state is replaced by 1 as scikit-learn does.
  uint32_t next() {
    if (state_ == 0) state_ = 1;
    state_ ^= state_ << 13;
    state_ ^= state_ >> 17;
    state_ ^= state_ << 5;
    return state_ % (kRandRMax + 1u);
  }
  /// An integer in [low, high), as `rand_int` draws it (modulo, not rejection).
  int64_t rand_int(int64_t low, int64_t high) { return low + static_cast<int64_t>(next()) % (high - low); }

 private:
  uint32_t state_;
};

/// The seed a splitter takes from its estimator's RandomState: `randint(0, RAND_R_MAX)`.
inline uint32_t draw_splitter_seed(RandomState& random_state) {
  return static_cast<uint32_t>(random_state.randint(0, kRandRMax));
}

/// The integer seed an ensemble gives each sub-estimator: `randint(np.iinfo(np.int32).max)`.
inline uint32_t draw_estimator_seed(RandomState& random_state) {
  return static_cast<uint32_t>(random_state.randint(0, 0x7FFFFFFF));
}

}  // namespace oh::regress::tree
