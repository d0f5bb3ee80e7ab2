#pragma once
// The reference the C++ L-BFGS-B is checked against: Debian's Fortran liblbfgsb (setulb_)
// driven exactly as scipy.optimize.minimize(method='L-BFGS-B') drives it. Tests only.
#include <vector>

#include "regress/mlp/lbfgsb.h"

namespace oh::testing {

regress::mlp::LbfgsbResult minimize_lbfgsb_fortran(const regress::mlp::Objective& objective, std::vector<double> x0,
                                                   const regress::mlp::LbfgsbOptions& options);

}  // namespace oh::testing
