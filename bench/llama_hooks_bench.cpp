// The cost of hooks on the Llama forward pass (DESIGN §6, issue 3 items 6 and 11). Three modes:
//   write-model PATH      a random Llama-shaped F32 GGUF (default ~100M parameters: d 768, 12 blocks,
//                         12 query / 4 KV heads, MLP 2048, vocabulary 32000), seed 1; --heads, --kv-heads,
//                         --ff, --untied and --type (F32, BF16, Q8_0, ...) for other shapes, --zero for zero
//                         matrices left as holes in a sparse file (an 8B shape without 16 GB of writes)
//   forward MODEL         median time of the plain forward (hook points present but unarmed, or
//                         compiled out in a -DOH_HOOK_POINTS=OFF build): bench/hook_cost.py compares builds
//   cache MODEL           the plain forward and run_with_cache over every hook point, alternated
// --device cuda times the pass on the GPU (each timed call ends with a device-to-host read of a sum, so
// the clock stops after the GPU has finished).
// Prints one JSON object per run. Token ids are the fixed sequence (7919·i + 13) mod vocab.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <CLI/CLI.hpp>
#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <functional>
#include <vector>

#include "hooks/run.h"
#include "lm/arch/hooked_language_model.h"
#include "lm/format/ggml_types.h"
#include "tiny_llama.h"

namespace {

using Clock = std::chrono::steady_clock;

/// Wall-clock and process CPU seconds of one call (CPU time is the steadier figure on a loaded machine).
struct Timing {
  double wall, cpu;
};

Timing time_once(const std::function<void()>& work) {
  const auto start = Clock::now();
  const std::clock_t cpu_start = std::clock();
  work();
  return {std::chrono::duration<double>(Clock::now() - start).count(),
          static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC};
}

/// Median wall, fastest wall and median CPU seconds of the runs.
struct Summary {
  double wall, fastest, cpu;
};

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

at::Tensor prompt(int64_t tokens, int64_t vocab) {
  at::Tensor ids = at::empty({1, tokens}, at::kLong);
  for (int64_t i = 0; i < tokens; ++i) ids[0][i] = (7919 * i + 13) % vocab;
  return ids;
}

struct ModelShape {
  uint32_t width = 768, blocks = 12, vocab = 32000, heads = 0, kv_heads = 0, ff = 0;  // 0: derived from width
  std::string type = "F32";
  bool zero = false, untied = false;
};

void write_model(const std::string& path, const ModelShape& m) {
  oh::lm::testing::TinyLlamaShape shape;
  shape.n_embd = m.width;
  shape.n_layer = m.blocks;
  shape.n_head = m.heads ? m.heads : m.width / 64;
  shape.n_head_kv = m.kv_heads ? m.kv_heads : shape.n_head / 3;
  shape.n_ff = m.ff ? m.ff : m.width * 8 / 3;
  shape.context = 4096;
  shape.zero_matrices = m.zero;
  shape.tied_output = !m.untied;
  oh::lm::testing::write_tiny_llama(path, oh::lm::testing::numbered_vocabulary(m.vocab), shape, 1, oh::lm::ggml_type_from_name(m.type));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Llama forward-pass cost of hook points and of run_with_cache"};
  app.require_subcommand(1);
  std::string path;
  ModelShape shape;
  int64_t tokens = 128;
  int threads = 2, repeats = 5;
  std::string device = "cpu";
  CLI::App* write = app.add_subcommand("write-model", "write a random Llama-shaped F32 GGUF");
  write->add_option("path", path)->required();
  write->add_option("--width", shape.width, "embedding width (a multiple of 192 unless --heads/--kv-heads are given)");
  write->add_option("--blocks", shape.blocks);
  write->add_option("--vocab", shape.vocab);
  write->add_option("--heads", shape.heads, "query heads (default width / 64)");
  write->add_option("--kv-heads", shape.kv_heads, "KV heads (default heads / 3)");
  write->add_option("--ff", shape.ff, "MLP width (default 8/3 width)");
  write->add_option("--type", shape.type, "weight matrix type in ggml spelling: F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K");
  write->add_flag("--zero", shape.zero, "zero matrices, left as holes in a sparse file");
  write->add_flag("--untied", shape.untied, "an output matrix of its own (Llama-3-8B's layout)");
  CLI::App* forward = app.add_subcommand("forward", "median time of the plain forward");
  CLI::App* cache = app.add_subcommand("cache", "plain forward against run_with_cache over every point");
  for (CLI::App* timed : {forward, cache}) {
    timed->add_option("model", path)->required()->check(CLI::ExistingFile);
    timed->add_option("--tokens", tokens);
    timed->add_option("--threads", threads);
    timed->add_option("--repeats", repeats);
    timed->add_option("--device", device, "cpu, cuda or cuda:N");
  }
  CLI11_PARSE(app, argc, argv);

  if (write->parsed()) {
    write_model(path, shape);
    return 0;
  }
  if (cache->parsed() && !OH_HOOK_POINTS) {
    std::fprintf(stderr, "bench_llama_hooks: error: cache mode needs hook points (this build has OH_HOOK_POINTS=OFF)\n");
    return 2;
  }
  at::set_num_threads(threads);
  oh::lm::ModelOptions options;
  options.device = device;
  const auto model = oh::lm::load_hooked_model(path, options);
  c10::InferenceMode inference;
  const at::Tensor ids = prompt(tokens, model->vocab_size()).to(model->device());
  const bool synchronize = !model->device().is_cpu();
  auto finished = [&](const at::Tensor& out) {
    if (synchronize) out.sum().item<float>();
  };
  auto plain = [&] { finished(model->forward(ids)); };
  auto cached = [&] { finished(oh::hooks::run_with_cache(*model, ids).output); };
  plain();  // warm-up: page in the mapped weights, size the allocator
  std::vector<Timing> plain_times, cached_times;
  for (int r = 0; r < repeats; ++r) {
    plain_times.push_back(time_once(plain));
    if (cache->parsed()) cached_times.push_back(time_once(cached));
  }
  auto summary = [](const std::vector<Timing>& runs) {
    std::vector<double> wall, cpu;
    for (const Timing& t : runs) {
      wall.push_back(t.wall);
      cpu.push_back(t.cpu);
    }
    return Summary{median(wall), *std::min_element(wall.begin(), wall.end()), median(cpu)};
  };
  auto print = [](const char* name, const Summary& s) {
    std::printf(", \"%s_s\": %.6f, \"%s_fastest_s\": %.6f, \"%s_cpu_s\": %.6f", name, s.wall, name, s.fastest, name, s.cpu);
  };
  std::printf("{\"mode\": \"%s\", \"device\": \"%s\", \"hook_points\": %d, \"tokens\": %lld, \"threads\": %d",
              cache->parsed() ? "cache" : "forward", device.c_str(), OH_HOOK_POINTS, static_cast<long long>(tokens), threads);
  print("plain", summary(plain_times));
  if (cache->parsed()) print("cache", summary(cached_times));
  std::printf("}\n");
  return 0;
}
