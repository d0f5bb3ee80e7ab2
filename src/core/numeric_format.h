#pragma once
// numpy rounding and Python float formatting, bit for bit (DESIGN §4.1): prompts and rounded
// datasets must show exactly the digits the published runs showed.
#include <string>

namespace oh {

/// np.round(x, decimals): nearbyint(x * 10^d) / 10^d (half to even on the scaled value).
double np_round(double x, int decimals);

/// Python's repr(float): shortest round-trip digits, scientific when the decimal exponent
/// is < -4 or >= 16, a trailing ".0" on integral values, "nan", "inf", "-inf".
std::string py_repr(double x);

}  // namespace oh
