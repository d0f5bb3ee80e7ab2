#include "experiments/compare.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/atomic_file.h"
#include "core/csv_writer.h"
#include "core/error.h"
#include "core/hash.h"
#include "core/numeric_format.h"
#include "core/progress.h"
#include "experiments/build_info.h"
#include "experiments/summary.h"
#include "regress/registry.h"
#include "store/run_store.h"

namespace oh::experiments {
namespace {

using Clock = std::chrono::steady_clock;

/// Bumped whenever a change alters any regressor's or dataset's numbers, so stored results are
/// recomputed rather than trusted.
constexpr const char* kNumericsVersion = "numerics-1";

std::string episode_fingerprint(const data::Episode& e) {
  std::string bytes;
  for (const auto* m : {&e.X_fit, &e.X_score})
    for (Eigen::Index i = 0; i < m->size(); ++i) append_bits(bytes, m->data()[i]);
  for (const auto* v : {&e.y_fit, &e.y_score})
    for (Eigen::Index i = 0; i < v->size(); ++i) append_bits(bytes, v->data()[i]);
  bytes += "|rs=" + std::to_string(e.random_state);
  return content_hash(bytes);
}

std::string resume_key(const std::string& config, const std::string& fingerprint, const regress::RegressorSpec& spec,
                       const regress::RegressorOptions& options) {
  std::string bytes = std::string(kNumericsVersion) + "|" + config + "|" + fingerprint + "|" + spec.name + "|" +
                      spec.hyperparameters + "|";
  if (spec.option_values) bytes += spec.option_values(options);
  return content_hash(bytes);
}

/// Fits and predicts one method on one seed; a failure becomes a status, never an exception.
store::MethodRecord run_method(const regress::RegressorSpec& spec, const regress::RegressorOptions& options,
                               const data::Episode& e) {
  store::MethodRecord record;
  record.seed = e.seed;
  record.method = spec.name;
  const auto start = Clock::now();
  try {
    auto regressor = spec.make(options);
    regressor->fit(e.X_fit, e.y_fit);
    const regress::Vector prediction = regressor->predict(e.X_score);
    if (prediction.size() != e.y_score.size()) throw std::logic_error("prediction has the wrong length");
    if (!prediction.allFinite()) throw regress::MethodFailure("non-finite prediction");
    record.predictions.assign(prediction.data(), prediction.data() + prediction.size());
    record.status = "ok";
  } catch (const std::exception& error) {
    record.predictions.clear();
    record.status = std::string("failed:") + error.what();
  }
  record.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return record;
}

std::filesystem::path prepare_run_directory(const std::string& out_dir) {
  if (out_dir.empty()) throw InputError("--out DIR is required");
  std::error_code error;
  std::filesystem::create_directories(out_dir, error);
  if (error) throw InputError("cannot create run directory " + out_dir + ": " + error.message());
  const auto probe = std::filesystem::path(out_dir) / ".write-test";
  {
    std::ofstream test(probe);
    if (!test) throw InputError("run directory " + out_dir + " is not writable");
  }
  std::filesystem::remove(probe, error);
  return out_dir;
}

struct SeedResults {
  data::Episode episode;
  std::vector<store::MethodRecord> records;  // in the order of the selected methods
};

std::vector<report::SeedScore> score(const std::vector<SeedResults>& seeds) {
  std::vector<report::SeedScore> scores;
  for (const auto& s : seeds) {
    for (const auto& r : s.records) {
      report::SeedScore sc{r.method, s.episode.seed, 0.0, 0.0, r.status == "ok"};
      if (sc.ok) {
        for (size_t i = 0; i < r.predictions.size(); ++i) {
          const double error = r.predictions[i] - s.episode.y_score(static_cast<Eigen::Index>(i));
          sc.mse += error * error;
          sc.mae += std::abs(error);
        }
        sc.mse /= static_cast<double>(r.predictions.size());
        sc.mae /= static_cast<double>(r.predictions.size());
      }
      scores.push_back(sc);
    }
  }
  return scores;
}

std::string number_cell(double v) { return std::isfinite(v) ? py_repr(v) : ""; }

void write_results_csv(const std::filesystem::path& path, const std::vector<SeedResults>& seeds) {
  CsvWriter csv(path.string(), {"seed", "method", "test_index", "prediction", "gold", "squared_error", "abs_error",
                                "status"});
  for (const auto& s : seeds) {
    for (const auto& r : s.records) {
      for (Eigen::Index i = 0; i < s.episode.y_score.size(); ++i) {
        const double gold = s.episode.y_score(i);
        const bool ok = r.status == "ok";
        const double prediction = ok ? r.predictions[static_cast<size_t>(i)] : NAN;
        const double error = prediction - gold;
        csv.write_row({std::to_string(s.episode.seed), r.method, std::to_string(i), number_cell(prediction),
                       py_repr(gold), number_cell(error * error), number_cell(std::abs(error)), r.status});
      }
    }
  }
  csv.close();
}

void write_summary_csv(const std::filesystem::path& path, const std::vector<report::MethodSummary>& summary) {
  CsvWriter csv(path.string(), {"method", "n", "mean_mse", "median_mse", "mean_mae", "mean_rank", "wins", "failures"});
  for (const auto& m : summary) {
    csv.write_row({m.method, std::to_string(m.n), number_cell(m.mean_mse), number_cell(m.median_mse),
                   number_cell(m.mean_mae), number_cell(m.mean_rank), std::to_string(m.wins),
                   std::to_string(m.failures)});
  }
  csv.close();
}

}  // namespace

CompareOutcome run_compare(const CompareOptions& options) {
  const auto start = Clock::now();
  const data::Protocol protocol(options.protocol);
  const auto specs = regress::resolve_regressors(options.regressors);
  const bool wants_constant =
      std::any_of(specs.begin(), specs.end(), [](const auto* s) { return s->name == "constant"; });
  if (wants_constant && !options.constant) throw InputError("regressor 'constant' needs --constant VALUE");
  if (options.gd_steps < 0) throw InputError("--gd-steps must be >= 0, got " + std::to_string(options.gd_steps));
  if (!std::isfinite(options.gd_lr)) throw InputError("--gd-lr must be finite");
  if (options.threads < 0) throw InputError("--threads must be >= 0, got " + std::to_string(options.threads));
  const auto run_dir = prepare_run_directory(options.out_dir);
  store::RunStore store((run_dir / "store.sqlite").string());

  const std::string config = protocol.describe_json();
  const auto& seeds = protocol.seeds();
  std::vector<SeedResults> results(seeds.size());
  std::atomic<size_t> next_seed{0};
  std::atomic<int> computed{0}, reused{0};
  std::mutex progress_mutex;
  Progress progress("compare " + protocol.dataset() + "/" + protocol.name(), seeds.size() * specs.size());

  auto worker = [&] {
    for (size_t k = next_seed++; k < seeds.size(); k = next_seed++) {
      SeedResults& out = results[k];
      out.episode = protocol.episode(seeds[k]);
      regress::RegressorOptions regressor_options;
      regressor_options.random_state = out.episode.random_state;
      regressor_options.constant = options.constant.value_or(0.0);
      regressor_options.gd_steps = options.gd_steps;
      regressor_options.gd_lr = options.gd_lr;
      const std::string fingerprint = episode_fingerprint(out.episode);
      for (const auto* spec : specs) {
        const std::string key = resume_key(config, fingerprint, *spec, regressor_options);
        if (auto stored = store.find(key)) {
          out.records.push_back(std::move(*stored));
          ++reused;
        } else {
          auto record = run_method(*spec, regressor_options, out.episode);
          record.key = key;
          store.put(record);
          out.records.push_back(std::move(record));
          ++computed;
        }
        std::lock_guard<std::mutex> lock(progress_mutex);
        progress.advance();
      }
    }
  };
  const unsigned hardware = std::max(1u, std::thread::hardware_concurrency());
  const size_t n_threads =
      std::min<size_t>(seeds.size(), options.threads > 0 ? static_cast<size_t>(options.threads) : hardware);
  std::vector<std::thread> pool;
  for (size_t t = 1; t < n_threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  progress.finish();

  std::vector<std::string> method_order;
  for (const auto* spec : specs) method_order.push_back(spec->name);
  const auto scores = score(results);
  CompareOutcome outcome;
  outcome.summary = summarize(scores, method_order);
  outcome.computed = computed;
  outcome.reused = reused;

  write_results_csv(run_dir / "results.csv", results);
  write_summary_csv(run_dir / "summary.csv", outcome.summary);

  nlohmann::json method_seconds = nlohmann::json::object();
  for (const auto& s : results)
    for (const auto& r : s.records) method_seconds[r.method] = method_seconds.value(r.method, 0.0) + r.seconds;
  nlohmann::json regressors = nlohmann::json::array();
  for (const auto* spec : specs)
    regressors.push_back({{"name", spec->name},
                          {"library", spec->library},
                          {"agreement", regress::agreement_name(spec->agreement)},
                          {"hyperparameters", spec->hyperparameters}});
  outcome.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  nlohmann::json run{{"command", "compare"},
                     {"config", nlohmann::json::parse(config)},
                     {"regressors", regressors},
                     {"seeds", seeds},
                     {"threads", n_threads},
                     {"versions", build_info()},
                     {"numerics_version", kNumericsVersion},
                     {"timings", {{"total_seconds", outcome.seconds},
                                  {"computed", outcome.computed},
                                  {"reused_from_store", outcome.reused},
                                  {"method_seconds", method_seconds}}}};
  if (options.constant) run["config"]["constant"] = *options.constant;
  run["config"]["gd_regression"] = {{"steps", options.gd_steps}, {"lr", options.gd_lr}};
  outcome.run_json = run.dump(2);
  write_file_atomically((run_dir / "run.json").string(), outcome.run_json + "\n");
  report::write_compare_report((run_dir / "report.html").string(), run, outcome.summary, scores);
  return outcome;
}

}  // namespace oh::experiments
