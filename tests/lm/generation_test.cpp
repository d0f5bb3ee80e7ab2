// Generation on Llama and GPT-2: KV-cached decoding against full recomputation, left-padded batches
// against single sequences (padding takes no position id, so GPT-2's learned positions line up too),
// greedy and seeded sampling, stop tokens, bad options.
#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include <filesystem>

#include "core/error.h"
#include "lm/arch/hooked_language_model.h"
#include "tiny_gpt2.h"
#include "tiny_models.h"

namespace oh::lm {
namespace {

namespace fs = std::filesystem;

double max_abs(const at::Tensor& t) { return t.abs().max().item<double>(); }

at::Tensor ids_of(const std::vector<int64_t>& tokens) { return at::tensor(tokens, at::kLong).unsqueeze(0); }

/// The architecture under test: "llama" or "gpt2".
class GenerationTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("oh_generation_test_" + GetParam() + "_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    const std::string path = (dir_ / "model.gguf").string();
    testing::write_tiny_model(path, GetParam(), 5);
    model_ = load_hooked_model(path);
  }
  void TearDown() override { fs::remove_all(dir_); }

  /// Logits of one sequence by a full forward pass, [p, vocab].
  at::Tensor full(const std::vector<int64_t>& tokens) const { return model_->forward(ids_of(tokens)).squeeze(0); }

  at::Tensor cached(const at::Tensor& ids, const at::Tensor& real, KvCache& cache) const {
    hooks::HookPass none(model_->hook_points());
    return model_->forward_cached(ids, real, cache, none);
  }

  /// Float32 reassociation only (matmuls of different shapes): 1e-5 of the logit scale.
  static double tolerance(const at::Tensor& logits) { return 1e-5 * std::max(1.0, max_abs(logits)); }

