#pragma once
// scikit-learn's SVR() through libsvm 3.24, the library scikit-learn wraps: ε-SVR with an RBF
// kernel, C = 1, ε = 0.1, tol 1e-3, shrinking, 200 MB cache, γ = 'scale'.
#include <memory>
#include <vector>

#include "regress/regressor.h"

struct svm_model;
struct svm_node;

namespace oh::regress {

class SupportVectorRegression final : public Regressor {
 public:
  SupportVectorRegression();
  ~SupportVectorRegression() override;
  SupportVectorRegression(const SupportVectorRegression&) = delete;
  SupportVectorRegression& operator=(const SupportVectorRegression&) = delete;
  void fit(const Matrix& X, const Vector& y) override;
  Vector predict(const Matrix& X) const override;
  double gamma() const { return gamma_; }

 private:
  void release();

  double gamma_ = 0.0;
  Eigen::Index n_features_ = 0;
  std::vector<svm_node> nodes_;   // training rows; the model's support vectors point into them
  std::vector<svm_node*> rows_;
  std::vector<double> targets_;
  svm_model* model_ = nullptr;
};

}  // namespace oh::regress
