#pragma once
// numpy's summation orders, so that means and variances agree with scikit-learn to the last bit
// (DESIGN §4.1): np.sum over a contiguous 1-D array is pairwise with an 8-way unrolled block,
// while a reduction over axis 0 of a C-ordered 2-D array adds the rows one after the other.
#include <Eigen/Core>

namespace oh::regress::numerics {

/// numpy's pairwise_sum over n values spaced `stride` apart (what np.sum does on 1-D data).
double pairwise_sum(const double* values, Eigen::Index n, Eigen::Index stride = 1);

/// np.mean of a 1-D array: pairwise sum divided by the count.
double mean(const Eigen::VectorXd& values);

/// np.mean(X, axis=0) of a C-ordered matrix: rows added in order, then divided by n (pairwise
/// when X has a single column).
Eigen::RowVectorXd column_means(const Eigen::MatrixXd& X);

/// np.var(X) over every entry of X read in row-major order (SVR's gamma='scale').
double variance_of_all(const Eigen::MatrixXd& X);

}  // namespace oh::regress::numerics
