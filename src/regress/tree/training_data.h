#pragma once
// The input checks scikit-learn's estimators make before fit and predict, shared by the tree
// ensembles.
#include <cmath>
#include <string>

#include "core/error.h"
#include "regress/regressor.h"

namespace oh::regress::tree {

/// Throws MethodFailure (recorded as failed:<reason>) when scikit-learn would refuse the data.
inline void check_training_data(const Matrix& X, const Vector& y, const char* method) {
  if (X.rows() == 0 || X.cols() == 0)
    throw MethodFailure(std::string(method) + ": needs at least one sample and one feature");
  if (X.rows() != y.size())
    throw MethodFailure(std::string(method) + ": X has " + std::to_string(X.rows()) + " rows but y has " +
                        std::to_string(y.size()) + " values");
  if (!X.allFinite() || !y.allFinite()) throw MethodFailure(std::string(method) + ": input contains NaN or infinity");
}

/// Throws InputError when the rows to predict do not have the fitted number of features.
inline void check_prediction_data(const Matrix& X, Eigen::Index fitted_features, const char* method) {
  if (fitted_features == 0) throw InputError(std::string(method) + ": predict called before fit");
  if (X.cols() != fitted_features)
    throw InputError(std::string(method) + ": X has " + std::to_string(X.cols()) + " features, but the model was fitted on " +
                     std::to_string(fitted_features));
}

}  // namespace oh::regress::tree
