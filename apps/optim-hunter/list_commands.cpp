// `optim-hunter regressors` and `optim-hunter datasets`: what the zoo and the generators contain.
#include <fmt/format.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "apps/optim-hunter/commands.h"
#include "data/dataset.h"
#include "regress/registry.h"

namespace oh::cli {
namespace {

struct ListArgs {
  bool json = false;
  std::string out;
};

CLI::App* add_list_options(CLI::App* cmd, ListArgs& args) {
  cmd->add_flag("--json", args.json, "Print one JSON document");
  cmd->add_option("--out", args.out, "Write the listing to this file instead of stdout");
  return cmd;
}

}  // namespace

Action add_regressors_command(CLI::App& app) {
  auto args = std::make_shared<ListArgs>();
  add_list_options(app.add_subcommand("regressors", "List the regressor zoo: library and agreement class"), *args);
  return [args] {
    const auto& specs = regress::all_regressors();
    if (args->json) {
      nlohmann::json list = nlohmann::json::array();
      for (const auto& s : specs)
        list.push_back({{"name", s.name}, {"library", s.library}, {"agreement", regress::agreement_name(s.agreement)},
                        {"hyperparameters", s.hyperparameters}, {"in_all", s.in_all}});
      emit(list.dump(2) + "\n", args->out);
      return 0;
    }
    std::string text = fmt::format("{:<28} {:<18} {:<12} {}\n", "name", "library", "agreement", "hyperparameters");
    for (const auto& s : specs)
      text += fmt::format("{:<28} {:<18} {:<12} {}{}\n", s.name, s.library, regress::agreement_name(s.agreement),
                          s.hyperparameters, s.in_all ? "" : "  [not in all]");
    emit(text, args->out);
    return 0;
  };
}

Action add_datasets_command(CLI::App& app) {
  auto args = std::make_shared<ListArgs>();
  add_list_options(app.add_subcommand("datasets", "List the synthetic datasets and their formulas"), *args);
  return [args] {
    const auto& specs = data::all_datasets();
    if (args->json) {
      nlohmann::json list = nlohmann::json::array();
      for (const auto& s : specs)
        list.push_back({{"name", s.name}, {"formula", s.formula}, {"features", s.default_features}});
      list.push_back({{"name", "csv"}, {"formula", "a user's CSV file (--csv PATH [--target NAME])"}});
      emit(list.dump(2) + "\n", args->out);
      return 0;
    }
    std::string text;
    for (const auto& s : specs) text += fmt::format("{:<18} {:>2} features  {}\n", s.name, s.default_features, s.formula);
    text += fmt::format("{:<18}              {}\n", "csv", "a user's CSV file (--csv PATH [--target NAME])");
    emit(text, args->out);
    return 0;
  };
}

}  // namespace oh::cli
