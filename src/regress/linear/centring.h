#pragma once
// scikit-learn's _preprocess_data with fit_intercept=True: linear models fit on centred X and y
// and recover the intercept as y_mean - x_mean · coef.
#include "regress/regressor.h"

namespace oh::regress {

struct CentredData {
  Matrix X;                 // X - x_mean
  Vector y;                 // y - y_mean
  Eigen::RowVectorXd x_mean;
  double y_mean = 0.0;
};

CentredData centre(const Matrix& X, const Vector& y);

/// The fitted affine model ŷ = X·coef + intercept shared by the linear models.
struct AffineModel {
  Vector coef;
  double intercept = 0.0;
  void set_from_centred(const CentredData& data, Vector coefficients);
  Vector predict(const Matrix& X) const;
};

/// Throws MethodFailure unless X and y are non-empty and have matching rows.
void check_training_data(const char* method, const Matrix& X, const Vector& y);

}  // namespace oh::regress
