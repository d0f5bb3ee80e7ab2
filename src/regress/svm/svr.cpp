#include "regress/svm/svr.h"

#include <libsvm/svm.h>

#include <stdexcept>
#include <string>

#include "regress/numerics/numpy_reductions.h"

namespace oh::regress {
namespace {

void silent(const char*) {}

/// One dense row as libsvm's sparse nodes, every feature present (zeros too), then the -1 end.
void append_row(std::vector<svm_node>& nodes, const Matrix& X, Eigen::Index row) {
  for (Eigen::Index j = 0; j < X.cols(); ++j) nodes.push_back({static_cast<int>(j + 1), X(row, j)});
  nodes.push_back({-1, 0.0});
}

}  // namespace

SupportVectorRegression::SupportVectorRegression() {
  // libsvm reports progress on stdout by default; scikit-learn silences it too.
  static const bool silenced = [] {
    svm_set_print_string_function(&silent);
    return true;
  }();
  (void)silenced;
}

SupportVectorRegression::~SupportVectorRegression() { release(); }

void SupportVectorRegression::release() {
  if (model_) svm_free_and_destroy_model(&model_);
  model_ = nullptr;
}

void SupportVectorRegression::fit(const Matrix& X, const Vector& y) {
  if (X.rows() == 0 || X.rows() != y.size()) throw MethodFailure("svm: needs matching, non-empty X and y");
  release();
  n_features_ = X.cols();
  const double variance = numerics::variance_of_all(X);
  gamma_ = variance != 0.0 ? 1.0 / (static_cast<double>(X.cols()) * variance) : 1.0;

  nodes_.clear();
  nodes_.reserve(static_cast<size_t>(X.rows() * (X.cols() + 1)));
  for (Eigen::Index i = 0; i < X.rows(); ++i) append_row(nodes_, X, i);
  rows_.resize(static_cast<size_t>(X.rows()));
  for (Eigen::Index i = 0; i < X.rows(); ++i) rows_[i] = &nodes_[static_cast<size_t>(i * (X.cols() + 1))];
  targets_.assign(y.data(), y.data() + y.size());

  svm_problem problem{};
  problem.l = static_cast<int>(X.rows());
  problem.y = targets_.data();
  problem.x = rows_.data();
  svm_parameter param{};
  param.svm_type = EPSILON_SVR;
  param.kernel_type = RBF;
  param.degree = 3;
  param.gamma = gamma_;
  param.coef0 = 0.0;
  param.cache_size = 200;
  param.eps = 1e-3;
  param.C = 1.0;
  param.p = 0.1;
  param.shrinking = 1;
  param.probability = 0;
  if (const char* error = svm_check_parameter(&problem, &param)) throw MethodFailure(std::string("svm: ") + error);
  model_ = svm_train(&problem, &param);
}

Vector SupportVectorRegression::predict(const Matrix& X) const {
  if (!model_) throw std::logic_error("svm: predict before fit");
  if (X.cols() != n_features_)
    throw std::invalid_argument("svm: " + std::to_string(X.cols()) + " features, fitted on " +
                                std::to_string(n_features_));
  Vector out(X.rows());
  std::vector<svm_node> row;
  row.reserve(static_cast<size_t>(X.cols() + 1));
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    row.clear();
    append_row(row, X, i);
    out(i) = svm_predict(model_, row.data());
  }
  return out;
}

}  // namespace oh::regress
