// TransformerLens's weight processing (ModelOptions::tl_processing) on Llama and GPT-2: the processed
// model computes the same function up to what each step changes by design — logits shift by their
// mean over the vocabulary (center_unembed), GPT-2's residual stream loses its mean over d
// (center_writing_weights, which the LayerNorms ignore) — and its norms carry no weights any more.
//
// Tolerance: processing re-associates float32 products (W·diag(g) then x̂, instead of W then g ⊙ x̂;
// b + W·β once instead of per position), a few units in the last place per dot product of ≤ 128 terms
// on these tiny models: 1e-5·max(1, max|value|) covers γ_128·Σ|terms| with room, while a step applied
// wrongly (a norm weight dropped, a bias not folded) moves values by O(0.1).
#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include <filesystem>

#include "hooks/run.h"
#include "lm/arch/hooked_language_model.h"
#include "tiny_models.h"

namespace oh::lm {
namespace {

namespace fs = std::filesystem;

double max_abs(const at::Tensor& t) { return t.abs().max().item<double>(); }
double tolerance(const at::Tensor& reference) { return 1e-5 * std::max(1.0, max_abs(reference)); }

/// The architecture under test: "llama" or "gpt2".
class TlProcessingTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("oh_tl_processing_test_" + GetParam() + "_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    const std::string path = (dir_ / "model.gguf").string();
    // Llama's norm weights are random (folding them matters), its output tied (folding the final norm must
    // not change the embedding), its matrices Q8_0 (converted at load when processed); GPT-2's LayerNorm
    // weights and biases are random.
    testing::write_tiny_model(path, GetParam(), 9, GetParam() == "llama" ? GgmlType::Q8_0 : GgmlType::F32);
    ModelOptions processed;
    processed.tl_processing = true;
    plain_ = load_hooked_model(path);
    processed_ = load_hooked_model(path, processed);
    ids_ = at::tensor(std::vector<int64_t>{5, 9, 200, 33, 1, 2, 3, 4, 250, 11, 64, 7}, at::kLong).view({2, 6});
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
  std::unique_ptr<HookedLanguageModel> plain_, processed_;
  at::Tensor ids_;
};

TEST_P(TlProcessingTest, LogitsShiftByTheirMeanOverTheVocabulary) {
  const at::Tensor plain = plain_->forward(ids_), processed = processed_->forward(ids_);
  const at::Tensor expected = plain - plain.mean(-1, true);
  EXPECT_LE(max_abs(processed - expected), tolerance(plain));
  EXPECT_LE(max_abs(processed.mean(-1)), tolerance(plain));
  EXPECT_GT(max_abs(plain.mean(-1)), 100 * tolerance(plain));  // the shift is not vacuous
  EXPECT_LE(max_abs(at::log_softmax(processed, -1) - at::log_softmax(plain, -1)), 2 * tolerance(plain));
}

TEST_P(TlProcessingTest, NormsCarryNoWeightsAndQueriesAreUnchanged) {
  const hooks::OutputHead head = processed_->output_head();
  EXPECT_TRUE(at::equal(head.norm_weight, at::ones_like(head.norm_weight)));
  if (head.norm_bias.defined()) EXPECT_TRUE(at::equal(head.norm_bias, at::zeros_like(head.norm_bias)));
  // The queries read the normalised stream through the folded matrices: the same values (GPT-2's
  // residual stream is centred, which its LayerNorm removes anyway).
  const hooks::CachedRun plain = hooks::run_with_cache(*plain_, ids_), processed = hooks::run_with_cache(*processed_, ids_);
  for (int l = 0; l < plain_->n_layers(); ++l) {
    const std::string q = "blocks." + std::to_string(l) + ".attn.hook_q", k = "blocks." + std::to_string(l) + ".attn.hook_k";
    EXPECT_LE(max_abs(processed.cache[q] - plain.cache[q]), tolerance(plain.cache[q])) << q;
    EXPECT_LE(max_abs(processed.cache[k] - plain.cache[k]), tolerance(plain.cache[k])) << k;
    const std::string pattern = "blocks." + std::to_string(l) + ".attn.hook_pattern";
    EXPECT_LE(max_abs(processed.cache[pattern] - plain.cache[pattern]), 1e-5) << pattern;
  }
}

TEST_P(TlProcessingTest, Gpt2ResidualStreamIsCentredAndValueBiasesMoveIntoTheOutputBias) {
  if (GetParam() != "gpt2") GTEST_SKIP() << "TransformerLens centres writing weights of LayerNorm models only";
  const hooks::CachedRun plain = hooks::run_with_cache(*plain_, ids_), processed = hooks::run_with_cache(*processed_, ids_);
  for (int l = 0; l <= plain_->n_layers(); ++l) {
    const std::string name = l < plain_->n_layers() ? "blocks." + std::to_string(l) + ".hook_resid_pre"
                                                    : "blocks." + std::to_string(l - 1) + ".hook_resid_post";
    const at::Tensor r = processed.cache[name], original = plain.cache[name];
    EXPECT_LE(max_abs(r.mean(-1)), tolerance(original)) << name;
    EXPECT_GT(max_abs(original.mean(-1)), 100 * tolerance(original)) << name;  // centring changed something
    EXPECT_LE(max_abs(r - (original - original.mean(-1, true))), tolerance(original)) << name;
  }
  // hook_v lost b_V; the attention output (b_O absorbed W_O·b_V) is the centred original.
  const at::Tensor v = processed.cache["blocks.0.attn.hook_v"], v_plain = plain.cache["blocks.0.attn.hook_v"];
  EXPECT_GT(max_abs(v - v_plain), 1e-3);
  const at::Tensor out = processed.cache["blocks.0.hook_attn_out"], out_plain = plain.cache["blocks.0.hook_attn_out"];
  EXPECT_LE(max_abs(out - (out_plain - out_plain.mean(-1, true))), tolerance(out_plain));
}

INSTANTIATE_TEST_SUITE_P(Architectures, TlProcessingTest, ::testing::Values("llama", "gpt2"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace oh::lm
