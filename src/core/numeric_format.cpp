#include "core/numeric_format.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <system_error>

namespace oh {

double np_round(double x, int decimals) {
  if (decimals >= 0) {
    const double scale = std::pow(10.0, decimals);
    return std::nearbyint(x * scale) / scale;
  }
  const double scale = std::pow(10.0, -decimals);
  return std::nearbyint(x / scale) * scale;
}

std::string py_repr(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, x, std::chars_format::scientific);
  std::string scientific(buffer, result.ptr);  // e.g. "-1.2345e+02"
  const size_t e_pos = scientific.find('e');
  const int exponent = std::atoi(scientific.c_str() + e_pos + 1);
  std::string sign, digits;
  for (size_t i = 0; i < e_pos; ++i) {
    const char c = scientific[i];
    if (c == '-') sign = "-";
    else if (c != '.') digits += c;
  }
  if (exponent < -4 || exponent >= 16) {
    std::string mantissa = digits.substr(0, 1);
    if (digits.size() > 1) mantissa += "." + digits.substr(1);
    const std::string exp_digits = std::to_string(std::abs(exponent));
    return sign + mantissa + (exponent < 0 ? "e-" : "e+") + (exp_digits.size() < 2 ? "0" : "") + exp_digits;
  }
  const int point = exponent + 1;  // digits before the decimal point
  if (point <= 0) return sign + "0." + std::string(static_cast<size_t>(-point), '0') + digits;
  if (static_cast<size_t>(point) >= digits.size()) {
    return sign + digits + std::string(static_cast<size_t>(point) - digits.size(), '0') + ".0";
  }
  return sign + digits.substr(0, static_cast<size_t>(point)) + "." + digits.substr(static_cast<size_t>(point));
}

}  // namespace oh