  fs::path dir_;
  std::unique_ptr<HookedLanguageModel> model_;
  const std::vector<int64_t> a_ = {1, 17, 299, 42, 7, 100}, b_ = {5, 250, 3};
};

TEST_P(GenerationTest, CachedDecodingEqualsFullRecomputation) {
  const std::vector<int64_t> continuation = {8, 120, 64, 2};
  std::vector<int64_t> all = a_;
  all.insert(all.end(), continuation.begin(), continuation.end());
  const at::Tensor reference = full(all);

  KvCache cache;
  const at::Tensor prompt_logits = cached(ids_of(a_), at::ones({1, 6}, at::kBool), cache);
  EXPECT_LT(max_abs(prompt_logits.squeeze(0) - reference.narrow(0, 0, 6)), tolerance(reference));
  for (size_t i = 0; i < continuation.size(); ++i) {
    const at::Tensor step = cached(ids_of({continuation[i]}), at::ones({1, 1}, at::kBool), cache);
    EXPECT_LT(max_abs(step.squeeze(0).squeeze(0) - reference[6 + static_cast<int64_t>(i)]), tolerance(reference)) << i;
  }
  EXPECT_EQ(cache.keys.front().size(2), 10);
  EXPECT_EQ(cache.next_position.item<int64_t>(), 10);
}

TEST_P(GenerationTest, LeftPaddedBatchEqualsUnpaddedSingleRuns) {
  // b_ padded on the left to a_'s length; two different pad ids give bit-identical results.
  auto batch_with_pad = [&](int64_t pad) {
    return at::tensor(std::vector<int64_t>{1, 17, 299, 42, 7, 100, pad, pad, pad, 5, 250, 3}, at::kLong).view({2, 6});
  };
  at::Tensor real = at::ones({2, 6}, at::kBool);
  real[1].narrow(0, 0, 3).fill_(false);
  KvCache cache, other_pad;
  const at::Tensor logits = cached(batch_with_pad(0), real, cache);
  EXPECT_TRUE(at::equal(logits.select(0, 1).narrow(0, 3, 3), cached(batch_with_pad(77), real, other_pad).select(0, 1).narrow(0, 3, 3)));
  const at::Tensor ref_a = full(a_), ref_b = full(b_);
  EXPECT_LT(max_abs(logits[0] - ref_a), tolerance(ref_a));
  EXPECT_LT(max_abs(logits[1].narrow(0, 3, 3) - ref_b), tolerance(ref_b));
  EXPECT_EQ(cache.next_position[1].item<int64_t>(), 3);  // padding takes no position

  // One decoding step for both: a_ + 9 and b_ + 11.
  const at::Tensor step = cached(at::tensor(std::vector<int64_t>{9, 11}, at::kLong).view({2, 1}), at::ones({2, 1}, at::kBool), cache);
  std::vector<int64_t> a9 = a_, b11 = b_;
  a9.push_back(9);
  b11.push_back(11);
  const at::Tensor ref_a9 = full(a9), ref_b11 = full(b11);
  EXPECT_LT(max_abs(step[0][0] - ref_a9[6]), tolerance(ref_a9));
  EXPECT_LT(max_abs(step[1][0] - ref_b11[3]), tolerance(ref_b11));
}

TEST_P(GenerationTest, GreedyGenerationFollowsTheArgmaxOfFullRecomputation) {
  GenerationOptions options;
  options.max_new_tokens = 6;
  const auto generated = model_->generate({a_, b_}, options);
  ASSERT_EQ(generated.size(), 2u);
  for (size_t s = 0; s < 2; ++s) {
    std::vector<int64_t> sequence = s == 0 ? a_ : b_;
    ASSERT_EQ(generated[s].size(), 6u);
    for (int64_t token : generated[s]) {
      const at::Tensor last = full(sequence)[-1];
      // The chosen token is the argmax up to float32 reassociation between cached and full passes.
      EXPECT_LE(last.max().item<double>() - last[token].item<double>(), tolerance(last)) << s;
      sequence.push_back(token);
    }
  }
  // A batch of one gives the same continuation as within the padded batch.
  EXPECT_EQ(model_->generate({b_}, options).front(), generated[1]);
}

TEST_P(GenerationTest, SamplingIsSeededAndTopOneIsGreedy) {
  GenerationOptions greedy;
  greedy.max_new_tokens = 8;
  GenerationOptions sampled = greedy;
  sampled.temperature = 2.0;
  sampled.seed = 1;
  const auto first = model_->generate({a_, b_}, sampled);
  EXPECT_EQ(model_->generate({a_, b_}, sampled), first);
  sampled.seed = 2;
  EXPECT_NE(model_->generate({a_, b_}, sampled), first);
  sampled.top_k = 1;
  EXPECT_EQ(model_->generate({a_, b_}, sampled), model_->generate({a_, b_}, greedy));
}

TEST_P(GenerationTest, SamplingFollowsTheSoftmaxAtTheTemperature) {
  // 400 seeded single draws at temperature 1.5 restricted to the top 3 tokens, against the renormalised
  // softmax probabilities: each frequency within 4.5 standard errors (a deterministic check, seeds 0..399).
  const at::Tensor last = full(a_)[-1].to(at::kDouble);
  const at::Tensor top = std::get<1>(last.topk(3));
  const at::Tensor p = at::softmax(last.index_select(0, top) / 1.5, 0);
  std::vector<int> counts(3, 0);
  GenerationOptions options;
  options.max_new_tokens = 1;
  options.temperature = 1.5;
  options.top_k = 3;
  const int draws = 400;
  for (int seed = 0; seed < draws; ++seed) {
    options.seed = static_cast<uint32_t>(seed);
    const int64_t token = model_->generate({a_}, options).front().front();
    int found = -1;
    for (int i = 0; i < 3; ++i)
      if (top[i].item<int64_t>() == token) found = i;
    ASSERT_GE(found, 0) << "token " << token << " is outside the top 3";
    ++counts[static_cast<size_t>(found)];
  }
  for (int i = 0; i < 3; ++i) {
    const double pi = p[i].item<double>(), frequency = counts[static_cast<size_t>(i)] / double(draws);
    EXPECT_LE(std::abs(frequency - pi), 4.5 * std::sqrt(pi * (1 - pi) / draws)) << i;
  }
}

TEST_P(GenerationTest, StopTokensEndASequence) {
  GenerationOptions options;
  options.max_new_tokens = 5;
  const auto greedy = model_->generate({a_}, options).front();
  options.stop_tokens = {greedy[1]};
  const auto stopped = model_->generate({a_}, options).front();
  const size_t first_stop = static_cast<size_t>(std::find(greedy.begin(), greedy.end(), greedy[1]) - greedy.begin());
  EXPECT_EQ(stopped, std::vector<int64_t>(greedy.begin(), greedy.begin() + static_cast<int64_t>(first_stop) + 1));
}

TEST_P(GenerationTest, BadRequestsAreInputErrors) {
  GenerationOptions options;
  EXPECT_THROW(model_->generate({}, options), InputError);
  EXPECT_THROW(model_->generate({a_, {}}, options), InputError);
  EXPECT_THROW(model_->generate({{1, model_->vocab_size()}}, options), InputError);
  options.max_new_tokens = -1;
  EXPECT_THROW(model_->generate({a_}, options), InputError);
  options.max_new_tokens = 1;
  options.temperature = -0.5;
  EXPECT_THROW(model_->generate({a_}, options), InputError);
  KvCache cache;
  EXPECT_THROW(cached(ids_of(a_), at::ones({1, 5}, at::kBool), cache), InputError);
  cached(ids_of(a_), at::ones({1, 6}, at::kBool), cache);
  EXPECT_THROW(cached(at::ones({2, 1}, at::kLong), at::ones({2, 1}, at::kBool), cache), InputError);  // batch changed
}

TEST(Gpt2Generation, PositionsPastTheContextAreInputErrors) {
  const fs::path dir = fs::temp_directory_path() / ("oh_gpt2_generation_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  testing::TinyGpt2Shape shape;
  shape.context = 8;
  testing::write_tiny_gpt2((dir / "m.gguf").string(), testing::tiny_gpt2_vocabulary(), shape, 1);
  const auto model = load_hooked_model((dir / "m.gguf").string());
  fs::remove_all(dir);
  GenerationOptions options;
  options.max_new_tokens = 3;
  EXPECT_EQ(model->generate({{1, 2, 3, 4, 5, 6}}, options).front().size(), 3u);  // positions 0..7: the last token fits
  options.max_new_tokens = 4;
  try {
    model->generate({{1, 2, 3, 4, 5, 6}}, options);
    ADD_FAILURE() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("gpt2: position 8 is past the model's context length 8"), std::string::npos) << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(Architectures, GenerationTest, ::testing::Values("llama", "gpt2"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace oh::lm
