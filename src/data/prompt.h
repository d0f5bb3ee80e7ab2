#pragma once
// The text prompt of DESIGN §4.4: an instruction, the in-context examples, then the query.
#include <string>
#include <vector>

#include "data/dataset.h"

namespace oh::data {

struct PromptFormat {
  int decimals = 3;                    // numbers are np.round(v, decimals) printed with Python's repr
  std::string answer_prefix = "Output: ";
  std::vector<std::string> feature_names;  // "Feature 0", ...
};

/// The instruction line and the five newlines after it.
extern const char* const kPromptInstruction;

/// One prompt: the examples (X, y) joined by blank lines, then the query row and `answer_prefix`.
std::string render_prompt(const Matrix& X_examples, const Vector& y_examples, const Eigen::RowVectorXd& query,
                          const PromptFormat& format);

}  // namespace oh::data
