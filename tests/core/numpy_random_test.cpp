// numpy's RandomState, Python's random.Random and float formatting against live numpy/Python
// (tests/reference/numpy_draws.py): every value must be bit-identical.
#include <gtest/gtest.h>

#include <limits>

#include "core/error.h"
#include "core/numeric_format.h"
#include "core/numpy_random.h"
#include "support/sklearn_reference.h"

namespace {

const nlohmann::json& reference() {
  static const nlohmann::json ref = oh::testing::run_python_reference("numpy_draws.py");
  return ref;
}

template <typename T>
std::vector<T> as_vector(const nlohmann::json& j) { return j.get<std::vector<T>>(); }

}  // namespace

TEST(RandomState, MatchesNumpyBitForBit) {
  for (const auto& draws : reference()["random_state"]) {
    const uint32_t seed = draws["seed"].get<uint32_t>();
    SCOPED_TRACE("seed " + std::to_string(seed));
    oh::RandomState rs(seed);
    for (double v : as_vector<double>(draws["random_sample"])) EXPECT_EQ(rs.random_sample(), v);
    for (double v : as_vector<double>(draws["uniform"])) EXPECT_EQ(rs.uniform(3.0, 7.0), v);
    const auto mixed = as_vector<double>(draws["normal_then_sample"]);
    EXPECT_EQ(rs.standard_normal(), mixed[0]);
    EXPECT_EQ(rs.random_sample(), mixed[1]);
    EXPECT_EQ(rs.standard_normal(), mixed[2]);  // the cached value survives the uniform draw
    EXPECT_EQ(rs.standard_normal(), mixed[3]);
    EXPECT_EQ(rs.permutation(10), as_vector<int64_t>(draws["permutation"]));
    EXPECT_EQ(rs.randint(0, 100, 5), as_vector<int64_t>(draws["randint"]));
    EXPECT_EQ(rs.randint(0, 2147483647), draws["randint_int32max"].get<int64_t>());
    EXPECT_EQ(rs.randint(0, int64_t{1} << 40, 3), as_vector<int64_t>(draws["randint_wide"]));
    EXPECT_EQ(rs.choice({0.1, 0.2, 0.3, 0.15, 0.25}, 8), as_vector<int64_t>(draws["choice_p"]));
    std::vector<int64_t> shuffled{0, 1, 2, 3, 4, 5, 6};
    rs.shuffle(shuffled);
    EXPECT_EQ(shuffled, as_vector<int64_t>(draws["shuffle"]));
  }
}

TEST(PythonRandom, ChoiceMatchesPython) {
  for (const auto& item : reference()["python_choice"]) {
    oh::PythonRandom r(item["seed"].get<int64_t>());
    const size_t n = item["n"].get<size_t>();
    for (size_t expected : as_vector<size_t>(item["picks"])) EXPECT_EQ(r.choice_index(n), expected);
  }
}

TEST(PythonRandom, EmptySequenceIsAnError) {
  oh::PythonRandom r(0);
  EXPECT_THROW(r.choice_index(0), oh::InputError);
}

TEST(NumericFormat, ReprMatchesPython) {
  for (const auto& pair : reference()["repr"]) {
    EXPECT_EQ(oh::py_repr(pair[0].get<double>()), pair[1].get<std::string>());
  }
  EXPECT_EQ(oh::py_repr(std::numeric_limits<double>::quiet_NaN()), "nan");
  EXPECT_EQ(oh::py_repr(-std::numeric_limits<double>::infinity()), "-inf");
}

TEST(NumericFormat, RoundMatchesNumpy) {
  for (const auto& item : reference()["np_round"]) {
    const double v = item[0].get<double>();
    const int d = item[1].get<int>();
    EXPECT_EQ(oh::np_round(v, d), item[2].get<double>()) << v << " to " << d << " decimals";
  }
}

TEST(NumericFormat, RoundIsNotPrintfRounding) {
  // 2.675 is 2.67499999... in binary: printf gives 2.67, np.round scales first and gives 2.68.
  EXPECT_EQ(oh::np_round(2.675, 2), 2.68);
}
