#pragma once
// The protocol presets of DESIGN §4.3: which rows every method sees and is scored on, per seed.
#include <cstdint>
#include <string>
#include <vector>

#include "data/dataset.h"

namespace oh::data {

/// What the user asked for (command-line options of `compare`).
struct ProtocolRequest {
  std::string dataset = "friedman2";
  std::string protocol = "fair";
  int seq_len = 25;
  int batches = 100;
  std::vector<uint32_t> seeds;  // overrides `batches` when non-empty
  int n_test = 1;
  std::string csv_path;         // dataset "csv"
  std::string csv_target;       // empty: the last column
};

/// One seed's rows, as each kind of method sees them.
struct Episode {
  uint32_t seed = 0;
  uint32_t random_state = 0;   // the regressors' random_state
  Matrix X_fit;                // rows the classical regressors are fitted on
  Vector y_fit;
  Matrix X_score;              // rows every classical regressor is scored on
  Vector y_score;
  Matrix X_prompt;             // the LLM's in-context examples (first seq_len training rows)
  Vector y_prompt;
  Matrix X_query;              // the rows the LLM is asked about, one prompt each
  Vector y_query;
};

/// A validated preset bound to one dataset; building an episode cannot fail on bad options.
class Protocol {
 public:
  /// Validates the request (unknown names, a preset that does not cover the dataset, seq_len or
  /// n_test larger than the data) and throws InputError with the valid choices.
  explicit Protocol(const ProtocolRequest& request);

  Episode episode(uint32_t seed) const;

  const std::string& name() const { return name_; }
  const std::string& dataset() const { return dataset_; }
  const std::vector<uint32_t>& seeds() const { return seeds_; }
  int seq_len() const { return seq_len_; }
  int n_test() const { return n_test_; }
  int n_features() const { return n_features_; }
  int data_decimals() const { return data_decimals_; }
  int prompt_decimals() const { return prompt_decimals_; }
  /// The prompt's last line: "Output: " (fair, optim_hunter) or "Output:" (llm4regression).
  const std::string& answer_prefix() const { return answer_prefix_; }
  /// Feature names for prompts and tables ("Feature 0", … or a CSV's header).
  const std::vector<std::string>& feature_names() const { return feature_names_; }
  /// A description of every setting, for run.json and the resume key.
  std::string describe_json() const;

  static const std::vector<std::string>& names();

 private:
  Table table_for(uint32_t seed) const;

  std::string name_, dataset_;
  std::vector<uint32_t> seeds_;
  int seq_len_, n_test_, n_features_ = 0, data_decimals_ = 0, prompt_decimals_ = 0;
  int n_rows_ = 0;       // rows generated per seed
  int n_train_ = 0;      // training rows after the split
  int n_test_rows_ = 0;  // test rows after the split
  bool head_split_ = false;        // original2 under fair/optim_hunter: [0:64] train, [64:96] test
  bool fit_on_all_training_ = false;  // optim_hunter: regressors see every training row
  bool score_all_test_ = false;       // optim_hunter: regressors scored on every test row
  bool fixed_random_state_ = false;   // llm4regression: random_state = 1
  std::string answer_prefix_;
  std::vector<std::string> feature_names_;
  const DatasetSpec* spec_ = nullptr;
  Table csv_table_;
  std::string csv_path_, csv_target_;
};

}  // namespace oh::data
