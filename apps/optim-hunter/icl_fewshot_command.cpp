// `optim-hunter icl sine|few-shot` (issue 4 item 10): sine regression through a learned MLP embedding
// and one LSA layer, compared with GD and least squares on the learned features; few-shot prompting of
// a trained dynamics run (early ascent, its least-squares control, EOS/prefix tuning with the model frozen).
#include <ATen/Parallel.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>

#include <CLI/CLI.hpp>

#include "apps/optim-hunter/commands.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "icl/dynamics_training.h"
#include "icl/few_shot.h"
#include "icl/sine_regression.h"

namespace oh::cli {
namespace {

struct SineArgs {
  icl::SineTrainConfig config;
  std::string out;
  int threads = 1;
  bool json = false;
};

int run_sine(const SineArgs& a) {
  if (a.threads <= 0) throw InputError("icl sine: --threads must be > 0");
  a.config.validate();
  std::error_code error;
  std::filesystem::create_directories(a.out, error);
  if (error) throw InputError("icl sine: cannot create " + a.out + ": " + error.message());
  at::set_num_threads(a.threads);
  const icl::SineTrainResult result = icl::train_sine(a.config, !a.json);
  const std::string text = icl::sine_metrics_json_text(a.config, result);
  write_file_atomically((std::filesystem::path(a.out) / "metrics.json").string(), text + "\n");
  if (a.json) {
    emit(nlohmann::json::parse(text).dump() + "\n", "");
    return 0;
  }
  const icl::SineMetrics& m = result.metrics;
  std::printf("eval_tasks          %lld\n", static_cast<long long>(m.tasks));
  std::printf("eval_loss           %.6g   (the trained MLP + LSA)\n", m.on_features.eval_loss);
  std::printf("zero_loss           %.6g   (ŷ = 0)\n", m.zero_loss);
  std::printf("gd_loss             %.6g   (1 GD step on the learned features, η = %.6g)\n", m.on_features.gd_loss, m.gd_eta);
  std::printf("least_squares_loss  %.6g   (least squares on the learned features)\n", m.least_squares_loss);
  std::printf("learned_gd_loss     %.6g   (the same MLP trained through one GD step instead of LSA)\n", m.learned_gd_loss);
  std::printf("loss_ratio          %.6g\npreds_diff          %.6g\nmodel_cos           %.6g\n", m.on_features.loss_ratio,
              m.on_features.preds_diff, m.on_features.model_cos);
  return 0;
}

struct FewShotArgs {
  std::string run;
  int64_t examples = 12, tasks = 1000, prefix = 2;
  uint64_t seed = 7;
  icl::PromptTuningConfig tuning;
  int threads = 1;
  bool json = false;
};

int run_few_shot(FewShotArgs a) {
  if (a.threads <= 0) throw InputError("icl few-shot: --threads must be > 0");
  if (a.tasks <= 0 || a.examples <= 0 || a.prefix <= 0)
    throw InputError("icl few-shot: --tasks, --examples and --prefix must be > 0");
  at::set_num_threads(a.threads);
  const icl::DynamicsRun run = icl::load_dynamics_run(a.run);
  if (run.config.dynamics.kind != icl::DynamicsKind::fully_observed)
    throw InputError("icl few-shot: " + a.run + " is a " + run.config.dynamics.kind_name() + " run; prompts need a fully observed one");
  const int64_t n = run.config.dynamics.state_dim;
  const double ridge = run.config.ridge;
  const icl::FewShotTasks eval = icl::sample_few_shot_tasks(n, a.examples, a.tasks, a.seed);
  a.tuning.examples = a.examples;
  auto variant = [&](bool eos, int64_t prefix) {
    icl::PromptTuningConfig c = a.tuning;
    c.eos = eos, c.prefix_length = prefix;
    return c;
  };
  const icl::FewShotPrompt random_eos = icl::initial_prompt(variant(true, 0), n);
  const icl::FewShotPrompt tuned_eos = icl::tune_prompt(run.model, variant(true, 0));
  const icl::FewShotPrompt tuned_prefix = icl::tune_prompt(run.model, variant(false, a.prefix));
  const icl::FewShotPrompt tuned_both = icl::tune_prompt(run.model, variant(true, a.prefix));
  const std::vector<std::pair<std::string, at::Tensor>> curves = {
      {"model", icl::model_few_shot_losses(run.model, eval, {})},
      {"model_random_eos", icl::model_few_shot_losses(run.model, eval, random_eos)},
      {"model_tuned_eos", icl::model_few_shot_losses(run.model, eval, tuned_eos)},
      {"model_tuned_prefix", icl::model_few_shot_losses(run.model, eval, tuned_prefix)},
      {"model_tuned_eos_prefix", icl::model_few_shot_losses(run.model, eval, tuned_both)},
      {"least_squares_all_pairs", icl::least_squares_few_shot_losses(eval, {}, ridge, true)},
      {"least_squares_all_pairs_tuned_eos", icl::least_squares_few_shot_losses(eval, tuned_eos, ridge, true)},
      {"least_squares_true_pairs", icl::least_squares_few_shot_losses(eval, {}, ridge, false)}};
  nlohmann::json out = {{"run", a.run},       {"examples", a.examples},        {"tasks", a.tasks}, {"seed", a.seed},
                        {"ridge", ridge},     {"prefix_length", a.prefix},     {"tune_steps", a.tuning.steps},
                        {"tune_batch", a.tuning.batch}, {"tune_lr", a.tuning.lr}, {"tune_seed", a.tuning.seed}};
  for (const auto& [name, losses] : curves) {
    const at::Tensor values = losses.detach().to(at::kDouble).contiguous();
    out["curves"][name] = std::vector<double>(values.data_ptr<double>(), values.data_ptr<double>() + values.numel());
  }
  if (a.json) {
    emit(out.dump() + "\n", "");
    return 0;
  }
  std::printf("few-shot ½‖ŷ − y‖² of %s by examples before the query (%lld tasks)\n%-36s", a.run.c_str(), static_cast<long long>(a.tasks), "");
  for (int64_t i = 0; i < a.examples; ++i) std::printf(" %7lld", static_cast<long long>(i));
  std::printf("\n");
  for (const auto& [name, losses] : curves) {
    std::printf("%-36s", name.c_str());
    for (double v : out["curves"][name].get<std::vector<double>>()) std::printf(" %7.3f", v);
    std::printf("\n");
  }
  return 0;
}

}  // namespace

std::function<std::optional<int>()> add_icl_fewshot_commands(CLI::App* icl_cmd) {
  auto sine = std::make_shared<SineArgs>();
  icl::SineTrainConfig& c = sine->config;
  auto* sine_cmd = icl_cmd->add_subcommand("sine", "Sine regression: MLP features + one LSA layer, against GD and least squares on the learned features");
  sine_cmd->add_option("--out", sine->out, "Directory for metrics.json")->required();
  sine_cmd->add_option("--steps", c.steps, "Training steps")->capture_default_str();
  sine_cmd->add_option("--seed", c.seed, "Seed of the initial weights and training batches")->capture_default_str();
  sine_cmd->add_option("--batch", c.batch, "Tasks per step")->capture_default_str();
  sine_cmd->add_option("--lr", c.lr, "Adam learning rate")->capture_default_str();
  sine_cmd->add_option("--hidden", c.hidden_dim, "MLP hidden width")->capture_default_str();
  sine_cmd->add_option("--features", c.feature_dim, "Learned feature width")->capture_default_str();
  sine_cmd->add_option("--n-context", c.task.context_size, "Context pairs N per task")->capture_default_str();
  sine_cmd->add_option("--eval-tasks", c.eval_tasks, "Fixed evaluation tasks")->capture_default_str();
  sine_cmd->add_option("--line-search-tasks", c.line_search_tasks, "Tasks for GD's η line search")->capture_default_str();
  sine_cmd->add_option("--threads", sine->threads, "libtorch intra-op threads")->capture_default_str();
  sine_cmd->add_flag("--json", sine->json, "Print the metrics as one JSON document");

  auto few = std::make_shared<FewShotArgs>();
  auto* few_cmd = icl_cmd->add_subcommand("few-shot", "Few-shot prompts on a dynamics run: early ascent, least-squares control, EOS/prefix tuning");
  few_cmd->add_option("--run", few->run, "Run directory written by icl train --task dynamics")->required();
  few_cmd->add_option("--examples", few->examples, "Examples K per prompt")->capture_default_str();
  few_cmd->add_option("--tasks", few->tasks, "Evaluation tasks")->capture_default_str();
  few_cmd->add_option("--seed", few->seed, "Seed of the evaluation tasks")->capture_default_str();
  few_cmd->add_option("--prefix", few->prefix, "Learned prefix length")->capture_default_str();
  few_cmd->add_option("--tune-steps", few->tuning.steps, "Prompt-tuning steps")->capture_default_str();
  few_cmd->add_option("--tune-batch", few->tuning.batch, "Prompt-tuning tasks per step")->capture_default_str();
  few_cmd->add_option("--tune-lr", few->tuning.lr, "Prompt-tuning Adam learning rate")->capture_default_str();
  few_cmd->add_option("--tune-seed", few->tuning.seed, "Seed of the initial EOS/prefix and the tuning batches")->capture_default_str();
  few_cmd->add_option("--threads", few->threads, "libtorch intra-op threads")->capture_default_str();
  few_cmd->add_flag("--json", few->json, "Print one JSON document");

  return [=]() -> std::optional<int> {
    if (sine_cmd->parsed()) return run_sine(*sine);
    if (few_cmd->parsed()) return run_few_shot(*few);
    return std::nullopt;
  };
}

}  // namespace oh::cli
