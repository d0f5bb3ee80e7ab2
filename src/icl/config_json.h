#pragma once
// run.json's "config" object (run_loop.h): checked reading of its fields, and the settings that every lab
// run records whatever its task family.
#include <nlohmann/json.hpp>

#include <string>

#include "core/error.h"
#include "icl/train_config.h"

namespace oh::icl {

/// Reads fields of a config object; InputError naming `source` and the key for a missing or mistyped one.
class ConfigReader {
 public:
  /// InputError when `text` is not JSON.
  ConfigReader(const std::string& text, std::string source);

  template <typename T>
  void operator()(const char* key, T& field) const {
    if (!json_.contains(key)) throw InputError(source_ + ": missing key '" + key + "'");
    try {
      json_.at(key).get_to(field);
    } catch (const nlohmann::json::exception&) {
      throw InputError(source_ + ": key '" + std::string(key) + "' has the wrong type");
    }
  }

 private:
  nlohmann::json json_;
  std::string source_;
};

/// Task and model names, layers, heads, init_std, the optimiser and its schedule, steps, batch,
/// eval_every and the seeds of the weights and the eval set (the eval set's size is recorded by each
/// family under its own key).
void write_shared_settings(const TrainConfig& config, nlohmann::json& json);
void read_shared_settings(const ConfigReader& read, TrainConfig& config);

}  // namespace oh::icl
