#pragma once
// scikit-learn's train_test_split with an integer test_size (DESIGN §4.1).
#include <cstdint>

#include "data/dataset.h"

namespace oh::data {

struct Split {
  Matrix X_train, X_test;
  Vector y_train, y_test;
};

/// perm = RandomState(seed).permutation(n); test = perm[:test_size], train = perm[test_size:],
/// both in permutation order (the `last` baseline depends on it).
Split train_test_split(const Table& table, int test_size, uint32_t seed);

/// The first `n_train` rows train, the next `n_test` rows test, unshuffled (optim_hunter's original2).
Split head_split(const Table& table, int n_train, int n_test);

/// The first `rows` rows of a matrix/vector pair (a context window or the scored test rows).
Matrix head_rows(const Matrix& X, int rows);
Vector head_rows(const Vector& y, int rows);

}  // namespace oh::data
