// The compare report built from synthetic scores: chart data agree with the summary and the
// bootstrap, the table follows mean rank, axes follow the data's span, bad input is refused.
#include "report/compare_report.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/numpy_random.h"
#include "html_probe.h"
#include "report/bootstrap.h"
#include "synthetic_run.h"

namespace oh::report {
namespace {

using nlohmann::json;
using testing::chart_specs;
using testing::default_synthetic_methods;
using testing::make_synthetic_run;
using testing::SyntheticRun;

const json kConfig = {{"command", "compare"}, {"dataset", "friedman2"}, {"protocol", "fair"},
                      {"seeds", 40}, {"note", "<not markup>"}};

std::string x_scale_type(const json& encoding) { return encoding["x"]["scale"]["type"].get<std::string>(); }

TEST(CompareReport, ChartsAgreeWithSummaryAndBootstrap) {
  SyntheticRun run = make_synthetic_run(default_synthetic_methods(), 40, 11);
  // The caller's score order must not matter: the bootstrap resamples seeds in ascending order.
  RandomState(3).shuffle(run.scores);
  const std::string html = build_compare_report(kConfig, run.summary, run.scores).to_html();
  const std::vector<json> specs = chart_specs(html);
  ASSERT_EQ(specs.size(), 2u);

  std::map<std::string, std::vector<std::pair<int64_t, double>>> ok_by_method;
  for (const auto& s : run.scores) {
    if (s.ok) ok_by_method[s.method].emplace_back(s.seed, s.mse);
  }
  const json& points = specs[0]["data"]["values"];
  ASSERT_EQ(points.size(), 3u) << "the method that failed on every seed has nothing to plot";
  for (const json& point : points) {
    const std::string method = point["method"];
    SCOPED_TRACE(method);
    const auto summary = std::find_if(run.summary.begin(), run.summary.end(),
                                      [&](const MethodSummary& s) { return s.method == method; });
    ASSERT_NE(summary, run.summary.end());
    EXPECT_EQ(point["mean_mse"].get<double>(), summary->mean_mse);
    EXPECT_EQ(point["seeds"].get<int>(), summary->n);
    auto seeds = ok_by_method[method];
    std::sort(seeds.begin(), seeds.end());
    std::vector<double> mses;
    for (const auto& seed_mse : seeds) mses.push_back(seed_mse.second);
    const BootstrapInterval band = bootstrap_mean_interval(mses);
    EXPECT_EQ(point["lower"].get<double>(), band.lower);
    EXPECT_EQ(point["upper"].get<double>(), band.upper);
    EXPECT_LT(band.lower, summary->mean_mse);
    EXPECT_GT(band.upper, summary->mean_mse);
  }
  // Per-seed chart: one point per ok score.
  const size_t ok_count = std::count_if(run.scores.begin(), run.scores.end(), [](const SeedScore& s) { return s.ok; });
  EXPECT_EQ(specs[1]["data"]["values"].size(), ok_count);
  EXPECT_EQ(specs[1]["mark"]["type"], "boxplot");

  // The methods span ~3 decades: both axes are logarithmic, and the captions say how bands are drawn.
  EXPECT_EQ(x_scale_type(specs[0]["layer"][0]["encoding"]), "log");
  EXPECT_EQ(x_scale_type(specs[0]["layer"][1]["encoding"]), "log");
  EXPECT_EQ(x_scale_type(specs[1]["encoding"]), "log");
  EXPECT_NE(html.find("1000 resamples"), std::string::npos);
  EXPECT_NE(html.find("RandomState(0)"), std::string::npos);
  EXPECT_NE(html.find("log axis"), std::string::npos);
}

TEST(CompareReport, TableFollowsMeanRankAndShowsFailures) {
  const SyntheticRun run = make_synthetic_run(default_synthetic_methods(), 40, 11);
  const std::string html = build_compare_report(kConfig, run.summary, run.scores).to_html();
  std::vector<const MethodSummary*> by_rank;
  for (const auto& s : run.summary) {
    if (s.n > 0) by_rank.push_back(&s);
  }
  std::sort(by_rank.begin(), by_rank.end(),
            [](const MethodSummary* a, const MethodSummary* b) { return a->mean_rank < b->mean_rank; });
  ASSERT_EQ(by_rank.size(), 3u);
  ASSERT_LT(by_rank[0]->mean_rank, by_rank[1]->mean_rank);
  ASSERT_LT(by_rank[1]->mean_rank, by_rank[2]->mean_rank);
  const size_t table = html.find("<table>");
  size_t previous = table;
  for (const MethodSummary* s : by_rank) {
    const std::string cell = "<td>" + std::string(s->method == "knn <k=5> & \"friends\""
                                                      ? "knn &lt;k=5&gt; &amp; &quot;friends&quot;"
                                                      : s->method) + "</td>";
    const size_t at = html.find(cell, table);
    ASSERT_NE(at, std::string::npos) << cell;
    EXPECT_GT(at, previous) << s->method << " is out of mean-rank order";
    previous = at;
  }
  // The always-failing method comes last, with dashes for its statistics.
  const size_t broken = html.find("<td>svr-broken</td><td>—</td><td>0</td><td>—</td>", table);
  EXPECT_GT(broken, previous);
  EXPECT_NE(broken, std::string::npos);
  EXPECT_NE(html.find("<td>0</td><td>40</td></tr>", broken), std::string::npos);
  // The run configuration is shown, escaped.
  EXPECT_NE(html.find("&quot;dataset&quot;: &quot;friedman2&quot;"), std::string::npos);
  EXPECT_NE(html.find("&lt;not markup&gt;"), std::string::npos);
}

TEST(CompareReport, AxisScaleFollowsTheSpanOfValues) {
  // Within one decade: linear.
  const SyntheticRun narrow = make_synthetic_run({{"a", 2.0, 0.02, 0.0}, {"b", 2.1, 0.02, 0.0}}, 20, 4);
  const auto narrow_specs = chart_specs(build_compare_report(kConfig, narrow.summary, narrow.scores).to_html());
  ASSERT_EQ(narrow_specs.size(), 2u);
  EXPECT_EQ(x_scale_type(narrow_specs[0]["layer"][1]["encoding"]), "linear");
  EXPECT_EQ(x_scale_type(narrow_specs[1]["encoding"]), "linear");
  // Decades apart but with exact zeros: a log axis cannot show 0, a symmetric-log one can.
  const SyntheticRun zeros = make_synthetic_run({{"exact", 0.0, 0.0, 0.0, true}, {"b", 2.0, 0.5, 0.0}, {"c", 4.0, 0.5, 0.0}}, 20, 4);
  const auto zero_specs = chart_specs(build_compare_report(kConfig, zeros.summary, zeros.scores).to_html());
  EXPECT_EQ(x_scale_type(zero_specs[0]["layer"][1]["encoding"]), "symlog");
  EXPECT_EQ(x_scale_type(zero_specs[1]["encoding"]), "symlog");
}

TEST(CompareReport, NoValidResultStillWritesTheTable) {
  const SyntheticRun run = make_synthetic_run({{"broken", 1.0, 0.1, 1.0}}, 5, 1);
  const std::string html = build_compare_report(kConfig, run.summary, run.scores).to_html();
  EXPECT_TRUE(chart_specs(html).empty());
  EXPECT_NE(html.find("<td>broken</td>"), std::string::npos);
  EXPECT_NE(html.find("nothing to plot"), std::string::npos);
}

TEST(CompareReport, RefusesInconsistentInput) {
  const SyntheticRun good = make_synthetic_run(default_synthetic_methods(), 10, 2);
  auto expect_refused = [&](SyntheticRun run, const std::string& fragment) {
    try {
      build_compare_report(kConfig, run.summary, run.scores);
      ADD_FAILURE() << "accepted input that should fail with: " << fragment;
    } catch (const InputError& error) {
      EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos) << error.what();
    }
  };
  SyntheticRun duplicate_seed = good;
  duplicate_seed.scores.push_back(good.scores.front());
  expect_refused(duplicate_seed, "two scores for seed 0");

  SyntheticRun unknown = good;
  unknown.scores.push_back({"lasso", 99, 1.0, 1.0, true});
  expect_refused(unknown, "'lasso'");

  SyntheticRun duplicate_method = good;
  duplicate_method.summary.push_back(good.summary.front());
  expect_refused(duplicate_method, "appears twice");

  SyntheticRun wrong_n = good;
  wrong_n.summary.front().n += 1;
  expect_refused(wrong_n, "n=11");

  SyntheticRun not_finite = good;
  not_finite.scores.front().mse = std::nan("");
  expect_refused(not_finite, "is ok but has mse=nan");
}

}  // namespace
}  // namespace oh::report
