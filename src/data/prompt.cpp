#include "data/prompt.h"

#include <cassert>

#include "core/numeric_format.h"

namespace oh::data {

const char* const kPromptInstruction =
    "The task is to provide your best estimate for \"Output\". Please provide that and only that, without any "
    "additional text.\n\n\n\n\n";

namespace {

std::string number(double v, int decimals) { return py_repr(np_round(v, decimals)); }

void append_features(std::string& out, const Eigen::RowVectorXd& row, const PromptFormat& format) {
  assert(static_cast<size_t>(row.size()) == format.feature_names.size());
  for (Eigen::Index j = 0; j < row.size(); ++j) {
    out += format.feature_names[static_cast<size_t>(j)] + ": " + number(row[j], format.decimals) + "\n";
  }
}

}  // namespace

std::string render_prompt(const Matrix& X_examples, const Vector& y_examples, const Eigen::RowVectorXd& query,
                          const PromptFormat& format) {
  assert(X_examples.rows() == y_examples.size());
  std::string out = kPromptInstruction;
  for (Eigen::Index i = 0; i < X_examples.rows(); ++i) {
    if (i) out += "\n\n";
    append_features(out, X_examples.row(i), format);
    out += "Output: " + number(y_examples(i), format.decimals);
  }
  out += "\n\n";
  append_features(out, query, format);
  // The answer prefix replaces the trailing "Output: <y>" of an example.
  out += format.answer_prefix;
  return out;
}

}  // namespace oh::data
