#include "core/numpy_random.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdlib>

#include "core/error.h"

namespace oh {

MT19937::MT19937(uint32_t seed) { seed_scalar(seed); }

MT19937::MT19937(const std::vector<uint32_t>& key) {
  seed_scalar(19650218u);
  const int key_length = static_cast<int>(key.size());
  int i = 1, j = 0;
  for (int k = std::max(kStateSize, key_length); k > 0; --k) {
    state_[i] = (state_[i] ^ ((state_[i - 1] ^ (state_[i - 1] >> 30)) * 1664525u)) + key[j] + j;
    ++i;
    ++j;
    if (i >= kStateSize) {
      state_[0] = state_[kStateSize - 1];
      i = 1;
    }
    if (j >= key_length) j = 0;
  }
  for (int k = kStateSize - 1; k > 0; --k) {
    state_[i] = (state_[i] ^ ((state_[i - 1] ^ (state_[i - 1] >> 30)) * 1566083941u)) - i;
    ++i;
    if (i >= kStateSize) {
      state_[0] = state_[kStateSize - 1];
      i = 1;
    }
  }
  state_[0] = 0x80000000u;
  index_ = kStateSize;
}

void MT19937::seed_scalar(uint32_t seed) {
  state_[0] = seed;
  for (int i = 1; i < kStateSize; ++i) {
    state_[i] = 1812433253u * (state_[i - 1] ^ (state_[i - 1] >> 30)) + static_cast<uint32_t>(i);
  }
  index_ = kStateSize;
}

void MT19937::regenerate() {
  constexpr int kShift = 397;
  constexpr uint32_t kMatrixA = 0x9908b0dfu, kUpper = 0x80000000u, kLower = 0x7fffffffu;
  for (int k = 0; k < kStateSize; ++k) {
    const uint32_t y = (state_[k] & kUpper) | (state_[(k + 1) % kStateSize] & kLower);
    state_[k] = state_[(k + kShift) % kStateSize] ^ (y >> 1) ^ ((y & 1u) ? kMatrixA : 0u);
  }
  index_ = 0;
}

uint32_t MT19937::next_uint32() {
  if (index_ >= kStateSize) regenerate();
  uint32_t y = state_[index_++];
  y ^= (y >> 11);
  y ^= (y << 7) & 0x9d2c5680u;
  y ^= (y << 15) & 0xefc60000u;
  y ^= (y >> 18);
  return y;
}

RandomState::RandomState(uint32_t seed) : mt_(seed) {}

uint64_t RandomState::next_uint64() {
  const uint64_t high = mt_.next_uint32();
  return (high << 32) | mt_.next_uint32();
}

double RandomState::random_sample() {
  const uint32_t a = mt_.next_uint32() >> 5, b = mt_.next_uint32() >> 6;
  return (a * 67108864.0 + b) / 9007199254740992.0;
}

double RandomState::uniform(double low, double high) { return low + (high - low) * random_sample(); }

double RandomState::standard_normal() {
  if (has_gauss_) {
    has_gauss_ = false;
    return gauss_;
  }
  double x1, x2, r2;
  do {
    x1 = 2.0 * random_sample() - 1.0;
    x2 = 2.0 * random_sample() - 1.0;
    r2 = x1 * x1 + x2 * x2;
  } while (r2 >= 1.0 || r2 == 0.0);
  const double f = std::sqrt(-2.0 * std::log(r2) / r2);
  gauss_ = f * x1;
  has_gauss_ = true;
  return f * x2;
}

uint64_t RandomState::random_interval(uint64_t max) {
  if (max == 0) return 0;
  uint64_t mask = max;
  mask |= mask >> 1;
  mask |= mask >> 2;
  mask |= mask >> 4;
  mask |= mask >> 8;
  mask |= mask >> 16;
  mask |= mask >> 32;
  uint64_t value;
  if (max <= 0xffffffffULL) {
    while ((value = (mt_.next_uint32() & mask)) > max) {
    }
  } else {
    while ((value = (next_uint64() & mask)) > max) {
    }
  }
  return value;
}

int64_t RandomState::randint(int64_t low, int64_t high) {
  if (high <= low) throw InputError("randint: low >= high");
  return low + static_cast<int64_t>(random_interval(static_cast<uint64_t>(high - low - 1)));
}

std::vector<int64_t> RandomState::randint(int64_t low, int64_t high, size_t size) {
  std::vector<int64_t> out(size);
  for (auto& v : out) v = randint(low, high);
  return out;
}

std::vector<int64_t> RandomState::permutation(int64_t n) {
  std::vector<int64_t> values(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) values[static_cast<size_t>(i)] = i;
  shuffle(values);
  return values;
}

std::vector<int64_t> RandomState::choice(const std::vector<double>& weights, size_t size) {
  if (weights.empty()) throw InputError("choice: empty probability vector");
  std::vector<double> cdf(weights.size());
  double running = 0.0;
  for (size_t i = 0; i < weights.size(); ++i) cdf[i] = running += weights[i];
  const double total = cdf.back();
  for (double& c : cdf) c /= total;
  std::vector<int64_t> out(size);
  for (auto& v : out) {
    const double u = random_sample();
    v = std::upper_bound(cdf.begin(), cdf.end(), u) - cdf.begin();
  }
  return out;
}

namespace {
std::vector<uint32_t> python_seed_key(int64_t seed) {
  uint64_t magnitude = seed < 0 ? static_cast<uint64_t>(-(seed + 1)) + 1 : static_cast<uint64_t>(seed);
  std::vector<uint32_t> key;
  do {
    key.push_back(static_cast<uint32_t>(magnitude & 0xffffffffULL));
    magnitude >>= 32;
  } while (magnitude != 0);
  return key;
}
}  // namespace

PythonRandom::PythonRandom(int64_t seed) : mt_(python_seed_key(seed)) {}

uint32_t PythonRandom::getrandbits(int k) {
  assert(k >= 1 && k <= 32);
  return mt_.next_uint32() >> (32 - k);
}

size_t PythonRandom::choice_index(size_t n) {
  if (n == 0) throw InputError("choice: cannot choose from an empty sequence");
  int k = 0;
  for (size_t m = n; m != 0; m >>= 1) ++k;
  uint32_t r;
  do {
    r = getrandbits(k);
  } while (r >= n);
  return r;
}

}  // namespace oh
