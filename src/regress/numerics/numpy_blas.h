#pragma once
// numpy's products, dispatched to BLAS exactly as numpy 1.24 dispatches them (matmul's gufunc
// loop in umath/matmul.c.src, np.dot's cblas_matrixproduct in common/cblasfuncs.c): the same
// routine (ddot, dgemv, dgemm or dsyrk), the same layout, transposes and leading dimensions.
// Linked against the BLAS numpy uses (libblas.so.3), the results are bit-identical to numpy's,
// which is what lets rounding-sensitive fits agree with scikit-learn (DESIGN §4.5).
#include <Eigen/Core>

namespace oh::regress::numerics {

/// A C-ordered numpy 2-D array.
using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// A 2-D array as numpy describes it: shape and per-axis strides, in elements.
struct ArrayView {
  const double* data;
  Eigen::Index rows, cols;
  Eigen::Index row_stride, col_stride;
  /// numpy's `.T`: the same memory with axes (and strides) swapped.
  ArrayView t() const { return {data, cols, rows, col_stride, row_stride}; }
};

/// A C-ordered array (RowMatrix) or a Fortran-ordered one (Eigen's default column-major).
ArrayView view(const RowMatrix& a);
ArrayView view(const Eigen::MatrixXd& a);

/// a @ b (np.matmul) for 2-D a and b; the result is C-ordered like numpy's.
RowMatrix matmul(const ArrayView& a, const ArrayView& b);
/// a @ v (np.matmul) for 2-D a and 1-D v.
Eigen::VectorXd matmul(const ArrayView& a, const Eigen::VectorXd& v);

/// np.dot(a, v) for 2-D a and 1-D v.
Eigen::VectorXd dot(const ArrayView& a, const Eigen::VectorXd& v);
/// np.dot(u, v) for 1-D u and v.
double dot(const Eigen::VectorXd& u, const Eigen::VectorXd& v);

}  // namespace oh::regress::numerics
