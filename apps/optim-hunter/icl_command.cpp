// `optim-hunter icl gd|train|eval|probe`: the small-transformer lab (DESIGN §7). gd builds the GD
// construction and line-searches its η; train trains an LSA stack on linear regression, or a causal
// stack on linear dynamics (--task dynamics...), into a run directory; eval re-evaluates a regression
// run's checkpoint against GD on the fixed seeded eval set; probe fits linear probes per layer to a
// dynamics run's residual stream.
#include <ATen/Parallel.h>

#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>
#include <nlohmann/json.hpp>

#include "apps/optim-hunter/commands.h"
#include "core/error.h"
#include "icl/dynamics_training.h"
#include "icl/gd_summary.h"
#include "icl/linear_probes.h"
#include "icl/run_evaluation.h"
#include "icl/training.h"

namespace oh::cli {
namespace {

/// The linear-regression task's options (for `icl train` on dynamics, each is an error when given).
std::vector<CLI::Option*> add_task_options(CLI::App* cmd, icl::LinearTaskConfig& task) {
  return {cmd->add_option("--d", task.input_dim, "Input dimension d")->capture_default_str(),
          cmd->add_option("--n-context", task.context_size, "Context pairs N per task")->capture_default_str(),
          cmd->add_option("--x-low", task.x_low, "Inputs ~ U(x-low, x-high)^d")->capture_default_str(),
          cmd->add_option("--x-high", task.x_high, "Inputs ~ U(x-low, x-high)^d")->capture_default_str(),
          cmd->add_option("--teacher-scale", task.teacher_scale, "Teacher w ~ N(0, scale² I)")->capture_default_str(),
          cmd->add_option("--noise", task.noise_std, "Label noise standard deviation")->capture_default_str()};
}

nlohmann::json metrics_json(const icl::AlignmentMetrics& m) {
  return {{"eval_tasks", m.tasks},   {"eval_loss", m.eval_loss},   {"gd_loss", m.gd_loss}, {"loss_ratio", m.loss_ratio},
          {"preds_diff", m.preds_diff}, {"model_diff", m.model_diff}, {"model_cos", m.model_cos}};
}

void print_metrics(const nlohmann::json& j) {
  for (const char* key : {"step", "eval_tasks", "eval_loss", "gd_loss", "gd_eta", "loss_ratio", "preds_diff", "model_diff", "model_cos"})
    if (j.contains(key)) std::printf("%-11s %s\n", key, j[key].dump().c_str());
}

struct GdArgs {
  icl::GdSummaryConfig config;
  bool json = false;
};

int run_gd(const GdArgs& a) {
  const icl::GdSummary s = icl::summarize_gd(a.config);
  const icl::LinearTaskConfig& t = a.config.task;
  const nlohmann::json out = {{"d", t.input_dim}, {"n_context", t.context_size}, {"steps", a.config.steps},
                              {"tasks", a.config.tasks}, {"line_search_tasks", a.config.line_search_tasks},
                              {"eta", s.eta}, {"line_search_loss", s.line_search_loss}, {"gd_loss", s.gd_loss},
                              {"lsa_loss", s.lsa_loss}, {"lsa_vs_gd_max_abs_diff", s.lsa_vs_gd_max_abs_diff},
                              {"least_squares_loss", s.least_squares_loss}};
  if (a.json) {
    emit(out.dump() + "\n", "");
  } else {
    for (const auto& [key, value] : out.items()) std::printf("%-24s %s\n", key.c_str(), value.dump().c_str());
  }
  return 0;
}

// Settings of dynamics tasks; each applies only when given (the task's preset holds the defaults).
struct DynamicsArgs {
  int64_t length = 50;
  double process_noise_var = 0.01, observation_noise_var = 0.01, observation_var = 0.5, mlp_var = 1.1, ridge = 0.1;
  std::vector<std::pair<CLI::Option*, std::function<void(icl::DynamicsTrainConfig&)>>> given;
};

void add_dynamics_options(CLI::App* cmd, DynamicsArgs& d) {
  auto add = [&](const char* name, auto& field, const char* help, auto apply) {
    d.given.emplace_back(cmd->add_option(name, field, help)->capture_default_str(), apply);
  };
  add("--length", d.length, "Dynamics: sequence length T", [&d](icl::DynamicsTrainConfig& c) { c.dynamics.length = d.length; });
  add("--process-noise-var", d.process_noise_var, "Dynamics: variance of ε_h",
      [&d](icl::DynamicsTrainConfig& c) { c.dynamics.process_noise_var = d.process_noise_var; });
  add("--observation-noise-var", d.observation_noise_var, "Dynamics: variance of ε_s",
      [&d](icl::DynamicsTrainConfig& c) { c.dynamics.observation_noise_var = d.observation_noise_var; });
  add("--observation-var", d.observation_var, "Dynamics (partial): variance of C*'s entries",
      [&d](icl::DynamicsTrainConfig& c) { c.dynamics.observation_var = d.observation_var; });
  add("--mlp-var", d.mlp_var, "Dynamics (nonlinear): A, B entries have variance this / fan-in",
      [&d](icl::DynamicsTrainConfig& c) { c.dynamics.mlp_var = d.mlp_var; });
  add("--ridge", d.ridge, "Dynamics: ridge of the least-squares baseline", [&d](icl::DynamicsTrainConfig& c) { c.ridge = d.ridge; });
}

struct TrainArgs {
  icl::TrainConfig config;
  icl::TrainOptions options;
  DynamicsArgs dynamics;
  CLI::Option *batch = nullptr, *eval_tasks = nullptr;
  std::vector<CLI::Option*> linear_options;  // options of linear-regression runs only
  bool json = false;
};

// Dynamics runs keep the shared optimisation options; only the batch and eval-set sizes default smaller
// (T = 50 positions per sequence; the least-squares baseline holds an n_s × n_s Gram matrix per position).
constexpr int64_t kDynamicsBatch = 256, kDynamicsEvalSequences = 1000;

int run_train_dynamics(TrainArgs& a) {
  for (const CLI::Option* option : a.linear_options)
    if (option->count() > 0) throw InputError("icl train: " + option->get_name() + " applies to linear-regression tasks only");
  icl::TrainConfig training = a.config;
  if (a.batch->count() == 0) training.batch = kDynamicsBatch;
  if (a.eval_tasks->count() == 0) training.eval_tasks = kDynamicsEvalSequences;
  icl::DynamicsTrainConfig config = icl::DynamicsTrainConfig::from(training);
  for (const auto& [option, apply] : a.dynamics.given)
    if (option->count() > 0) apply(config);
  const icl::DynamicsTrainResult result = icl::train_dynamics(config, a.options);
  if (!result.finished) {
    std::fprintf(stderr, "icl train: stopped after step %lld as asked (--stop-after); rerun to resume\n", static_cast<long long>(result.step));
    return 0;
  }
  const icl::DynamicsMetrics& m = result.final_metrics;
  const nlohmann::json out = {{"step", result.step}, {"out", a.options.out_dir}, {"seconds", result.seconds},
                              {"eval_sequences", m.sequences}, {"eval_loss", m.eval_loss}, {"late_loss", m.late_loss},
                              {"copy_last_loss", m.copy_last_loss}, {"copy_last_late_loss", m.copy_last_late_loss},
                              {"least_squares_loss", m.least_squares_loss}, {"least_squares_late_loss", m.least_squares_late_loss}};
  if (a.json) {
    emit(out.dump() + "\n", "");
  } else {
    for (const auto& [key, value] : out.items()) std::printf("%-24s %s\n", key.c_str(), value.dump().c_str());
  }
  return 0;
}

int run_train(TrainArgs& a) {
  if (icl::DynamicsConfig::is_dynamics_task(a.config.task)) return run_train_dynamics(a);
  for (const auto& [option, apply] : a.dynamics.given)
    if (option->count() > 0) throw InputError("icl train: " + option->get_name() + " applies to dynamics tasks only");
  const icl::TrainResult result = icl::train_icl(a.config, a.options);
  if (!result.finished) {
    std::fprintf(stderr, "icl train: stopped after step %lld as asked (--stop-after); rerun to resume\n", static_cast<long long>(result.step));
    return 0;
  }
  nlohmann::json out = metrics_json(result.final_metrics);
  out["step"] = result.step, out["gd_eta"] = result.eta, out["out"] = a.options.out_dir, out["seconds"] = result.seconds;
  if (a.json)
    emit(out.dump() + "\n", "");
  else
    print_metrics(out);
  return 0;
}

struct EvalArgs {
  std::string run;
  int64_t tasks = 0;  // 0: the run's own eval set
  bool tasks_given = false;
  int threads = 1;
  bool json = false;
};

int run_eval(const EvalArgs& a) {
  if (a.tasks_given && a.tasks <= 0) throw InputError("icl eval: --tasks must be > 0, got " + std::to_string(a.tasks));
  at::set_num_threads(a.threads);
  const icl::TrainedRun run = icl::load_trained_run(a.run);
  const icl::RunEvaluator evaluator(run.config, a.tasks);
  nlohmann::json out = metrics_json(evaluator.evaluate(run.model));
  out["step"] = run.step, out["gd_eta"] = evaluator.eta(), out["run"] = a.run;
  if (a.json)
    emit(out.dump() + "\n", "");
  else
    print_metrics(out);
  return 0;
}

struct ProbeArgs {
  std::string run;
  int64_t sequences = 500;  // each of the fitting and the scoring set
  uint64_t seed = 7;
  double probe_ridge = 1e-6;
  int threads = 1;
  bool json = false;
};

int run_probe(const ProbeArgs& a) {
  if (a.sequences <= 0) throw InputError("icl probe: --sequences must be > 0, got " + std::to_string(a.sequences));
  at::set_num_threads(a.threads);
  const icl::DynamicsRun run = icl::load_dynamics_run(a.run);
  const icl::DynamicsConfig& task = run.config.dynamics;
  const icl::DynamicsSequences fit = icl::sample_dynamics(task, a.sequences, icl::derive_seed(a.seed, 1));
  const icl::DynamicsSequences score = icl::sample_dynamics(task, a.sequences, icl::derive_seed(a.seed, 2));
  const std::vector<icl::ProbeScore> scores = icl::probe_residual_stream(run.model, task, fit, score, run.config.ridge, a.probe_ridge);
  nlohmann::json probes = nlohmann::json::array();
  for (const icl::ProbeScore& p : scores) probes.push_back({{"hook", p.hook}, {"layer", p.layer}, {"target", p.target}, {"r2", p.r2}});
  if (a.json) {
    emit(nlohmann::json{{"run", a.run}, {"sequences", a.sequences}, {"seed", a.seed}, {"probe_ridge", a.probe_ridge}, {"probes", probes}}.dump() + "\n", "");
  } else {
    std::printf("%-28s %-16s %s\n", "hook", "target", "R2");
    for (const icl::ProbeScore& p : scores) std::printf("%-28s %-16s %.6f\n", p.hook.c_str(), p.target.c_str(), p.r2);
  }
  return 0;
}

}  // namespace

// icl report|curve (icl_report_command.cpp): runs the one that was parsed, if either.
std::function<std::optional<int>()> add_icl_report_commands(CLI::App* icl_cmd);
// icl sine|few-shot (icl_fewshot_command.cpp): runs the one that was parsed, if either.
std::function<std::optional<int>()> add_icl_fewshot_commands(CLI::App* icl_cmd);

Action add_icl_command(CLI::App& app) {
  auto* icl_cmd = app.add_subcommand("icl", "Small transformers learning in context: GD construction, training, evaluation");
  icl_cmd->require_subcommand(1);
  const auto analysis = add_icl_report_commands(icl_cmd);
  const auto fewshot = add_icl_fewshot_commands(icl_cmd);

  auto gd = std::make_shared<GdArgs>();
  auto* gd_cmd = icl_cmd->add_subcommand("gd", "The LSA construction of gradient descent and its line-searched step size");
  icl::GdSummaryConfig& g = gd->config;
  add_task_options(gd_cmd, g.task);
  gd_cmd->add_option("--steps", g.steps, "GD steps = stacked layers")->capture_default_str();
  gd_cmd->add_option("--tasks", g.tasks, "Evaluation tasks")->capture_default_str();
  gd_cmd->add_option("--line-search-tasks", g.line_search_tasks, "Tasks for the η line search")->capture_default_str();
  gd_cmd->add_option("--seed", g.seed, "Seed of the evaluation tasks")->capture_default_str();
  gd_cmd->add_option("--line-search-seed", g.line_search_seed, "Seed of the line-search tasks")->capture_default_str();
  gd_cmd->add_flag("--json", gd->json, "Print one JSON document");

  auto train = std::make_shared<TrainArgs>();
  icl::TrainConfig& c = train->config;
  auto* train_cmd = icl_cmd->add_subcommand("train", "Train an LSA stack into a run directory (resumes when DIR holds a checkpoint)");
  train_cmd->add_option("--task", c.task, "Task family (linear, dynamics, dynamics-partial, dynamics-nonlinear)")->capture_default_str();
  train_cmd->add_option("--model", c.model,
                        "Model: lsa for linear; for dynamics " + icl::stack_architecture_names() +
                            " with modifiers, e.g. softmax,no-mlp or hybrid,pos=sinusoidal (mlp, no-mlp, ln, no-ln, pos=none|learned|sinusoidal)")
      ->capture_default_str();
  train->linear_options = add_task_options(train_cmd, c.task_config);
  train_cmd->add_option("--layers", c.layers, "Layers K")->capture_default_str();
  train_cmd->add_option("--heads", c.heads, "Attention heads")->capture_default_str();
  train_cmd->add_option("--attn-dim", c.attn_dim, "Total key width, split over the heads (0 = heads × (d+1))")->capture_default_str();
  train_cmd->add_flag("--shared", c.shared_weights, "One set of weights for every layer");
  train_cmd->add_option("--init-std", c.init_std, "Initial weights ~ N(0, std²)")->capture_default_str();
  train_cmd->add_option("--optimizer", c.optimizer, "adam or adamw")->capture_default_str();
  train_cmd->add_option("--lr", c.lr, "Learning rate")->capture_default_str();
  train_cmd->add_option("--beta1", c.beta1, "Adam β1")->capture_default_str();
  train_cmd->add_option("--beta2", c.beta2, "Adam β2")->capture_default_str();
  train_cmd->add_option("--weight-decay", c.weight_decay, "Weight decay (L2 for adam, decoupled for adamw)")->capture_default_str();
  train_cmd->add_option("--clip-norm", c.clip_norm, "Clip the global gradient norm (0 = off)")->capture_default_str();
  train_cmd->add_option("--warmup", c.warmup_steps, "Linear warm-up steps")->capture_default_str();
  train_cmd->add_flag("--cosine", c.cosine, "Cosine decay of the learning rate after warm-up");
  train_cmd->add_option("--steps", c.steps, "Training steps")->capture_default_str();
  train->batch = train_cmd->add_option("--batch", c.batch, "Tasks per step (dynamics: 256 sequences)")->capture_default_str();
  train_cmd->add_option("--eval-every", c.eval_every, "Evaluate and checkpoint every k steps")->capture_default_str();
  train->eval_tasks = train_cmd->add_option("--eval-tasks", c.eval_tasks, "Fixed evaluation tasks (dynamics: 1000 sequences)")->capture_default_str();
  train_cmd->add_option("--eval-seed", c.eval_seed, "Seed of the evaluation tasks")->capture_default_str();
  train->linear_options.push_back(
      train_cmd->add_option("--line-search-tasks", c.line_search_tasks, "Tasks for GD's η line search")->capture_default_str());
  train->linear_options.push_back(
      train_cmd->add_option("--line-search-seed", c.line_search_seed, "Seed of the line-search tasks")->capture_default_str());
  train_cmd->add_option("--seed", c.seed, "Seed of the initial weights and training batches")->capture_default_str();
  train_cmd->add_option("--threads", train->options.threads, "libtorch intra-op threads")->capture_default_str();
  train_cmd->add_option("--stop-after", train->options.stop_after_steps, "End this session after this many steps (resume later)");
  train_cmd->add_option("--out", train->options.out_dir, "Run directory")->required();
  train_cmd->add_flag("--json", train->json, "Print the final metrics as one JSON document");
  add_dynamics_options(train_cmd, train->dynamics);

  auto eval = std::make_shared<EvalArgs>();
  auto* eval_cmd = icl_cmd->add_subcommand("eval", "Evaluate a run's checkpoint against GD on its fixed eval set");
  eval_cmd->add_option("--run", eval->run, "Run directory written by icl train")->required();
  auto* eval_tasks = eval_cmd->add_option("--tasks", eval->tasks, "Evaluation tasks (default: the run's count)");
  eval_cmd->add_option("--threads", eval->threads, "libtorch intra-op threads")->capture_default_str();
  eval_cmd->add_flag("--json", eval->json, "Print one JSON document");

  auto probe = std::make_shared<ProbeArgs>();
  auto* probe_cmd = icl_cmd->add_subcommand("probe", "Linear probes per layer on a dynamics run's residual stream (R² on held-out sequences)");
  probe_cmd->add_option("--run", probe->run, "Run directory written by icl train --task dynamics...")->required();
  probe_cmd->add_option("--sequences", probe->sequences, "Sequences to fit the probes on, and as many to score them")->capture_default_str();
  probe_cmd->add_option("--seed", probe->seed, "Seed of the probe sequences")->capture_default_str();
  probe_cmd->add_option("--probe-ridge", probe->probe_ridge, "Probe ridge, relative to the features' mean square")->capture_default_str();
  probe_cmd->add_option("--threads", probe->threads, "libtorch intra-op threads")->capture_default_str();
  probe_cmd->add_flag("--json", probe->json, "Print one JSON document");

  return [=] {
    eval->tasks_given = eval_tasks->count() > 0;
    if (const std::optional<int> code = analysis()) return *code;
    if (const std::optional<int> code = fewshot()) return *code;
    if (gd_cmd->parsed()) return run_gd(*gd);
    if (train_cmd->parsed()) return run_train(*train);
    if (probe_cmd->parsed()) return run_probe(*probe);
    return run_eval(*eval);
  };
}

}  // namespace oh::cli
