#include "regress/numerics/numpy_reductions.h"

#include <cassert>
#include <vector>

namespace oh::regress::numerics {

double pairwise_sum(const double* a, Eigen::Index n, Eigen::Index stride) {
  constexpr Eigen::Index kBlock = 128;  // numpy's PW_BLOCKSIZE
  if (n < 8) {
    double sum = 0.0;
    for (Eigen::Index i = 0; i < n; ++i) sum += a[i * stride];
    return sum;
  }
  if (n <= kBlock) {
    double r[8];
    for (int j = 0; j < 8; ++j) r[j] = a[j * stride];
    Eigen::Index i = 8;
    for (; i < n - (n % 8); i += 8)
      for (int j = 0; j < 8; ++j) r[j] += a[(i + j) * stride];
    double sum = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) sum += a[i * stride];
    return sum;
  }
  Eigen::Index half = n / 2;
  half -= half % 8;
  return pairwise_sum(a, half, stride) + pairwise_sum(a + half * stride, n - half, stride);
}

double mean(const Eigen::VectorXd& values) {
  assert(values.size() > 0);
  return pairwise_sum(values.data(), values.size()) / static_cast<double>(values.size());
}

Eigen::RowVectorXd column_means(const Eigen::MatrixXd& X) {
  assert(X.rows() > 0);
  // numpy drops the length-1 axis of an (n, 1) array and reduces what is left as 1-D: pairwise.
  if (X.cols() == 1) return Eigen::RowVectorXd::Constant(1, pairwise_sum(X.data(), X.rows()) / static_cast<double>(X.rows()));
  Eigen::RowVectorXd sum = Eigen::RowVectorXd::Zero(X.cols());
  for (Eigen::Index i = 0; i < X.rows(); ++i) sum += X.row(i);
  return sum / static_cast<double>(X.rows());
}

double variance_of_all(const Eigen::MatrixXd& X) {
  const Eigen::Index n = X.size();
  assert(n > 0);
  std::vector<double> flat(static_cast<size_t>(n));
  for (Eigen::Index i = 0, k = 0; i < X.rows(); ++i)
    for (Eigen::Index j = 0; j < X.cols(); ++j) flat[k++] = X(i, j);
  const double mean_value = pairwise_sum(flat.data(), n) / static_cast<double>(n);
  for (double& v : flat) v = (v - mean_value) * (v - mean_value);
  return pairwise_sum(flat.data(), n) / static_cast<double>(n);
}

}  // namespace oh::regress::numerics
