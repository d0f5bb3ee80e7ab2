// `compare` end to end: published anchors, outputs, resume from the run store, failures as statuses,
// and bad input rejected before any work.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "experiments/compare.h"

namespace {

namespace fs = std::filesystem;

std::string fresh_dir(const std::string& name) {
  const auto dir = fs::path(::testing::TempDir()) / ("oh_compare_" + name);
  fs::remove_all(dir);
  return dir.string();
}

std::string read(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

oh::experiments::CompareOptions options(const std::string& dataset, const std::string& protocol, int seq_len,
                                        int batches, const std::string& regressors, const std::string& out) {
  oh::experiments::CompareOptions o;
  o.protocol.dataset = dataset;
  o.protocol.protocol = protocol;
  o.protocol.seq_len = seq_len;
  o.protocol.batches = batches;
  o.regressors = regressors;
  o.out_dir = out;
  return o;
}

const oh::report::MethodSummary& find(const oh::experiments::CompareOutcome& outcome, const std::string& method) {
  for (const auto& m : outcome.summary)
    if (m.method == method) return m;
  throw std::runtime_error("no summary for " + method);
}

}  // namespace

// DESIGN §4.3 anchors from the published optim_hunter run: original2, seq_len 25, seeds 0…99.
TEST(Compare, OptimHunterOriginal2Anchors) {
  const auto outcome =
      oh::experiments::run_compare(options("original2", "optim_hunter", 25, 100, "ridge,knn", fresh_dir("anchor")));
  EXPECT_NEAR(find(outcome, "ridge").mean_mse, 392099.759412, 5e-7);  // published to 6 decimals
  EXPECT_NEAR(find(outcome, "knn").mean_mse, 1219016.976473, 5e-7);
}

// llm4regression: AdaBoost on friedman1, seq_len 50, seeds 1…100 → mean MAE 2.488320.
TEST(Compare, Llm4RegressionAdaBoostAnchor) {
  const auto outcome =
      oh::experiments::run_compare(options("friedman1", "llm4regression", 50, 100, "adaboost", fresh_dir("ada")));
  EXPECT_NEAR(find(outcome, "adaboost").mean_mae, 2.488320, 5e-7);
}

TEST(Compare, WritesTablesAndResumesFromTheStore) {
  const auto dir = fresh_dir("resume");
  auto o = options("friedman3", "fair", 10, 4, "ridge,knn,random_forest,last", dir);
  const auto first = oh::experiments::run_compare(o);
  EXPECT_EQ(first.computed, 16);
  EXPECT_EQ(first.reused, 0);
  for (const char* file : {"results.csv", "summary.csv", "run.json", "report.html", "store.sqlite"})
    EXPECT_TRUE(fs::exists(fs::path(dir) / file)) << file;
  const std::string results = read(fs::path(dir) / "results.csv");
  EXPECT_EQ(results.substr(0, results.find('\n')), "seed,method,test_index,prediction,gold,squared_error,abs_error,status");
  const std::string summary = read(fs::path(dir) / "summary.csv");
  EXPECT_EQ(summary.substr(0, summary.find('\n')), "method,n,mean_mse,median_mse,mean_mae,mean_rank,wins,failures");

  const auto second = oh::experiments::run_compare(o);  // same command: everything comes from the store
  EXPECT_EQ(second.computed, 0);
  EXPECT_EQ(second.reused, 16);
  EXPECT_EQ(read(fs::path(dir) / "results.csv"), results);

  o.protocol.seq_len = 12;  // a changed configuration is recomputed, not trusted
  const auto third = oh::experiments::run_compare(o);
  EXPECT_EQ(third.computed, 16);
}

TEST(Compare, ParallelismDoesNotChangeResults) {
  auto o = options("friedman1", "fair", 20, 6, "ridge,bagging,mlp_uat_1,random", fresh_dir("threads1"));
  o.threads = 1;
  oh::experiments::run_compare(o);
  const std::string one = read(fs::path(o.out_dir) / "results.csv");
  o.out_dir = fresh_dir("threads2");
  o.threads = 2;
  oh::experiments::run_compare(o);
  EXPECT_EQ(read(fs::path(o.out_dir) / "results.csv"), one);
}

TEST(Compare, AMethodThatCannotRunIsRecordedAndTheRunGoesOn) {
  const auto dir = fresh_dir("failure");
  const auto outcome = oh::experiments::run_compare(options("friedman2", "fair", 3, 2, "knn,ridge", dir));
  EXPECT_EQ(find(outcome, "knn").failures, 2);  // k = 5 > 3 training rows
  EXPECT_EQ(find(outcome, "ridge").n, 2);
  const std::string results = read(fs::path(dir) / "results.csv");
  EXPECT_NE(results.find(",knn,0,,"), std::string::npos);
  EXPECT_NE(results.find("failed:"), std::string::npos);
}

TEST(Compare, BadInputIsRejectedBeforeAnyWork) {
  const auto dir = fresh_dir("bad");
  using oh::InputError;
  EXPECT_THROW(oh::experiments::run_compare(options("friedman2", "fair", 25, 2, "knn,nonsense", dir)), InputError);
  EXPECT_THROW(oh::experiments::run_compare(options("nonsense", "fair", 25, 2, "knn", dir)), InputError);
  EXPECT_THROW(oh::experiments::run_compare(options("friedman2", "fair", 25, 2, "constant", dir)), InputError);
  EXPECT_FALSE(fs::exists(dir));  // nothing written for a rejected command
  EXPECT_THROW(oh::experiments::run_compare(options("friedman2", "fair", 25, 2, "knn", "/proc/forbidden/run")),
               InputError);
}

TEST(Compare, MethodOptionsReachTheirMethodAndOnlyItsResumeKey) {
  auto o = options("friedman2", "fair", 10, 2, "gd_regression,ridge", fresh_dir("gd"));
  const auto first = oh::experiments::run_compare(o);
  o.gd_steps = 0;  // zero steps from w = 0, b = 0: every prediction is 0, so MSE = mean(gold²)
  const auto second = oh::experiments::run_compare(o);
  EXPECT_EQ(second.computed, 2);  // gd_regression on both seeds; ridge comes from the store
  EXPECT_EQ(second.reused, 2);
  EXPECT_NE(find(first, "gd_regression").mean_mse, find(second, "gd_regression").mean_mse);
  const std::string results = read(fs::path(o.out_dir) / "results.csv");
  EXPECT_NE(results.find(",gd_regression,0,0.0,"), std::string::npos);
}
