#include "icl/train_config.h"

#include "icl/config_json.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "core/error.h"

namespace oh::icl {
namespace {

void require(bool ok, const std::string& message) {
  if (!ok) throw InputError("icl train: " + message);
}

bool finite_positive(double v) { return std::isfinite(v) && v > 0; }

}  // namespace

void TrainConfig::validate() const {
  require(task == "linear", "unknown task '" + task + "' (known: linear)");
  require(model == "lsa", "unknown model '" + model + "' (known: lsa)");
  task_config.validate();
  require(layers > 0, "layers must be > 0, got " + std::to_string(layers));
  require(heads > 0, "heads must be > 0, got " + std::to_string(heads));
  require(attn_dim >= 0, "attention width must be ≥ 0 (0 = heads × token dimension)");
  require(attn_dim % heads == 0,
          std::to_string(heads) + " heads do not divide the attention width " + std::to_string(attn_dim));
  require(std::isfinite(init_std) && init_std >= 0, "init std must be finite and ≥ 0");
  require(optimizer == "adam" || optimizer == "adamw", "unknown optimizer '" + optimizer + "' (known: adam, adamw)");
  require(finite_positive(lr), "learning rate must be finite and > 0");
  require(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1, "betas must lie in [0, 1)");
  require(finite_positive(adam_eps), "Adam epsilon must be finite and > 0");
  require(std::isfinite(weight_decay) && weight_decay >= 0, "weight decay must be finite and ≥ 0");
  require(std::isfinite(clip_norm) && clip_norm >= 0, "clip norm must be finite and ≥ 0 (0 = off)");
  require(steps > 0 && batch > 0, "steps and batch must be > 0");
  require(warmup_steps >= 0 && warmup_steps < steps, "warm-up steps must lie in [0, steps)");
  require(eval_every > 0 && eval_tasks > 0 && line_search_tasks > 0, "eval interval and task counts must be > 0");
}

double TrainConfig::learning_rate(int64_t step) const {
  if (step < warmup_steps) return lr * static_cast<double>(step + 1) / static_cast<double>(warmup_steps);
  if (!cosine) return lr;
  const double progress = static_cast<double>(step - warmup_steps) / static_cast<double>(steps - warmup_steps);
  return lr * 0.5 * (1 + std::cos(M_PI * progress));
}

ConfigReader::ConfigReader(const std::string& text, std::string source) : source_(std::move(source)) {
  json_ = nlohmann::json::parse(text, nullptr, false);
  if (json_.is_discarded()) throw InputError(source_ + ": not JSON");
}

void write_shared_settings(const TrainConfig& c, nlohmann::json& j) {
  j.update({{"task", c.task}, {"model", c.model}, {"layers", c.layers}, {"heads", c.heads}, {"init_std", c.init_std},
            {"optimizer", c.optimizer}, {"lr", c.lr}, {"beta1", c.beta1}, {"beta2", c.beta2}, {"adam_eps", c.adam_eps},
            {"weight_decay", c.weight_decay}, {"clip_norm", c.clip_norm}, {"warmup_steps", c.warmup_steps}, {"cosine", c.cosine},
            {"steps", c.steps}, {"batch", c.batch}, {"eval_every", c.eval_every}, {"seed", c.seed}, {"eval_seed", c.eval_seed}});
}

void read_shared_settings(const ConfigReader& get, TrainConfig& c) {
  get("task", c.task), get("model", c.model), get("layers", c.layers), get("heads", c.heads), get("init_std", c.init_std);
  get("optimizer", c.optimizer), get("lr", c.lr), get("beta1", c.beta1), get("beta2", c.beta2), get("adam_eps", c.adam_eps);
  get("weight_decay", c.weight_decay), get("clip_norm", c.clip_norm), get("warmup_steps", c.warmup_steps), get("cosine", c.cosine);
  get("steps", c.steps), get("batch", c.batch), get("eval_every", c.eval_every), get("seed", c.seed), get("eval_seed", c.eval_seed);
}

std::string to_json_text(const TrainConfig& c) {
  const LinearTaskConfig& t = c.task_config;
  nlohmann::json j = {{"d", t.input_dim}, {"n_context", t.context_size}, {"x_low", t.x_low}, {"x_high", t.x_high},
                      {"teacher_scale", t.teacher_scale}, {"noise_std", t.noise_std}, {"attn_dim", c.attn_dim},
                      {"shared_weights", c.shared_weights}, {"eval_tasks", c.eval_tasks}, {"line_search_tasks", c.line_search_tasks},
                      {"line_search_seed", c.line_search_seed}};
  write_shared_settings(c, j);
  return j.dump(2);
}

TrainConfig train_config_from_json_text(const std::string& text, const std::string& source) {
  const ConfigReader get(text, source);
  TrainConfig c;
  read_shared_settings(get, c);
  LinearTaskConfig& t = c.task_config;
  get("d", t.input_dim), get("n_context", t.context_size), get("x_low", t.x_low), get("x_high", t.x_high);
  get("teacher_scale", t.teacher_scale), get("noise_std", t.noise_std), get("attn_dim", c.attn_dim);
  get("shared_weights", c.shared_weights), get("eval_tasks", c.eval_tasks), get("line_search_tasks", c.line_search_tasks);
  get("line_search_seed", c.line_search_seed);
  c.validate();
  return c;
}

}  // namespace oh::icl
