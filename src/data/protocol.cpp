#include "data/protocol.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/strings.h"
#include "data/split.h"

namespace oh::data {
namespace {

const std::vector<std::string> kOptimHunterDatasets = {"friedman1", "friedman2", "friedman3", "original2"};
constexpr int kOriginal2Rows = 96, kOriginal2Train = 64;
constexpr int kFairTrainRows = 50;

}  // namespace

const std::vector<std::string>& Protocol::names() {
  static const std::vector<std::string> names = {"fair", "optim_hunter", "llm4regression"};
  return names;
}

Protocol::Protocol(const ProtocolRequest& r)
    : name_(r.protocol), dataset_(r.dataset), seq_len_(r.seq_len), n_test_(r.n_test),
      csv_path_(r.csv_path), csv_target_(r.csv_target) {
  if (std::find(names().begin(), names().end(), name_) == names().end())
    throw InputError("unknown protocol '" + name_ + "' (valid: " + join(names()) + ")");
  if (seq_len_ < 1) throw InputError("--seq-len must be at least 1, got " + std::to_string(seq_len_));
  if (n_test_ < 1) throw InputError("--n-test must be at least 1, got " + std::to_string(n_test_));
  if (r.seeds.empty() && r.batches < 1) throw InputError("--batches must be at least 1, got " + std::to_string(r.batches));

  const bool is_csv = dataset_ == "csv";
  if (!is_csv) spec_ = &find_dataset(dataset_);
  const bool is_original2 = dataset_ == "original2";

  if (name_ == "fair") {
    data_decimals_ = 3;
    prompt_decimals_ = 3;
    answer_prefix_ = "Output: ";
    head_split_ = is_original2;
  } else if (name_ == "optim_hunter") {
    if (std::find(kOptimHunterDatasets.begin(), kOptimHunterDatasets.end(), dataset_) == kOptimHunterDatasets.end())
      throw InputError("protocol optim_hunter does not cover dataset '" + dataset_ +
                       "' (it was published on: " + join(kOptimHunterDatasets) + ")");
    if (n_test_ != 1)
      throw InputError("protocol optim_hunter fixes the test rows (friedman: 1, original2: 32); --n-test is not used");
    data_decimals_ = is_original2 ? -1 : 2;
    prompt_decimals_ = 3;
    answer_prefix_ = "Output: ";
    head_split_ = is_original2;
    fit_on_all_training_ = true;
    score_all_test_ = true;
  } else {  // llm4regression
    if (is_csv || dataset_ == "linear")
      throw InputError("protocol llm4regression does not cover dataset '" + dataset_ + "'");
    data_decimals_ = 2;
    prompt_decimals_ = 2;
    answer_prefix_ = "Output:";
    fixed_random_state_ = true;
  }

  if (is_csv) {
    if (csv_path_.empty()) throw InputError("dataset csv needs --csv PATH");
    csv_table_ = read_csv_table(csv_path_, csv_target_, &feature_names_);
    n_features_ = static_cast<int>(csv_table_.X.cols());
    n_rows_ = static_cast<int>(csv_table_.X.rows());
    n_test_rows_ = n_test_;
    n_train_ = n_rows_ - n_test_;
    if (n_train_ < 1)
      throw InputError("--n-test " + std::to_string(n_test_) + " leaves no training rows in " + csv_path_ + " (" +
                       std::to_string(n_rows_) + " rows)");
  } else {
    n_features_ = spec_->default_features;
    if (name_ == "llm4regression" && dataset_ == "friedman1") n_features_ = 5;
    if (name_ == "llm4regression" && dataset_ == "regression_ni33") n_features_ = 2;  // the published bug
    if (head_split_) {
      n_rows_ = kOriginal2Rows;
      n_train_ = kOriginal2Train;
      n_test_rows_ = kOriginal2Rows - kOriginal2Train;
    } else if (name_ == "optim_hunter") {
      n_train_ = kFairTrainRows;
      n_test_rows_ = 1;
      n_rows_ = n_train_ + n_test_rows_;
    } else if (name_ == "fair") {
      n_train_ = kFairTrainRows;
      n_test_rows_ = n_test_;
      n_rows_ = n_train_ + n_test_;
    } else {  // llm4regression: the data depend on seq_len
      n_train_ = seq_len_;
      n_test_rows_ = n_test_;
      n_rows_ = seq_len_ + n_test_;
    }
    for (int j = 0; j < n_features_; ++j) feature_names_.push_back("Feature " + std::to_string(j));
  }
  if (seq_len_ > n_train_)
    throw InputError("--seq-len " + std::to_string(seq_len_) + " is larger than the " + std::to_string(n_train_) +
                     " training rows of " + dataset_ + " under protocol " + name_);
  if (n_test_ > n_test_rows_)
    throw InputError("--n-test " + std::to_string(n_test_) + " is larger than the " + std::to_string(n_test_rows_) +
                     " test rows of " + dataset_ + " under protocol " + name_);

  if (!r.seeds.empty()) {
    seeds_ = r.seeds;
  } else {
    const uint32_t first = name_ == "llm4regression" ? 1 : 0;
    for (int b = 0; b < r.batches; ++b) seeds_.push_back(first + static_cast<uint32_t>(b));
  }
}

Table Protocol::table_for(uint32_t seed) const {
  if (!spec_) return csv_table_;
  GenerateOptions options;
  options.n_samples = n_rows_;
  options.n_features = n_features_;
  options.decimals = data_decimals_;
  return spec_->generate(seed, options);
}

Episode Protocol::episode(uint32_t seed) const {
  const Table table = table_for(seed);
  const Split split = head_split_ ? head_split(table, n_train_, n_test_rows_)
                                  : train_test_split(table, n_test_rows_, seed);
  Episode e;
  e.seed = seed;
  e.random_state = fixed_random_state_ ? 1u : seed;
  e.X_prompt = head_rows(split.X_train, seq_len_);
  e.y_prompt = head_rows(split.y_train, seq_len_);
  e.X_fit = fit_on_all_training_ ? split.X_train : e.X_prompt;
  e.y_fit = fit_on_all_training_ ? split.y_train : e.y_prompt;
  const int scored = score_all_test_ ? n_test_rows_ : n_test_;
  e.X_score = head_rows(split.X_test, scored);
  e.y_score = head_rows(split.y_test, scored);
  const int queried = score_all_test_ ? 1 : n_test_;  // optim_hunter asks the LLM about test row 0
  e.X_query = head_rows(split.X_test, queried);
  e.y_query = head_rows(split.y_test, queried);
  return e;
}

std::string Protocol::describe_json() const {
  nlohmann::json j{{"protocol", name_},
                   {"dataset", dataset_},
                   {"seq_len", seq_len_},
                   {"n_test", n_test_},
                   {"n_features", n_features_},
                   {"rows_per_seed", n_rows_},
                   {"train_rows", n_train_},
                   {"test_rows", n_test_rows_},
                   {"data_decimals", data_decimals_},
                   {"prompt_decimals", prompt_decimals_},
                   {"split", head_split_ ? "head" : "train_test_split"},
                   {"regressors_fit_on", fit_on_all_training_ ? "all training rows" : "first seq_len training rows"},
                   {"regressors_scored_on", score_all_test_ ? "all test rows" : "first n_test test rows"},
                   {"regressor_random_state", fixed_random_state_ ? "1" : "seed"},
                   {"answer_prefix", answer_prefix_}};
  if (!csv_path_.empty()) j["csv"] = {{"path", csv_path_}, {"target", csv_target_}};
  return j.dump();
}

}  // namespace oh::data
