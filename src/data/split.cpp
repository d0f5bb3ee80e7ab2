#include "data/split.h"

#include <cassert>

#include "core/error.h"
#include "core/numpy_random.h"

namespace oh::data {
namespace {

void take_rows(const Table& table, const std::vector<int64_t>& rows, size_t begin, size_t end, Matrix& X,
               Vector& y) {
  X.resize(static_cast<Eigen::Index>(end - begin), table.X.cols());
  y.resize(static_cast<Eigen::Index>(end - begin));
  for (size_t i = begin; i < end; ++i) {
    const auto out = static_cast<Eigen::Index>(i - begin);
    X.row(out) = table.X.row(rows[i]);
    y(out) = table.y(rows[i]);
  }
}

}  // namespace

Split train_test_split(const Table& table, int test_size, uint32_t seed) {
  const int64_t n = table.X.rows();
  if (test_size <= 0 || test_size >= n) {
    throw InputError("train_test_split: test_size " + std::to_string(test_size) + " must be in [1, " +
                     std::to_string(n - 1) + "] for " + std::to_string(n) + " rows");
  }
  const auto perm = RandomState(seed).permutation(n);
  Split split;
  take_rows(table, perm, 0, static_cast<size_t>(test_size), split.X_test, split.y_test);
  take_rows(table, perm, static_cast<size_t>(test_size), perm.size(), split.X_train, split.y_train);
  return split;
}

Split head_split(const Table& table, int n_train, int n_test) {
  assert(n_train + n_test <= table.X.rows());
  Split split;
  split.X_train = table.X.topRows(n_train);
  split.y_train = table.y.head(n_train);
  split.X_test = table.X.middleRows(n_train, n_test);
  split.y_test = table.y.segment(n_train, n_test);
  return split;
}

Matrix head_rows(const Matrix& X, int rows) {
  assert(rows <= X.rows());
  return X.topRows(rows);
}

Vector head_rows(const Vector& y, int rows) {
  assert(rows <= y.size());
  return y.head(rows);
}

}  // namespace oh::data
