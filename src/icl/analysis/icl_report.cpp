#include "icl/analysis/icl_report.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <tuple>

#include <ATen/ATen.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/csv_writer.h"
#include "core/error.h"
#include "core/numeric_format.h"
#include "core/progress.h"
#include "icl/analysis/model_loss.h"

namespace oh::icl::analysis {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Legend names: the directory's own name, or the whole path when two runs share a name.
std::vector<std::string> run_labels(const std::vector<AnalysisRun>& runs) {
  std::map<std::string, int> uses;
  for (const auto& run : runs) ++uses[fs::path(run.dir).lexically_normal().filename().string()];
  std::vector<std::string> labels;
  std::set<std::string> taken;
  for (size_t i = 0; i < runs.size(); ++i) {
    std::string label = fs::path(runs[i].dir).lexically_normal().filename().string();
    if (label.empty() || uses[label] > 1) label = runs[i].dir;
    if (!taken.insert(label).second) label = fmt::format("{} #{}", label, i + 1);  // the same run twice
    labels.push_back(label);
  }
  return labels;
}

}  // namespace

IclAnalyses analyze_runs(const std::vector<AnalysisRun>& runs, const IclReportOptions& options) {
  if (runs.empty()) throw InputError("icl report: no run given");
  const TrainConfig& config = runs.front().trained.config;
  IclAnalyses out;
  out.tasks = options.tasks > 0 ? options.tasks : config.eval_tasks;
  out.line_search_tasks = options.line_search_tasks > 0 ? options.line_search_tasks : config.line_search_tasks;
  const int64_t n = config.task_config.context_size, d = config.task_config.input_dim;
  const int64_t max_context = options.max_context > 0 ? options.max_context : 2 * n;
  int max_layers = 0;
  for (const auto& run : runs) max_layers = std::max(max_layers, run.trained.config.layers);

  Progress progress("icl report", static_cast<size_t>(max_layers) + 3 * runs.size());
  const LinearTasks eval = eval_tasks(config, out.tasks);
  const LinearTasks search = line_search_tasks(config, out.line_search_tasks);
  for (int k = 1; k <= max_layers; ++k) {  // one K at a time, so the progress line moves
    out.gd_reference.push_back(gd_reference_point(search, eval, k));
    progress.advance();
  }
  const std::vector<std::string> labels = run_labels(runs);
  for (size_t i = 0; i < runs.size(); ++i) {
    const AnalysisRun& run = runs[i];
    const LsaModel& model = run.trained.model;
    const int k = run.trained.config.layers;
    RunAnalysis a;
    a.label = labels[i];
    a.run = &run;
    a.eta = out.gd_reference[static_cast<size_t>(k - 1)].gd_eta;
    a.eval_loss = model_loss(model, eval);
    const HeadProducts gd = gd_products(d, n, a.eta);
    const bool single_head = model.config().heads == 1;
    for (int l = 0; l < k; ++l) {
      const std::vector<HeadProducts> heads = layer_products(model, l);
      for (size_t h = 0; h < heads.size(); ++h) {
        LayerProductsView view{l, static_cast<int>(h), heads[h], gd, std::nullopt};
        if (single_head) {
          view.against_gd = normalize_to(heads[h], gd);
          view.shown = view.against_gd->products;
        }
        a.products.push_back(view);
      }
    }
    progress.advance();
    if (single_head) a.interpolation = interpolate_to_gd(model, a.eta, eval, uniform_alphas(options.interpolation_points));
    progress.advance();
    a.context_curve = context_curve(model, run.trained.config, {max_context, out.tasks, a.eta, k});
    progress.advance();
    out.runs.push_back(std::move(a));
  }
  progress.finish();
  return out;
}

