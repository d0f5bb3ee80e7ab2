// `optim-hunter icl report|curve`: analyses of trained runs (issue 4 item 9). report writes one
// HTML page with every figure plus a CSV per figure beside it; curve prints one run's in-context
// learning curve over the context length.
#include <ATen/Parallel.h>

#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>

#include <CLI/CLI.hpp>

#include "apps/optim-hunter/commands.h"
#include "core/error.h"
#include "icl/analysis/icl_report.h"
#include "icl/gd_baselines.h"

namespace oh::cli {
namespace {

struct ReportArgs {
  std::vector<std::string> runs;
  std::string out;
  icl::analysis::IclReportOptions options;
  int threads = 1;
};

void check_counts(const char* command, int64_t tasks, int64_t max_context) {
  if (tasks < 0) throw InputError(std::string(command) + ": --tasks must be positive, got " + std::to_string(tasks));
  if (max_context < 0) throw InputError(std::string(command) + ": --max-context must be positive, got " + std::to_string(max_context));
}

int run_report(const ReportArgs& a) {
  check_counts("icl report", a.options.tasks, a.options.max_context);
  if (a.options.interpolation_points < 2) throw InputError("icl report: --alphas must be ≥ 2");
  at::set_num_threads(a.threads);
  const auto runs = icl::analysis::load_runs(a.runs);
  const auto analyses = icl::analysis::analyze_runs(runs, a.options);
  for (const std::string& path : icl::analysis::write_icl_report(analyses, a.out)) std::fprintf(stderr, "icl report: wrote %s\n", path.c_str());
  return 0;
}

struct CurveArgs {
  std::string run;
  int64_t tasks = 0, max_context = 0;
  int threads = 1;
  bool json = false;
};

int run_curve(const CurveArgs& a) {
  check_counts("icl curve", a.tasks, a.max_context);
  at::set_num_threads(a.threads);
  const auto runs = icl::analysis::load_runs({a.run});
  const icl::TrainConfig& config = runs.front().trained.config;
  const icl::LinearTasks search = icl::analysis::line_search_tasks(config, config.line_search_tasks);
  const double eta = icl::line_search_gd_eta(search, config.layers).eta;
  const int64_t tasks = a.tasks > 0 ? a.tasks : config.eval_tasks;
  const int64_t max_context = a.max_context > 0 ? a.max_context : 2 * config.task_config.context_size;
  const auto curve = icl::analysis::context_curve(runs.front().trained.model, config, {max_context, tasks, eta, config.layers});
  nlohmann::json points = nlohmann::json::array();
  for (const auto& p : curve) {
    nlohmann::json row = {{"n_context", p.context_size}, {"model_loss", p.model_loss}, {"gd_loss", p.gd_loss},
                          {"least_squares_loss", p.least_squares_loss}};
    if (p.ridge_loss) row["ridge_loss"] = *p.ridge_loss;
    points.push_back(row);
  }
  const nlohmann::json out = {{"run", a.run}, {"layers", config.layers}, {"gd_steps", config.layers}, {"gd_eta", eta},
                              {"trained_context", config.task_config.context_size}, {"tasks", tasks}, {"points", points}};
  if (a.json) {
    emit(out.dump() + "\n", "");
    return 0;
  }
  std::printf("run %s: %d layers, GD %d steps at η = %.6g, %lld tasks per N\n", a.run.c_str(), config.layers, config.layers, eta,
              static_cast<long long>(tasks));
  std::printf("%4s %14s %14s %14s %14s\n", "N", "model", "gd", "least_squares", "ridge");
  for (const auto& p : curve)
    std::printf("%4lld %14.6g %14.6g %14.6g %14s\n", static_cast<long long>(p.context_size), p.model_loss, p.gd_loss, p.least_squares_loss,
                p.ridge_loss ? std::to_string(*p.ridge_loss).c_str() : "-");
  return 0;
}

}  // namespace

std::function<std::optional<int>()> add_icl_report_commands(CLI::App* icl_cmd) {
  auto report = std::make_shared<ReportArgs>();
  auto* report_cmd = icl_cmd->add_subcommand("report", "HTML report (plus a CSV per figure) of trained runs against GD, GD++ and least squares");
  report_cmd->add_option("--run", report->runs, "Run directory written by icl train (repeat for several runs)")->required();
  report_cmd->add_option("--out", report->out, "Report file (.html); the CSVs go beside it")->required();
  report_cmd->add_option("--tasks", report->options.tasks, "Evaluation tasks (default: the runs' count)");
  report_cmd->add_option("--line-search-tasks", report->options.line_search_tasks, "Tasks for GD/GD++ step sizes (default: the runs' count)");
  report_cmd->add_option("--max-context", report->options.max_context, "Context curve up to this N (default 2N)");
  report_cmd->add_option("--alphas", report->options.interpolation_points, "Points on the interpolation path")->capture_default_str();
  report_cmd->add_option("--threads", report->threads, "libtorch intra-op threads")->capture_default_str();

  auto curve = std::make_shared<CurveArgs>();
  auto* curve_cmd = icl_cmd->add_subcommand("curve", "In-context learning curve of a run over the context length, against GD and least squares");
  curve_cmd->add_option("--run", curve->run, "Run directory written by icl train")->required();
  curve_cmd->add_option("--tasks", curve->tasks, "Tasks per context length (default: the run's eval count)");
  curve_cmd->add_option("--max-context", curve->max_context, "Up to this N (default 2N)");
  curve_cmd->add_option("--threads", curve->threads, "libtorch intra-op threads")->capture_default_str();
  curve_cmd->add_flag("--json", curve->json, "Print one JSON document");

  return [=]() -> std::optional<int> {
    if (report_cmd->parsed()) return run_report(*report);
    if (curve_cmd->parsed()) return run_curve(*curve);
    return std::nullopt;
  };
}

}  // namespace oh::cli
