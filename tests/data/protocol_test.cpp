// Presets (DESIGN §4.3), their published anchors, and the prompt text (§4.4).
#include <gtest/gtest.h>

#include "core/error.h"
#include "data/prompt.h"
#include "data/protocol.h"

namespace {

oh::data::Protocol make(const std::string& dataset, const std::string& protocol, int seq_len = 25, int n_test = 1,
                        std::vector<uint32_t> seeds = {}) {
  oh::data::ProtocolRequest r;
  r.dataset = dataset;
  r.protocol = protocol;
  r.seq_len = seq_len;
  r.n_test = n_test;
  r.seeds = std::move(seeds);
  return oh::data::Protocol(r);
}

std::string prompt_for(const oh::data::Protocol& p, const oh::data::Episode& e, int query_row = 0) {
  oh::data::PromptFormat format{p.prompt_decimals(), p.answer_prefix(), p.feature_names()};
  return oh::data::render_prompt(e.X_prompt, e.y_prompt, e.X_query.row(query_row), format);
}

}  // namespace

TEST(Protocol, OptimHunterFriedman2Seed1Anchor) {
  const auto p = make("friedman2", "optim_hunter", 25, 1, {1});
  const auto e = p.episode(1);
  ASSERT_EQ(e.X_fit.rows(), 50);  // regressors see every training row, seq_len ignored
  EXPECT_EQ(e.X_prompt.rows(), 25);
  EXPECT_EQ(e.X_fit(0, 0), 39.68);
  EXPECT_EQ(e.X_fit(0, 1), 1005.89);
  EXPECT_EQ(e.X_fit(0, 2), 0.42);
  EXPECT_EQ(e.X_fit(0, 3), 7.85);
  EXPECT_EQ(e.y_fit(0), 423.53);
  ASSERT_EQ(e.y_score.size(), 1);
  EXPECT_EQ(e.y_score(0), 146.8);
  EXPECT_EQ(e.random_state, 1u);
}

TEST(Protocol, Llm4RegressionFriedman2Seed1000Anchor) {
  const auto p = make("friedman2", "llm4regression", 50, 1, {1000});
  const auto e = p.episode(1000);
  EXPECT_EQ(e.X_fit.rows(), 50);
  ASSERT_EQ(e.y_score.size(), 1);
  EXPECT_EQ(e.y_score(0), 689.01);
  EXPECT_EQ(e.random_state, 1u);
}

TEST(Protocol, Llm4RegressionOriginal1PromptAnchor) {
  const auto p = make("original1", "llm4regression", 2, 1, {1});
  EXPECT_EQ(prompt_for(p, p.episode(1)),
            std::string(oh::data::kPromptInstruction) +
                "Feature 0: 0.01\nOutput: 10.03\n\nFeature 0: 72.03\nOutput: 67.84\n\nFeature 0: 41.7\nOutput:");
}

TEST(Protocol, FairDefaults) {
  const auto p = make("friedman1", "fair", 25, 3);
  EXPECT_EQ(p.seeds().size(), 100u);
  EXPECT_EQ(p.seeds().front(), 0u);
  EXPECT_EQ(p.n_features(), 10);
  const auto e = p.episode(5);
  EXPECT_EQ(e.X_fit.rows(), 25);  // every method sees the first seq_len training rows
  EXPECT_EQ(e.X_fit, e.X_prompt);
  EXPECT_EQ(e.X_score.rows(), 3);
  EXPECT_EQ(e.X_query, e.X_score);  // the LLM is asked about the same rows
  EXPECT_EQ(e.random_state, 5u);
  for (Eigen::Index i = 0; i < e.X_fit.rows(); ++i)  // data rounded to 3 decimals
    EXPECT_EQ(e.X_fit(i, 0), std::nearbyint(e.X_fit(i, 0) * 1000) / 1000);
  const std::string prompt = prompt_for(p, e);
  EXPECT_EQ(prompt.substr(prompt.size() - 9), "\nOutput: ");
}

TEST(Protocol, Original2HeadSplit) {
  const auto p = make("original2", "optim_hunter", 25, 1, {0});
  const auto e = p.episode(0);
  EXPECT_EQ(e.X_fit.rows(), 64);
  EXPECT_EQ(e.X_score.rows(), 32);
  EXPECT_EQ(e.X_query.rows(), 1);
  const auto fair = make("original2", "fair", 64, 32).episode(0);
  EXPECT_EQ(fair.X_fit.rows(), 64);
  EXPECT_EQ(fair.X_score.rows(), 32);
}

TEST(Protocol, Llm4RegressionQuirks) {
  const auto p = make("regression_ni33", "llm4regression", 10);
  EXPECT_EQ(p.n_features(), 2);  // the published preset's ni33 has 2 features
  EXPECT_EQ(p.seeds().front(), 1u);
  EXPECT_EQ(make("friedman1", "llm4regression").n_features(), 5);
}

TEST(Protocol, BadRequestsAreInputErrors) {
  EXPECT_THROW(make("friedman2", "nonsense"), oh::InputError);
  EXPECT_THROW(make("nonsense", "fair"), oh::InputError);
  EXPECT_THROW(make("original1", "optim_hunter"), oh::InputError);  // never published
  EXPECT_THROW(make("linear", "llm4regression"), oh::InputError);
  EXPECT_THROW(make("friedman2", "fair", 51), oh::InputError);  // more context than training rows
  EXPECT_THROW(make("original2", "fair", 25, 33), oh::InputError);  // 32 test rows only
  EXPECT_THROW(make("friedman2", "optim_hunter", 25, 2), oh::InputError);
  EXPECT_THROW(make("friedman2", "fair", 0), oh::InputError);
  try {
    make("original1", "optim_hunter");
  } catch (const oh::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("friedman1, friedman2, friedman3, original2"), std::string::npos);
  }
}

TEST(Protocol, EpisodesAreDeterministic) {
  const auto p = make("original4", "fair", 20, 2);
  const auto a = p.episode(17), b = p.episode(17);
  EXPECT_EQ(a.X_fit, b.X_fit);
  EXPECT_EQ(a.y_score, b.y_score);
  EXPECT_NE(a.X_fit, p.episode(18).X_fit);
}