namespace {

std::string num(double x) { return py_repr(x); }

// A line chart of `y` against `x`, one line per `series`; log_y for losses spanning decades.
json line_chart(const json& values, const std::string& x, const std::string& x_title, const std::string& y,
                const std::string& y_title, bool log_y, const std::string& series = "series") {
  json y_scale = log_y ? json{{"type", "log"}} : json{{"zero", false}};
  return {{"data", {{"values", values}}},
          {"width", 520},
          {"height", 300},
          {"mark", {{"type", "line"}, {"point", true}}},
          {"encoding",
           {{"x", {{"field", x}, {"type", "quantitative"}, {"title", x_title}}},
            {"y", {{"field", y}, {"type", "quantitative"}, {"title", y_title}, {"scale", y_scale}}},
            {"color", {{"field", series}, {"type", "nominal"}, {"title", nullptr}}},
            {"tooltip", json::array({{{"field", series}, {"type", "nominal"}},
                                     {{"field", x}, {"type", "quantitative"}},
                                     {{"field", y}, {"type", "quantitative"}}})}}}};
}

// Four D×D heatmaps side by side: trained W_KQ, GD's, trained P·W_V, GD's (each with its own colour scale).
json heatmaps(const LayerProductsView& view) {
  json values = json::array();
  const std::vector<std::pair<std::string, at::Tensor>> matrices = {
      {"trained W_KQ", view.shown.kq}, {"GD W_KQ", view.gd.kq}, {"trained P·W_V", view.shown.pv}, {"GD P·W_V", view.gd.pv}};
  json order = json::array();
  for (const auto& [name, matrix] : matrices) {
    order.push_back(name);
    const at::Tensor m = matrix.contiguous();
    for (int64_t r = 0; r < m.size(0); ++r)
      for (int64_t c = 0; c < m.size(1); ++c) values.push_back({{"matrix", name}, {"row", r}, {"col", c}, {"value", m[r][c].item<double>()}});
  }
  return {{"data", {{"values", values}}},
          {"facet", {{"column", {{"field", "matrix"}, {"type", "nominal"}, {"sort", order}, {"title", nullptr}}}}},
          {"spec",
           {{"width", 150},
            {"height", 150},
            {"mark", "rect"},
            {"encoding",
             {{"x", {{"field", "col"}, {"type", "ordinal"}, {"title", "column"}}},
              {"y", {{"field", "row"}, {"type", "ordinal"}, {"title", "row"}}},
              {"color", {{"field", "value"}, {"type", "quantitative"}, {"scale", {{"scheme", "redblue"}, {"domainMid", 0}}}}},
              {"tooltip", json::array({{{"field", "row"}, {"type", "ordinal"}}, {{"field", "col"}, {"type", "ordinal"}},
                                       {{"field", "value"}, {"type", "quantitative"}}})}}}}},
          {"resolve", {{"scale", {{"color", "independent"}}}}}};
}

json training_values(const IclAnalyses& a) {
  json values = json::array();
  for (const RunAnalysis& r : a.runs)
    for (const TrainingPoint& p : r.run->history)
      values.push_back({{"run", r.label}, {"step", p.step}, {"train_loss", p.train_loss}, {"eval_loss", p.eval_loss},
                        {"gd_loss", p.gd_loss}, {"gd_eta", p.gd_eta}, {"preds_diff", p.preds_diff},
                        {"model_diff", p.model_diff}, {"model_cos", p.model_cos}});
  return values;
}

// Rows of `values` (objects with the same keys) as `columns` of a CSV.
void write_csv(const std::string& path, const std::vector<std::string>& columns, const json& values) {
  CsvWriter csv(path, columns);
  for (const json& row : values) {
    std::vector<std::string> cells;
    for (const std::string& c : columns) {
      const json& v = row.contains(c) ? row.at(c) : json();
      cells.push_back(v.is_string() ? v.get<std::string>() : v.is_number_float() ? num(v.get<double>()) : v.is_null() ? "" : v.dump());
    }
    csv.write_row(cells);
  }
  csv.close();
}

// Each figure's data, by CSV name: the same rows the charts draw.
struct Figures {
  json training, products, interpolation, layers, context;
};

Figures figure_data(const IclAnalyses& a) {
  Figures f{training_values(a), json::array(), json::array(), json::array(), json::array()};
  for (const RunAnalysis& r : a.runs) {
    for (const LayerProductsView& v : r.products) {
      for (const auto& [name, matrix] : std::vector<std::pair<std::string, at::Tensor>>{
               {"trained_kq", v.shown.kq}, {"gd_kq", v.gd.kq}, {"trained_pv", v.shown.pv}, {"gd_pv", v.gd.pv}}) {
        for (int64_t row = 0; row < matrix.size(0); ++row)
          for (int64_t col = 0; col < matrix.size(1); ++col)
            f.products.push_back({{"run", r.label}, {"layer", v.layer}, {"head", v.head}, {"matrix", name}, {"row", row},
                                  {"col", col}, {"value", matrix[row][col].item<double>()}});
      }
    }
    for (const InterpolationPoint& p : r.interpolation) f.interpolation.push_back({{"run", r.label}, {"alpha", p.alpha}, {"loss", p.loss}});
    f.layers.push_back({{"series", "trained: " + r.label}, {"layers", r.run->trained.config.layers}, {"loss", r.eval_loss}});
    for (const ContextCurvePoint& p : r.context_curve) {
      json row = {{"run", r.label}, {"n_context", p.context_size}, {"model_loss", p.model_loss}, {"gd_loss", p.gd_loss},
                  {"least_squares_loss", p.least_squares_loss}};
      if (p.ridge_loss) row["ridge_loss"] = *p.ridge_loss;
      f.context.push_back(row);
    }
  }
  for (const GdReferencePoint& p : a.gd_reference) {
    f.layers.push_back({{"series", "GD"}, {"layers", p.steps}, {"loss", p.gd_loss}, {"eta", p.gd_eta}});
    f.layers.push_back({{"series", "GD++"}, {"layers", p.steps}, {"loss", p.gdpp_loss}, {"eta", p.gdpp_eta}, {"gamma", p.gdpp_gamma}});
  }
  return f;
}

// The context curves in long form: one row per (series, N′).
json context_long(const IclAnalyses& a) {
  json values = json::array();
  for (const RunAnalysis& r : a.runs) {
    const int k = r.run->trained.config.layers;
    for (const ContextCurvePoint& p : r.context_curve) {
      values.push_back({{"series", "trained: " + r.label}, {"n_context", p.context_size}, {"loss", p.model_loss}});
      values.push_back({{"series", fmt::format("GD, {} step{}, η={:.3g}: {}", k, k == 1 ? "" : "s", r.eta, r.label)},
                        {"n_context", p.context_size}, {"loss", p.gd_loss}});
    }
  }
  // Least squares and ridge see the same tasks at each N′ in every run (the runs share their eval set).
  for (const ContextCurvePoint& p : a.runs.front().context_curve) {
    values.push_back({{"series", "least squares"}, {"n_context", p.context_size}, {"loss", p.least_squares_loss}});
    if (p.ridge_loss) values.push_back({{"series", "ridge (Bayes λ)"}, {"n_context", p.context_size}, {"loss", *p.ridge_loss}});
  }
  return values;
}

// Long form of the training curves: loss series per run.
json training_losses(const json& training) {
  json values = json::array();
  for (const json& p : training) {
    values.push_back({{"series", "trained: " + p["run"].get<std::string>()}, {"step", p["step"]}, {"loss", p["eval_loss"]}});
    values.push_back({{"series", "GD: " + p["run"].get<std::string>()}, {"step", p["step"]}, {"loss", p["gd_loss"]}});
  }
  return values;
}

json with_series(const json& rows, const std::string& from) {
  json values = rows;
  for (json& v : values) v["series"] = v[from];
  return values;
}

}  // namespace

