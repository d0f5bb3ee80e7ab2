// The CUDA path (issue 3 item 12): device names are checked on every build; with a CUDA libtorch and a
// GPU, the same file on `cuda` gives the CPU's logits, hook values and generations within the tolerance
// below. Without one, the CUDA cases skip (CI has no GPU: scripts/build_against_pytorch.sh builds this
// against PyTorch's CUDA libtorch, and the note records the GPU run).
//
// Tolerance: both devices compute in float32 on the same dequantised weights; they differ only in the
// order of summation inside matmuls and reductions (cuBLAS vs oneDNN/BLAS; TF32 stays off, PyTorch's
// default) and in last-bit differences of exp/tanh. That is the situation of the llama.cpp conformance
// check, so the same bound applies: max |Δ| ≤ 1e-4 · max(1, max |CPU value|) per tensor.
#include <gtest/gtest.h>

#include <ATen/ATen.h>
#include <ATen/Context.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/error.h"
#include "hooks/run.h"
#include "lm/arch/architecture_registry.h"
#include "lm/arch/device.h"
#include "lm/arch/hooked_language_model.h"
#include "tiny_gpt2.h"
#include "tiny_llama.h"

namespace oh::lm {
namespace {

namespace fs = std::filesystem;

bool cuda_usable() { return at::hasCUDA() && at::getNumGPUs() > 0; }

ModelOptions on(const std::string& device, bool llama_cpp_rounding = false) {
  ModelOptions options;
  options.device = device;
  options.llama_cpp_rounding = llama_cpp_rounding;
  return options;
}

/// max |gpu − cpu| over the bound 1e-4·max(1, max|cpu|): ≤ 1 passes. Equal entries count as no
/// difference, so masked attention scores (−inf on both devices) compare; −inf against a finite value
/// gives an infinite ratio.
double bound_ratio(const at::Tensor& cpu, const at::Tensor& gpu) {
  const at::Tensor reference = cpu.to(at::kCPU, at::kDouble);
  const at::Tensor other = gpu.to(at::kCPU, at::kDouble);
  const at::Tensor finite = reference.isfinite();
  const double scale = std::max(1.0, reference.masked_select(finite).abs().max().item<double>());
  const at::Tensor difference = at::where(other == reference, at::zeros_like(reference), (other - reference).abs());
  return difference.nan_to_num(INFINITY).max().item<double>() / (1e-4 * scale);
}

double bound_ratio(const LogitsMatrix& cpu, const LogitsMatrix& gpu) {
  EXPECT_EQ(cpu.positions, gpu.positions);
  EXPECT_EQ(cpu.vocab, gpu.vocab);
  const auto tensor = [](const LogitsMatrix& m) {
    return at::from_blob(const_cast<float*>(m.values.data()), {m.positions, m.vocab}, at::kFloat);
  };
  return bound_ratio(tensor(cpu), tensor(gpu));
}

/// A [positions, vocab] .npy written by write_logits (its fixed header layout; data after it).
LogitsMatrix read_npy_logits(const std::string& path, int64_t positions, int64_t vocab) {
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  LogitsMatrix m{positions, vocab, std::vector<float>(static_cast<size_t>(positions * vocab))};
  if (bytes.size() < 10) return m;
  const size_t header = static_cast<uint8_t>(bytes[8]) | static_cast<uint8_t>(bytes[9]) << 8;
  EXPECT_EQ(bytes.size(), 10 + header + m.values.size() * sizeof(float)) << path;
  if (bytes.size() == 10 + header + m.values.size() * sizeof(float))
    std::memcpy(m.values.data(), bytes.data() + 10 + header, m.values.size() * sizeof(float));
  return m;
}

template <typename F>
void expect_input_error(F&& f, const std::string& fragment) {
  try {
    f();
    ADD_FAILURE() << "expected InputError containing: " << fragment;
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

class CudaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("oh_cuda_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string llama(const std::string& name, testing::TinyLlamaShape shape, GgmlType type = GgmlType::F32, uint32_t seed = 3) {
    const std::string path = (dir_ / name).string();
    testing::write_tiny_llama(path, testing::numbered_vocabulary(300), shape, seed, type);
    return path;
  }

  static testing::TinyLlamaShape sharp_shape() {
    testing::TinyLlamaShape shape;  // 4 query heads on 2 KV heads
    shape.n_layer = 2;
    shape.weight_std = 0.3f;  // sharp attention: position and mask errors show
    shape.random_norms = true;
    shape.tied_output = false;
    return shape;
  }

  fs::path dir_;
};

TEST_F(CudaTest, DeviceNamesAreCheckedOnEveryBuild) {
  expect_input_error([] { resolve_device("tpu"); }, "unknown device 'tpu' (cpu, cuda or cuda:N)");
  expect_input_error([] { resolve_device("cuda:x"); }, "unknown device 'cuda:x'");
  EXPECT_TRUE(resolve_device("cpu").is_cpu());
  const std::string model = llama("names.gguf", testing::TinyLlamaShape{});
  if (!at::hasCUDA()) {
    expect_input_error([] { resolve_device("cuda"); }, "this build's libtorch has no CUDA");
    expect_input_error([&] { load_model(model, on("cuda")); }, "this build's libtorch has no CUDA");
  } else if (cuda_usable()) {
    EXPECT_TRUE(resolve_device("cuda").is_cuda());
    expect_input_error([] { resolve_device("cuda:99"); }, "CUDA GPU(s) are visible");
  }
}

TEST_F(CudaTest, LlamaLogitsOnCudaMatchTheCpuForEveryWeightType) {
  if (!cuda_usable()) GTEST_SKIP() << "no CUDA libtorch or no GPU";
  const std::vector<int64_t> tokens = {1, 17, 299, 42, 42, 7, 100, 250, 3, 0, 64, 128};
  testing::TinyLlamaShape rope_freqs = sharp_shape();
  rope_freqs.rope_freqs = true;
  testing::TinyLlamaShape k_quant_shape = sharp_shape();  // K-quant blocks are 256 wide
  k_quant_shape.n_embd = 256;
  k_quant_shape.n_ff = 256;
  k_quant_shape.weight_std = 0.05f;
  struct Case {
    std::string name;
    testing::TinyLlamaShape shape;
    GgmlType type;
  };
  const std::vector<Case> cases = {
      {"f32.gguf", sharp_shape(), GgmlType::F32},       {"rope_freqs.gguf", rope_freqs, GgmlType::F32},
      {"f16.gguf", sharp_shape(), GgmlType::F16},       {"bf16.gguf", sharp_shape(), GgmlType::BF16},
      {"q8_0.gguf", sharp_shape(), GgmlType::Q8_0},     {"q4_0.gguf", sharp_shape(), GgmlType::Q4_0},
      {"q4_k.gguf", k_quant_shape, GgmlType::Q4_K},     {"q6_k.gguf", k_quant_shape, GgmlType::Q6_K},
  };
  for (const Case& c : cases) {
    const std::string path = llama(c.name, c.shape, c.type);
    // llama.cpp's rounding of activations to fp16/bf16 moves a value by at most one ulp of that type when a
    // float-order difference puts it on the other side of a rounding boundary. Its Q8_0/Q8_K rounding can
    // move it by a whole quantisation step (1/127 of its block's maximum), which no float-order bound
    // covers: on the GPU machine a Q6_K model differed by 150× the bound that way. So the emulation is
    // compared across devices for fp16/bf16 only.
    const bool rounding_is_comparable = c.type == GgmlType::F16 || c.type == GgmlType::BF16;
    for (const bool rounding : {false, true}) {
      if (rounding && !rounding_is_comparable) continue;
      const double ratio = bound_ratio(load_model(path, on("cpu", rounding))->logits(tokens),
                                       load_model(path, on("cuda", rounding))->logits(tokens));
      EXPECT_LE(ratio, 1.0) << c.name << (rounding ? " with llama.cpp's rounding" : "");
      std::cout << c.name << (rounding ? " (llama.cpp rounding)" : "") << ": max|Δ| / bound = " << ratio << "\n";
    }
  }
}

TEST_F(CudaTest, HookValuesOnCudaMatchTheCpuAndStayOnTheDevice) {
  if (!cuda_usable()) GTEST_SKIP() << "no CUDA libtorch or no GPU";
  const std::string path = llama("hooks.gguf", sharp_shape());
  const auto cpu = load_hooked_model(path, on("cpu"));
  const auto gpu = load_hooked_model(path, on("cuda"));
  const at::Tensor ids = at::tensor(std::vector<int64_t>{5, 9, 200, 33, 1, 2, 3, 4, 250, 11}, at::kLong).view({2, 5});
  hooks::CacheOptions options;
  options.names = hooks::NameFilter::all();
  const hooks::CachedRun on_cpu = hooks::run_with_cache(*cpu, ids, options);
  const hooks::CachedRun on_gpu = hooks::run_with_cache(*gpu, ids, options);
  EXPECT_TRUE(on_gpu.output.is_cuda());
  ASSERT_EQ(on_cpu.cache.names(), on_gpu.cache.names());
  EXPECT_GT(on_gpu.cache.size(), 30u);
  for (const auto& [name, value] : on_gpu.cache.entries()) {
    EXPECT_TRUE(value.is_cuda()) << name;
    EXPECT_LE(bound_ratio(on_cpu.cache[name], value), 1.0) << name;
  }
  EXPECT_LE(bound_ratio(on_cpu.output, on_gpu.output), 1.0);

  // A hook that replaces a value on the GPU: zeroing every attention pattern of block 0 gives the model
  // without block 0's attention output on both devices.
  const auto zero_pattern = [](const at::Tensor& v, const hooks::HookContext&) { return std::optional<at::Tensor>(at::zeros_like(v)); };
  const at::Tensor ablated_cpu = hooks::run_with_hooks(*cpu, ids, {{"blocks.0.attn.hook_pattern", zero_pattern}});
  const at::Tensor ablated_gpu = hooks::run_with_hooks(*gpu, ids, {{"blocks.0.attn.hook_pattern", zero_pattern}});
  EXPECT_LE(bound_ratio(ablated_cpu, ablated_gpu), 1.0);
  EXPECT_GT((ablated_cpu - on_cpu.output).abs().max().item<double>(), 1e-2);  // the ablation changed something
}

TEST_F(CudaTest, CachedGenerationOnCudaFollowsTheCpu) {
  if (!cuda_usable()) GTEST_SKIP() << "no CUDA libtorch or no GPU";
  const std::string path = llama("generate.gguf", sharp_shape());
  const auto cpu = load_hooked_model(path, on("cpu"));
  const auto gpu = load_hooked_model(path, on("cuda"));
  // Prompts of different lengths: left padding and its position ids run on the device.
  const std::vector<std::vector<int64_t>> prompts = {{5, 9, 200, 33}, {250, 11}, {7}};
  GenerationOptions greedy;
  greedy.max_new_tokens = 12;
  EXPECT_EQ(cpu->generate(prompts, greedy), gpu->generate(prompts, greedy));
  GenerationOptions sampled = greedy;
  sampled.temperature = 0.8;
  sampled.top_k = 20;
  sampled.seed = 4;
  EXPECT_EQ(cpu->generate(prompts, sampled), gpu->generate(prompts, sampled));

  // Cached decoding on the GPU equals recomputation on the GPU.
  KvCache cache;
  hooks::HookPass none(gpu->hook_points());
  const at::Tensor first = at::tensor(std::vector<int64_t>{5, 9, 200}, at::kLong).view({1, 3});
  const at::Tensor all = at::tensor(std::vector<int64_t>{5, 9, 200, 33}, at::kLong).view({1, 4});
  gpu->forward_cached(first, at::ones({1, 3}, at::kBool), cache, none);
  const at::Tensor step = gpu->forward_cached(all.narrow(1, 3, 1), at::ones({1, 1}, at::kBool), cache, none);
  EXPECT_LE(bound_ratio(gpu->forward(all).narrow(1, 3, 1), step), 1.0);
}

TEST_F(CudaTest, Gpt2LogitsOnCudaMatchTheCpu) {
  if (!cuda_usable()) GTEST_SKIP() << "no CUDA libtorch or no GPU";
  testing::TinyGpt2Shape shape;
  shape.weight_std = 0.2f;
  shape.tied_output = false;
  const std::vector<int64_t> tokens = {932, 5, 700, 701, 64, 65, 66, 900, 1, 2};
  for (const GgmlType type : {GgmlType::F32, GgmlType::F16, GgmlType::Q8_0}) {
    const std::string path = (dir_ / ("gpt2_" + std::string(ggml_type_traits(type).name) + ".gguf")).string();
    testing::write_tiny_gpt2(path, testing::tiny_gpt2_vocabulary(), shape, 8, type);
    EXPECT_LE(bound_ratio(load_model(path, on("cpu"))->logits(tokens), load_model(path, on("cuda"))->logits(tokens)), 1.0)
        << ggml_type_traits(type).name;
  }
  const std::string f32 = (dir_ / "gpt2_F32.gguf").string();  // the fp16 GELU table emulation on the GPU
  EXPECT_LE(bound_ratio(load_model(f32, on("cpu", true))->logits(tokens), load_model(f32, on("cuda", true))->logits(tokens)), 1.0);
}

TEST_F(CudaTest, LogitsCommandRunsOnTheRequestedDevice) {
  const std::string model = llama("cli.gguf", sharp_shape());
  const auto run = [&](const std::string& device, const std::string& out) {
    const int status = std::system((std::string(OH_CLI_PATH) + " logits --model " + model + " --tokens 1,17,299,4 --device " +
                                    device + " --out " + out + " 2>" + (dir_ / "stderr").string())
                                       .c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  };
  const auto stderr_text = [&] {
    std::ifstream in(dir_ / "stderr");
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  };
  const std::string cpu_out = (dir_ / "cpu.npy").string(), gpu_out = (dir_ / "gpu.npy").string();
  ASSERT_EQ(run("cpu", cpu_out), 0);
  EXPECT_EQ(run("tpu", gpu_out), 2);
  EXPECT_EQ(stderr_text(), "optim-hunter: error: unknown device 'tpu' (cpu, cuda or cuda:N)\n");
  if (!cuda_usable()) {
    EXPECT_EQ(run("cuda", gpu_out), 2);
    EXPECT_NE(stderr_text().find("optim-hunter: error: device 'cuda': "), std::string::npos) << stderr_text();
    EXPECT_FALSE(fs::exists(gpu_out));
    return;
  }
  ASSERT_EQ(run("cuda", gpu_out), 0);
  EXPECT_LE(bound_ratio(read_npy_logits(cpu_out, 4, 300), read_npy_logits(gpu_out, 4, 300)), 1.0);
}

}  // namespace
}  // namespace oh::lm
