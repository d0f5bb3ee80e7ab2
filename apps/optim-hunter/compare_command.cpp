// `optim-hunter compare`: the regressor zoo over the seeds of a protocol (DESIGN §4.3).
#include <fmt/format.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "apps/optim-hunter/commands.h"
#include "core/error.h"
#include "experiments/compare.h"

namespace oh::cli {
namespace {

struct CompareArgs {
  experiments::CompareOptions options;
  std::string seeds;
  int64_t seed = -1;
  double constant = 0.0;
  bool json = false;
};

std::string summary_table(const experiments::CompareOutcome& outcome) {
  std::string out = fmt::format("{:<28} {:>4} {:>16} {:>16} {:>14} {:>9} {:>5} {:>8}\n", "method", "n", "mean_mse",
                                "median_mse", "mean_mae", "mean_rank", "wins", "failures");
  for (const auto& m : outcome.summary)
    out += fmt::format("{:<28} {:>4} {:>16.6f} {:>16.6f} {:>14.6f} {:>9.3f} {:>5} {:>8}\n", m.method, m.n, m.mean_mse,
                       m.median_mse, m.mean_mae, m.mean_rank, m.wins, m.failures);
  return out;
}

}  // namespace

Action add_compare_command(CLI::App& app) {
  auto args = std::make_shared<CompareArgs>();
  auto& o = args->options;
  auto* cmd = app.add_subcommand("compare", "Run the regressor zoo over the seeds of a protocol preset");
  cmd->add_option("--dataset", o.protocol.dataset, "Dataset name (see `optim-hunter datasets`), or csv")
      ->capture_default_str();
  cmd->add_option("--protocol", o.protocol.protocol, "Preset: fair, optim_hunter, llm4regression")
      ->capture_default_str();
  cmd->add_option("--seq-len", o.protocol.seq_len, "In-context examples (training rows) per seed")
      ->capture_default_str();
  cmd->add_option("--batches", o.protocol.batches, "Number of seeds (0..B-1; llm4regression: 1..B)")
      ->capture_default_str();
  cmd->add_option("--seeds", args->seeds, "Explicit seeds, e.g. 0,5,7 or 0-99 (overrides --batches)");
  cmd->add_option("--seed", args->seed, "A single seed (same as --seeds S)");
  cmd->add_option("--n-test", o.protocol.n_test, "Test rows scored per seed")->capture_default_str();
  cmd->add_option("--regressors", o.regressors, "Comma-separated names, or all")->capture_default_str();
  cmd->add_option("--out", o.out_dir, "Run directory (created; reruns resume from its store)")
      ->default_str("runs/<dataset>-<protocol>");
  cmd->add_option("--threads", o.threads, "Worker threads over seeds (0: all cores)")->capture_default_str();
  cmd->add_option("--constant", args->constant, "Prediction of the `constant` baseline");
  cmd->add_option("--gd-steps", o.gd_steps, "gd_regression: gradient steps")->capture_default_str();
  cmd->add_option("--gd-lr", o.gd_lr, "gd_regression: learning rate")->capture_default_str();
  cmd->add_option("--csv", o.protocol.csv_path, "CSV file for --dataset csv (header row)");
  cmd->add_option("--target", o.protocol.csv_target, "Target column of the CSV (default: the last)");
  cmd->add_flag("--json", args->json, "Print one JSON document on stdout");
  return [args, cmd] {
    auto& o = args->options;
    if (!args->seeds.empty() && args->seed >= 0) throw InputError("give --seeds or --seed, not both");
    if (!args->seeds.empty()) o.protocol.seeds = parse_seed_list(args->seeds);
    if (args->seed >= 0) o.protocol.seeds = parse_seed_list(std::to_string(args->seed));
    if (cmd->count("--constant")) o.constant = args->constant;
    if (o.out_dir.empty()) o.out_dir = "runs/" + o.protocol.dataset + "-" + o.protocol.protocol;
    const auto outcome = experiments::run_compare(o);
    if (args->json) {
      nlohmann::json summary = nlohmann::json::array();
      for (const auto& m : outcome.summary)
        summary.push_back({{"method", m.method}, {"n", m.n}, {"mean_mse", m.mean_mse}, {"median_mse", m.median_mse},
                           {"mean_mae", m.mean_mae}, {"mean_rank", m.mean_rank}, {"wins", m.wins},
                           {"failures", m.failures}});
      nlohmann::json doc{{"run_dir", o.out_dir},
                         {"summary", summary},
                         {"computed", outcome.computed},
                         {"reused", outcome.reused},
                         {"seconds", outcome.seconds}};
      emit(doc.dump(2) + "\n", "");
    } else {
      emit(summary_table(outcome), "");
      std::fprintf(stderr, "wrote %s/{results.csv,summary.csv,run.json,report.html} (%d computed, %d reused, %.1fs)\n",
                   o.out_dir.c_str(), outcome.computed, outcome.reused, outcome.seconds);
    }
    return 0;
  };
}

}  // namespace oh::cli