report::Document build_icl_report(const IclAnalyses& a) {
  const Figures f = figure_data(a);
  const TrainConfig& config = a.runs.front().run->trained.config;
  const LinearTaskConfig& t = config.task_config;
  report::Document page("optim-hunter icl report");
  page.add_paragraph(fmt::format(
      "{} trained run{} on in-context linear regression (d = {}, N = {}, x ~ U({}, {})^d, w ~ N(0, {}² I), label noise {}). "
      "Losses are ½ MSE on {} seeded evaluation tasks (seed {}); GD and GD++ step sizes are tuned on {} separate tasks "
      "(seed {}), following von Oswald et al. 2023.",
      a.runs.size(), a.runs.size() == 1 ? "" : "s", t.input_dim, t.context_size, t.x_low, t.x_high, t.teacher_scale,
      t.noise_std, a.tasks, config.eval_seed, a.line_search_tasks, config.line_search_seed));

  report::Table runs({"run", "directory", "layers", "heads", "shared", "step", "eval loss", "GD loss (K steps)", "ratio", "GD η",
                      "final model cos"});
  for (const RunAnalysis& r : a.runs) {
    const TrainConfig& c = r.run->trained.config;
    const double gd = a.gd_reference[static_cast<size_t>(c.layers - 1)].gd_loss;
    runs.add_row({r.label, r.run->dir, std::to_string(c.layers), std::to_string(c.heads), c.shared_weights ? "yes" : "no",
                  std::to_string(r.run->trained.step), num(r.eval_loss), num(gd), fmt::format("{:.4f}", r.eval_loss / gd),
                  num(r.eta), num(r.run->history.back().model_cos)});
  }
  page.add_section("Runs");
  page.add_table(runs, "Eval and GD losses are recomputed here on the same tasks; the model cos is the run's last evaluation.");

  page.add_section("Alignment with GD over training");
  page.add_chart("Loss over training", line_chart(training_losses(f.training), "step", "training step", "loss", "½ MSE (eval tasks)", true),
                 "Each run's model and K-step GD (K = its layers, η line-searched) on the run's own evaluation tasks, from metrics.jsonl.");
  for (const auto& [field, title, log] : std::vector<std::tuple<std::string, std::string, bool>>{
           {"preds_diff", "preds diff = mean |ŷ_TF − ŷ_GD|", true},
           {"model_diff", "model diff = mean ‖∂ŷ_TF/∂x − ∂ŷ_GD/∂x‖", true},
           {"model_cos", "model cos = mean cos(∂ŷ_TF/∂x, ∂ŷ_GD/∂x)", false}}) {
    page.add_chart(title, line_chart(with_series(f.training, "run"), "step", "training step", field, field, log));
  }

  page.add_section("Weight products against the GD construction");
  page.add_paragraph(
      "An LSA layer depends on its weights only through W_KQ = W_Kᵀ W_Q and P·W_V per head. The construction has W_KQ = [[I,0],[0,0]] "
      "and P·W_V = (η/N)[[0,0],[0,−1]]. A 1-head layer is shown after fixing its free scale (W_KQ / c, P·W_V · c with c the least-squares "
      "fit of W_KQ to the construction's); multi-head layers are shown raw, head by head.");
  report::Table errors({"run", "layer", "scale c", "W_KQ relative error", "P·W_V relative error"});
  for (const RunAnalysis& r : a.runs) {
    for (const LayerProductsView& v : r.products) {
      page.add_chart(fmt::format("{}: layer {}, head {}", r.label, v.layer + 1, v.head + 1), heatmaps(v));
      if (v.against_gd)
        errors.add_row({r.label, std::to_string(v.layer + 1), num(v.against_gd->scale), fmt::format("{:.4f}", v.against_gd->kq_relative_error),
                        fmt::format("{:.4f}", v.against_gd->pv_relative_error)});
    }
  }
  if (!errors.rows().empty())
    page.add_table(errors, "‖normalised − construction‖_F / ‖construction‖_F. Rows of P·W_V that only write x-entries do not reach a "
                           "1-layer prediction, so its error can stay large while the function matches.");

  if (!f.interpolation.empty()) {
    page.add_section("Interpolating to the GD construction");
    page.add_chart("Loss along the path", line_chart(with_series(f.interpolation, "run"), "alpha", "α (0 = trained, 1 = GD construction)", "loss", "½ MSE (eval tasks)", false),
                   "Every layer's products at (1−α)·trained (normalised) + α·construction, with the run's η.");
  }

  page.add_section("Loss against layers and GD steps");
  page.add_chart("Loss against K", line_chart(f.layers, "layers", "layers K (GD steps)", "loss", "½ MSE (eval tasks)", true),
                 "GD: K steps from 0 with η line-searched per K. GD++: the K-layer GD++ construction with (η, γ) searched per K. "
                 "Trained: each run's model at its number of layers.");

  page.add_section("In-context learning curves");
  const int64_t max_context = a.runs.front().context_curve.back().context_size;
  page.add_chart("Loss against context length", line_chart(context_long(a), "n_context", "context pairs N′", "loss", "½ MSE", true),
                 fmt::format("N′ = 1 … {} (trained at N = {}); fresh tasks from the eval seed at each N′, {} per point. "
                             "Least squares is minimum-norm for N′ < d{}.",
                             max_context, t.context_size, a.tasks,
                             bayes_ridge_lambda(t) ? fmt::format("; ridge uses λ = σ²/scale² = {:.4g}", *bayes_ridge_lambda(t)) : ""));

  page.add_section("Configuration");
  page.add_code_block(to_json_text(config));
  return page;
}

std::vector<std::string> write_icl_report(const IclAnalyses& a, const std::string& html_path) {
  const Figures f = figure_data(a);
  const fs::path html(html_path);
  const auto beside = [&](const std::string& figure) { return (html.parent_path() / (html.stem().string() + "_" + figure + ".csv")).string(); };
  std::vector<std::string> written;
  const auto write = [&](const std::string& figure, const std::vector<std::string>& columns, const json& values) {
    write_csv(beside(figure), columns, values);
    written.push_back(beside(figure));
  };
  write("training", {"run", "step", "train_loss", "eval_loss", "gd_loss", "gd_eta", "preds_diff", "model_diff", "model_cos"}, f.training);
  write("products", {"run", "layer", "head", "matrix", "row", "col", "value"}, f.products);
  write("interpolation", {"run", "alpha", "loss"}, f.interpolation);
  write("layers", {"series", "layers", "loss", "eta", "gamma"}, f.layers);
  write("context", {"run", "n_context", "model_loss", "gd_loss", "least_squares_loss", "ridge_loss"}, f.context);
  build_icl_report(a).write_html(html_path);
  written.push_back(html_path);
  return written;
}

}  // namespace oh::icl::analysis
