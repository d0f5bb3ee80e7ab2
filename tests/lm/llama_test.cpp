// The Llama architecture without a reference: structural identities (GQA is MHA with shared KV heads,
// tied output is untied output with a copy of token_embd), bad models and tokens as InputError, the
// .npy/.json logits files, and the `logits` command's exit codes. Agreement with llama.cpp is
// lm_logits_conformance (label `reference`).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/error.h"
#include "lm/arch/architecture_registry.h"
#include "lm/arch/logits_file.h"
#include "lm/format/gguf_reader.h"
#include "lm/format/gguf_writer.h"
#include "tiny_llama.h"

namespace oh::lm {
namespace {

namespace fs = std::filesystem;

/// 300 single-character tokens: enough for a model file; the tokenizer is not under test here.
class LlamaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("oh_llama_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write_model(const std::string& name, testing::TinyLlamaShape shape, uint32_t seed = 3) {
    shape.n_layer = 2;
    shape.weight_std = 0.3f;
    shape.random_norms = true;
    const std::string path = (dir_ / name).string();
    testing::write_tiny_llama(path, testing::numbered_vocabulary(300), shape, seed);
    return path;
  }

  /// Copies `source` to `name`, letting `edit` change each tensor (name, shape, values; an empty name
  /// drops it) and the metadata before writing.
  using TensorEdit = std::function<void(std::string&, std::vector<uint64_t>&, std::vector<float>&)>;
  std::string rewrite(const std::string& source, const std::string& name, const TensorEdit& edit,
                      const std::function<void(GgufWriter&)>& extra = {}) {
    const GgufFile file = GgufFile::open(source);
    GgufWriter writer;
    for (const auto& [key, value] : file.metadata()) writer.set(key, value);
    if (extra) extra(writer);
    for (const auto& info : file.tensors()) {
      std::string tensor_name = info.name;
      std::vector<uint64_t> shape = info.shape();
      std::vector<float> values = file.dequantized(info);
      edit(tensor_name, shape, values);
      if (!tensor_name.empty()) writer.add_tensor(tensor_name, shape, values, info.type);
    }
    const std::string path = (dir_ / name).string();
    writer.write(path);
    return path;
  }

  static double max_abs_difference(const LogitsMatrix& a, const LogitsMatrix& b) {
    EXPECT_EQ(a.positions, b.positions);
    EXPECT_EQ(a.vocab, b.vocab);
    double worst = 0;
    for (size_t i = 0; i < a.values.size(); ++i) worst = std::max(worst, std::abs(double(a.values[i]) - b.values[i]));
    return worst;
  }

