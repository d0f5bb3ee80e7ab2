#include "report/compare_report.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <utility>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "report/bootstrap.h"

namespace oh::report {
namespace {

using nlohmann::json;

constexpr int kBootstrapResamples = 1000;
constexpr uint32_t kBootstrapSeed = 0;
constexpr double kBootstrapLevel = 95.0;
// A chart switches to a logarithmic axis once its values span at least one decade.
constexpr double kLogSpanRatio = 10.0;

struct MethodRow {
  const MethodSummary* summary;
  std::vector<double> mses;  // ok seeds, in ascending seed order
  BootstrapInterval band{std::nan(""), std::nan("")};
};

// An axis for positive quantities: "log" when they span a decade or more, "symlog" when zeros
// forbid a log axis but the positive values still span decades, "linear" otherwise.
struct Scale {
  std::string type;
  std::string description;
};

Scale choose_scale(const std::vector<double>& values) {
  double smallest_positive = std::numeric_limits<double>::infinity();
  double largest = 0.0;
  bool has_zero = false;
  for (const double v : values) {
    if (v > 0.0) {
      smallest_positive = std::min(smallest_positive, v);
      largest = std::max(largest, v);
    } else {
      has_zero = true;
    }
  }
  if (largest == 0.0 || largest / smallest_positive < kLogSpanRatio) {
    return {"linear", "linear axis"};
  }
  const double decades = std::log10(largest / smallest_positive);
  if (has_zero) {
    return {"symlog", fmt::format("symmetric-log axis (values span {:.1f} decades and include zero)",
                                  decades)};
  }
  return {"log", fmt::format("log axis (values span {:.1f} decades)", decades)};
}

// Log axes over several decades label many ticks; drop the ones that would overlap.
const json kQuantityAxis = {{"labelOverlap", "greedy"}, {"labelSeparation", 4}};

// Vega-Lite's scale object; log axes never include zero, so only the others are told not to.
json scale_json(const Scale& scale) {
  json spec = {{"type", scale.type}};
  if (scale.type != "log") spec["zero"] = false;
  return spec;
}

std::string format_metric(double x) {
  if (!std::isfinite(x)) return "—";
  const double magnitude = std::fabs(x);
  if (x == 0.0 || (magnitude >= 1e-3 && magnitude < 1e9)) return fmt::format("{:.6f}", x);
  return fmt::format("{:.6e}", x);
}

std::string format_rank(double x) { return std::isfinite(x) ? fmt::format("{:.2f}", x) : "—"; }

// Methods in table order: by mean rank (methods without a valid seed last), then by name.
std::vector<MethodRow> collect_rows(const std::vector<MethodSummary>& summary,
                                    const std::vector<SeedScore>& scores) {
  std::map<std::string, size_t> index_of;
  std::vector<MethodRow> rows;
  for (const auto& method : summary) {
    if (!index_of.emplace(method.method, rows.size()).second) {
      throw InputError(fmt::format("compare report: method '{}' appears twice in the summary",
                                   method.method));
    }
    rows.push_back({&method, {}});
  }
  std::map<std::string, std::vector<std::pair<int64_t, double>>> ok_scores;
  std::set<std::pair<std::string, int64_t>> seen;
  for (const auto& score : scores) {
    if (index_of.count(score.method) == 0) {
      throw InputError(fmt::format("compare report: seed {} scores method '{}', which the summary lacks",
                                   score.seed, score.method));
    }
    if (!seen.emplace(score.method, score.seed).second) {
      throw InputError(fmt::format("compare report: method '{}' has two scores for seed {}",
                                   score.method, score.seed));
    }
    if (!score.ok) continue;
    if (!std::isfinite(score.mse) || !std::isfinite(score.mae)) {
      throw InputError(fmt::format("compare report: method '{}' seed {} is ok but has mse={} mae={}",
                                   score.method, score.seed, score.mse, score.mae));
    }
    ok_scores[score.method].emplace_back(score.seed, score.mse);
  }
  for (auto& row : rows) {
    auto& seeds = ok_scores[row.summary->method];
    if (static_cast<size_t>(row.summary->n) != seeds.size()) {
      throw InputError(fmt::format("compare report: the summary gives method '{}' n={}, the scores {}",
                                   row.summary->method, row.summary->n, seeds.size()));
    }
    std::sort(seeds.begin(), seeds.end());
    for (const auto& seed_mse : seeds) row.mses.push_back(seed_mse.second);
    if (!row.mses.empty()) {
      row.band = bootstrap_mean_interval(
          row.mses, {kBootstrapResamples, kBootstrapSeed, kBootstrapLevel});
    }
  }
  std::sort(rows.begin(), rows.end(), [](const MethodRow& a, const MethodRow& b) {
    const bool a_ranked = a.summary->n > 0, b_ranked = b.summary->n > 0;
    if (a_ranked != b_ranked) return a_ranked;
    if (a_ranked && a.summary->mean_rank != b.summary->mean_rank) {
      return a.summary->mean_rank < b.summary->mean_rank;
    }
    return a.summary->method < b.summary->method;
  });
  return rows;
}

json method_order(const std::vector<MethodRow>& rows) {
  json order = json::array();
  for (const auto& row : rows) {
    if (!row.mses.empty()) order.push_back(row.summary->method);
  }
  return order;
}

json mean_mse_spec(const std::vector<MethodRow>& rows, const Scale& scale) {
  json values = json::array();
  for (const auto& row : rows) {
    if (row.mses.empty()) continue;
    values.push_back({{"method", row.summary->method},
                      {"mean_mse", row.summary->mean_mse},
                      {"lower", row.band.lower},
                      {"upper", row.band.upper},
                      {"seeds", row.summary->n}});
  }
  const json x_scale = scale_json(scale);
  const json y = {{"field", "method"}, {"type", "nominal"}, {"sort", method_order(rows)},
                  {"title", nullptr}};
  return {
      {"description", "Mean test MSE per method with 95% bootstrap intervals"},
      {"data", {{"values", values}}},
      {"width", 560},
      {"height", {{"step", 20}}},
      {"layer",
       json::array(
           {{{"mark", {{"type", "rule"}, {"strokeWidth", 2}}},
             {"encoding",
              {{"y", y},
               {"x", {{"field", "lower"}, {"type", "quantitative"}, {"scale", x_scale},
                      {"axis", kQuantityAxis}, {"title", "mean test MSE (95% bootstrap interval)"}}},
               {"x2", {{"field", "upper"}}}}}},
            {{"mark", {{"type", "point"}, {"filled", true}, {"size", 50}}},
             {"encoding",
              {{"y", y},
               {"x", {{"field", "mean_mse"}, {"type", "quantitative"}, {"scale", x_scale}}},
               {"tooltip", json::array({{{"field", "method"}, {"type", "nominal"}},
                                        {{"field", "mean_mse"}, {"type", "quantitative"}},
                                        {{"field", "lower"}, {"type", "quantitative"}},
                                        {{"field", "upper"}, {"type", "quantitative"}},
                                        {{"field", "seeds"}, {"type", "quantitative"}}})}}}}})}};
}

json per_seed_spec(const std::vector<MethodRow>& rows, const std::vector<SeedScore>& scores,
                   const Scale& scale) {
  json values = json::array();
  for (const auto& score : scores) {
    if (score.ok) values.push_back({{"method", score.method}, {"seed", score.seed}, {"mse", score.mse}});
  }
  return {{"description", "Test MSE per seed and method"},
          {"data", {{"values", values}}},
          {"width", 560},
          {"height", {{"step", 20}}},
          {"mark", {{"type", "boxplot"}, {"extent", 1.5}}},
          {"encoding",
           {{"y", {{"field", "method"}, {"type", "nominal"}, {"sort", method_order(rows)},
                   {"title", nullptr}}},
            {"x", {{"field", "mse"}, {"type", "quantitative"},
                   {"scale", scale_json(scale)}, {"axis", kQuantityAxis},
                   {"title", "test MSE of one seed"}}}}}};
}

Table ranking_table(const std::vector<MethodRow>& rows) {
  Table table({"#", "method", "mean rank", "wins", "mean MSE", "95% interval of mean MSE",
               "median MSE", "mean MAE", "seeds ok", "failures"});
  int position = 0;
  for (const auto& row : rows) {
    const MethodSummary& s = *row.summary;
    table.add_row({std::to_string(++position), s.method, format_rank(s.mean_rank),
                   std::to_string(s.wins), format_metric(s.mean_mse),
                   row.mses.empty() ? "—"
                                    : fmt::format("[{}, {}]", format_metric(row.band.lower),
                                                  format_metric(row.band.upper)),
                   format_metric(s.median_mse), format_metric(s.mean_mae), std::to_string(s.n),
                   std::to_string(s.failures)});
  }
  return table;
}

}  // namespace

Document build_compare_report(const json& run_config, const std::vector<MethodSummary>& summary,
                              const std::vector<SeedScore>& scores) {
  const std::vector<MethodRow> rows = collect_rows(summary, scores);
  std::set<int64_t> seeds;
  for (const auto& score : scores) seeds.insert(score.seed);

  Document page("optim-hunter compare");
  page.add_paragraph(fmt::format(
      "{} methods on {} seeds. Each method is scored by its test MSE on every seed; per seed the "
      "methods are ranked by MSE (ties share the average rank).",
      summary.size(), seeds.size()));

  std::vector<double> band_values;
  std::vector<double> seed_values;
  for (const auto& row : rows) {
    if (row.mses.empty()) continue;
    band_values.insert(band_values.end(), {row.summary->mean_mse, row.band.lower, row.band.upper});
    seed_values.insert(seed_values.end(), row.mses.begin(), row.mses.end());
  }
  if (!seed_values.empty()) {
    page.add_section("Mean MSE per method");
    const Scale mean_scale = choose_scale(band_values);
    page.add_chart(
        "Mean test MSE with 95% bootstrap intervals", mean_mse_spec(rows, mean_scale),
        fmt::format("Dots: mean test MSE over the seeds where the method succeeded. Bars: percentile "
                    "bootstrap 95% interval of that mean: {} resamples of the method's seeds (with "
                    "replacement, in ascending seed order) drawn from numpy RandomState({}), "
                    "percentiles 2.5 and 97.5 of the resampled means. Methods in ranking order; {}.",
                    kBootstrapResamples, kBootstrapSeed, mean_scale.description));
    page.add_section("MSE per seed");
    const Scale seed_scale = choose_scale(seed_values);
    page.add_chart("Distribution of per-seed test MSE", per_seed_spec(rows, scores, seed_scale),
                   fmt::format("Box: quartiles and median of one method's per-seed MSE; whiskers "
                               "reach the furthest seed within 1.5 interquartile ranges, dots beyond "
                               "are single seeds. Failed seeds are left out; {}.",
                               seed_scale.description));
  } else {
    page.add_paragraph("No method produced a valid result on any seed, so there is nothing to plot.");
  }

  page.add_section("Ranking");
  page.add_table(ranking_table(rows),
                 "Sorted by mean rank (lower is better). Wins count the seeds where a method had "
                 "the lowest MSE; tied methods each get the win.");

  page.add_section("Run configuration");
  page.add_code_block(run_config.dump(2));
  return page;
}

void write_compare_report(const std::string& path, const json& run_config,
                          const std::vector<MethodSummary>& summary,
                          const std::vector<SeedScore>& scores) {
  build_compare_report(run_config, summary, scores).write_html(path);
}

}  // namespace oh::report
