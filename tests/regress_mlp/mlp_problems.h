#pragma once
// Seeded regression problems with held-out targets for the MLP conformance tests, and the six
// architectures of the zoo (DESIGN §4.5).
#include <cstdint>
#include <string>
#include <vector>

#include "regress/regressor.h"
#include "support/sklearn_reference.h"

namespace oh::testing {

struct MlpArchitecture {
  std::string name;
  std::vector<int> hidden;
};

inline const std::vector<MlpArchitecture>& mlp_architectures() {
  static const std::vector<MlpArchitecture> list = {
      {"mlp_uat_1", {10}},      {"mlp_uat_2", {100}},         {"mlp_uat_3", {1000}},
      {"mlp_deep1", {10, 10}}, {"mlp_deep2", {10, 20, 10}}, {"mlp_deep3", {10, 20, 30, 20, 10}},
  };
  return list;
}

struct MlpProblem {
  regress::Matrix X_train, X_test;
  regress::Vector y_train, y_test;
};

/// The seed picks one of a few shapes like the zoo's data (25-50 rows, 1-10 features, inputs on
/// [0,1], [0,100] or [-5,5]); `random_problem` draws n_train + n_test rows and the last n_test
/// are held out with their targets.
inline MlpProblem mlp_problem(uint32_t seed, int n_test = 5) {
  struct Shape {
    int n_train, features;
    double low, high;
  };
  static const Shape shapes[] = {{25, 4, 0.0, 1.0}, {50, 10, 0.0, 1.0}, {40, 1, 0.0, 100.0}, {30, 3, -5.0, 5.0}};
  const Shape& s = shapes[seed % 4];
  const Problem all = random_problem(seed, s.n_train + n_test, 1, s.features, s.low, s.high, 3);
  MlpProblem p;
  p.X_train = all.X_train.topRows(s.n_train);
  p.y_train = all.y_train.head(s.n_train);
  p.X_test = all.X_train.bottomRows(n_test);
  p.y_test = all.y_train.tail(n_test);
  return p;
}

}  // namespace oh::testing
