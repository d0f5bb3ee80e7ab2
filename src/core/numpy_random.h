#pragma once
// Bit-exact reimplementation of numpy's legacy `RandomState` (MT19937) for the draws the
// published tables depend on (DESIGN §4.1). scikit-learn's estimators and numpy's datasets
// draw through it, so every dataset and seeded estimator here starts from this class.
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace oh {

/// The Mersenne Twister core shared by numpy's RandomState and Python's `random.Random`.
class MT19937 {
 public:
  static constexpr int kStateSize = 624;
  /// init_genrand(seed): how numpy seeds from a 32-bit integer.
  explicit MT19937(uint32_t seed = 5489u);
  /// init_by_array(key): how Python seeds from an integer's 32-bit words.
  explicit MT19937(const std::vector<uint32_t>& key);
  uint32_t next_uint32();

 private:
  void seed_scalar(uint32_t seed);
  void regenerate();
  std::array<uint32_t, kStateSize> state_{};
  int index_ = kStateSize;
};

/// numpy.random.RandomState (legacy), seeded with 0 <= seed < 2^32.
class RandomState {
 public:
  explicit RandomState(uint32_t seed);

  uint32_t next_uint32() { return mt_.next_uint32(); }
  /// Two 32-bit draws, high word first (numpy's next_uint64 on MT19937).
  uint64_t next_uint64();
  /// random_sample(): a double in [0, 1) with 53 random bits.
  double random_sample();
  /// uniform(low, high) = low + (high - low) * random_sample().
  double uniform(double low, double high);
  /// Legacy polar-method standard normal with one cached value.
  double standard_normal();
  /// A uniform integer in [0, max] by masked rejection (numpy's random_interval).
  uint64_t random_interval(uint64_t max);
  /// Legacy randint(low, high): one integer in [low, high).
  int64_t randint(int64_t low, int64_t high);
  /// Legacy randint(low, high, size): `size` integers in [low, high).
  std::vector<int64_t> randint(int64_t low, int64_t high, size_t size);
  /// permutation(n): shuffle of 0..n-1 (Fisher-Yates from the end).
  std::vector<int64_t> permutation(int64_t n);
  /// shuffle(values) in place, as numpy shuffles a 1-D array.
  template <typename T>
  void shuffle(std::vector<T>& values) {
    for (size_t i = values.size(); i > 1; --i) {
      const size_t j = static_cast<size_t>(random_interval(i - 1));
      std::swap(values[i - 1], values[j]);
    }
  }
  /// choice(n, size, p=weights) with replacement: searchsorted on the normalised cumsum.
  std::vector<int64_t> choice(const std::vector<double>& weights, size_t size);

 private:
  MT19937 mt_;
  bool has_gauss_ = false;
  double gauss_ = 0.0;
};

/// Python's `random.Random(seed)`, for the `random` baseline (DESIGN §4.1).
class PythonRandom {
 public:
  explicit PythonRandom(int64_t seed);
  /// getrandbits(k) for 1 <= k <= 32.
  uint32_t getrandbits(int k);
  /// The index `choice(seq)` picks for a sequence of length n (> 0).
  size_t choice_index(size_t n);

 private:
  MT19937 mt_;
};

}  // namespace oh