  fs::path dir_;
  const std::vector<int64_t> tokens_ = {1, 17, 299, 42, 42, 5, 0, 123};
};

TEST_F(LlamaTest, GroupedQueryAttentionEqualsMultiHeadWithSharedKvHeads) {
  testing::TinyLlamaShape shape;
  shape.n_head = 4;
  shape.n_head_kv = 2;
  const std::string gqa = write_model("gqa.gguf", shape);
  // The MHA model whose KV head h is the GQA model's KV head h / 2 (rows are per-head blocks).
  const uint64_t head_dim = shape.n_embd / shape.n_head;
  const std::string mha = rewrite(gqa, "mha.gguf", [&](std::string& name, std::vector<uint64_t>& dims, std::vector<float>& v) {
    if (name.find("attn_k.") == std::string::npos && name.find("attn_v.") == std::string::npos) return;
    std::vector<float> wide;
    const uint64_t block = head_dim * dims[1];
    for (uint64_t h = 0; h < shape.n_head; ++h) {
      const auto begin = v.begin() + static_cast<std::ptrdiff_t>((h / 2) * block);
      wide.insert(wide.end(), begin, begin + static_cast<std::ptrdiff_t>(block));
    }
    v = wide;
    dims[0] = head_dim * shape.n_head;
  }, [&](GgufWriter& w) { w.set_u32("llama.attention.head_count_kv", shape.n_head); });
  const LogitsMatrix a = load_model(gqa)->logits(tokens_), b = load_model(mha)->logits(tokens_);
  double max_logit = 0;
  for (float x : a.values) max_logit = std::max(max_logit, double(std::abs(x)));
  ASSERT_GT(max_logit, 1.0);  // the weights are large enough for the comparison to mean something
  // Same sums in the same order up to BLAS blocking over a different number of rows.
  EXPECT_LE(max_abs_difference(a, b), 1e-5 * max_logit);
}

TEST_F(LlamaTest, TiedOutputEqualsAnUntiedCopyOfTheEmbedding) {
  const std::string tied = write_model("tied.gguf", {});
  const GgufFile file = GgufFile::open(tied);
  const std::vector<float> embedding = file.dequantized(file.tensor("token_embd.weight"));
  const std::string untied = rewrite(tied, "untied.gguf", [](std::string&, std::vector<uint64_t>&, std::vector<float>&) {},
                                     [&](GgufWriter& w) {
                                       w.add_tensor("output.weight", file.tensor("token_embd.weight").shape(), embedding,
                                                    GgmlType::F32);
                                     });
  EXPECT_EQ(max_abs_difference(load_model(tied)->logits(tokens_), load_model(untied)->logits(tokens_)), 0.0);
}

TEST_F(LlamaTest, EarlierPositionsDoNotSeeLaterTokens) {
  const auto model = load_model(write_model("causal.gguf", {}));
  const LogitsMatrix full = model->logits(tokens_);
  const LogitsMatrix prefix = model->logits({tokens_.begin(), tokens_.begin() + 3});
  for (int64_t i = 0; i < prefix.positions * prefix.vocab; ++i)
    ASSERT_NEAR(prefix.values[static_cast<size_t>(i)], full.values[static_cast<size_t>(i)], 1e-5) << "index " << i;
  // ...and later positions do see earlier ones: changing token 0 changes the last position.
  std::vector<int64_t> changed = tokens_;
  changed[0] = 2;
  const LogitsMatrix other = model->logits(changed);
  const auto last = static_cast<size_t>((full.positions - 1) * full.vocab);
  EXPECT_GT(std::abs(other.values[last] - full.values[last]), 1e-3);
}

void expect_input_error(const std::function<void()>& action, const std::string& fragment) {
  try {
    action();
    ADD_FAILURE() << "no InputError; expected one mentioning '" << fragment << "'";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST_F(LlamaTest, BadModelsAndTokensAreInputErrors) {
  const std::string good = write_model("good.gguf", {});
  auto keep = [](std::string&, std::vector<uint64_t>&, std::vector<float>&) {};
  const std::string gpt9 = rewrite(good, "gpt9.gguf", keep, [](GgufWriter& w) { w.set_string("general.architecture", "gpt9"); });
  expect_input_error([&] { load_model(gpt9); }, "unknown architecture 'gpt9' (supported: llama, gpt2)");

  const std::string missing = rewrite(good, "missing.gguf", [](std::string& name, std::vector<uint64_t>&, std::vector<float>&) {
    if (name == "blk.1.ffn_up.weight") name.clear();
  });
  expect_input_error([&] { load_model(missing); }, "missing tensor 'blk.1.ffn_up.weight'");

  const std::string wrong = rewrite(good, "wrong.gguf", [](std::string& name, std::vector<uint64_t>& dims, std::vector<float>& v) {
    if (name == "blk.0.attn_v.weight") v.resize(v.size() / 2), dims[0] /= 2;
  });
  expect_input_error([&] { load_model(wrong); }, "tensor 'blk.0.attn_v.weight' has shape [8, 32], expected [16, 32]");

  const std::string heads = rewrite(good, "heads.gguf", keep, [](GgufWriter& w) { w.set_u32("llama.attention.head_count_kv", 3); });
  expect_input_error([&] { load_model(heads); }, "is not a multiple of llama.attention.head_count_kv 3");

  const auto model = load_model(good);
  expect_input_error([&] { model->logits({1, 300}); }, "token 1 has id 300, outside the llama model's vocabulary [0, 300)");
  expect_input_error([&] { model->logits({-1}); }, "token 0 has id -1");
  expect_input_error([&] { model->logits({}); }, "no tokens");
}

TEST(LogitsFile, NpyIsVersion1LittleEndianFloat32COrderAlignedTo64) {
  const LogitsMatrix m{2, 3, {0.5f, -1.0f, 2.0f, 3.25f, -0.125f, 1e-3f}};
  const std::string bytes = npy_bytes(m);
  ASSERT_EQ(bytes.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
  const size_t header_length = static_cast<uint8_t>(bytes[8]) | static_cast<uint8_t>(bytes[9]) << 8;
  EXPECT_EQ((10 + header_length) % 64, 0u);
  const std::string header = bytes.substr(10, header_length);
  EXPECT_EQ(header.rfind("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 0), 0u) << header;
  EXPECT_EQ(header.back(), '\n');
  ASSERT_EQ(bytes.size(), 10 + header_length + 6 * sizeof(float));
  std::vector<float> data(6);
  std::memcpy(data.data(), bytes.data() + 10 + header_length, 6 * sizeof(float));
  EXPECT_EQ(data, m.values);
}

TEST_F(LlamaTest, JsonLogitsAreRowsThatRoundTripToFloat32) {
  const LogitsMatrix m{2, 2, {0.1f, -3.0e-7f, 123.456f, 1.0f}};
  const std::string path = (dir_ / "logits.json").string();
  write_logits(path, m);
  std::ifstream in(path);
  const auto rows = nlohmann::json::parse(in);
  ASSERT_EQ(rows.size(), 2u);
  for (size_t p = 0; p < 2; ++p)
    for (size_t t = 0; t < 2; ++t) EXPECT_EQ(rows[p][t].get<float>(), m.values[p * 2 + t]);
}

int run_cli(const std::string& arguments) {
  const int status = std::system((std::string(OH_CLI_PATH) + " " + arguments + " 2>/dev/null").c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST_F(LlamaTest, LogitsCommandWritesTheLibrarysLogitsAndRejectsBadInput) {
  const std::string model = write_model("cli.gguf", {});
  const std::string out = (dir_ / "cli.npy").string();
  ASSERT_EQ(run_cli("logits --model " + model + " --tokens 1,17,299 --out " + out), 0);
  std::ifstream in(out, std::ios::binary);
  const std::string written((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(written, npy_bytes(load_model(model)->logits({1, 17, 299})));

  EXPECT_EQ(run_cli("logits --model " + model + " --tokens 1,300 --out " + out), 2);
  EXPECT_EQ(run_cli("logits --model " + model + " --tokens 1,x --out " + out), 2);
  EXPECT_EQ(run_cli("logits --model " + model + " --out " + out), 2);
  EXPECT_EQ(run_cli("logits --model " + model + " --tokens 1 --text a --out " + out), 2);
  EXPECT_EQ(run_cli("logits --model /nonexistent.gguf --tokens 1 --out " + out), 2);
  const std::string gpt9 = rewrite(model, "cli_gpt9.gguf", [](std::string&, std::vector<uint64_t>&, std::vector<float>&) {},
                                   [](GgufWriter& w) { w.set_string("general.architecture", "gpt9"); });
  EXPECT_EQ(run_cli("logits --model " + gpt9 + " --tokens 1 --out " + out), 2);
}

}  // namespace
}  // namespace oh::lm
