#include "tiny_llama.h"

#include <vector>

#include "core/numpy_random.h"
#include "lm/format/gguf_writer.h"

namespace oh::lm::testing {

Vocabulary numbered_vocabulary(size_t size) {
  Vocabulary v;
  for (size_t i = 0; i < size; ++i) {
    v.tokens.push_back("t" + std::to_string(i));
    v.types.push_back(TokenType::Normal);
  }
  return v;
}

void write_tiny_llama(const std::string& path, const Vocabulary& vocabulary, const TinyLlamaShape& s, uint32_t seed,
                      GgmlType weight_type) {
  GgufWriter w;
  w.set_string("general.architecture", "llama");
  w.set_string("general.name", "optim-hunter tiny random llama");
  w.set_u32("llama.context_length", s.context);
  w.set_u32("llama.embedding_length", s.n_embd);
  w.set_u32("llama.block_count", s.n_layer);
  w.set_u32("llama.feed_forward_length", s.n_ff);
  w.set_u32("llama.attention.head_count", s.n_head);
  w.set_u32("llama.attention.head_count_kv", s.n_head_kv);
  w.set_f32("llama.attention.layer_norm_rms_epsilon", s.rms_eps);
  w.set_f32("llama.rope.freq_base", s.rope_base);
  w.set_u32("llama.rope.dimension_count", s.n_embd / s.n_head);
  w.set_u32("llama.vocab_size", static_cast<uint32_t>(vocabulary.tokens.size()));
  write_vocabulary(vocabulary, w);

  RandomState rng(seed);
  auto random = [&](const std::string& name, std::vector<uint64_t> shape) {
    if (s.zero_matrices) return w.add_zero_tensor(name, shape, weight_type);
    uint64_t n = 1;
    for (auto d : shape) n *= d;
    std::vector<float> values(n);
    for (auto& v : values) v = static_cast<float>(s.weight_std * rng.standard_normal());
    w.add_tensor(name, shape, values, weight_type);
  };
  auto norm = [&](const std::string& name, uint64_t n) {
    std::vector<float> values(n, 1.0f);
    if (s.random_norms)
      for (auto& v : values) v = static_cast<float>(1.0 + 0.1 * rng.standard_normal());
    w.add_tensor(name, {n}, values, GgmlType::F32);
  };
  const uint64_t head_dim = s.n_embd / s.n_head, kv = head_dim * s.n_head_kv, vocab = vocabulary.tokens.size();
  random("token_embd.weight", {vocab, s.n_embd});
  for (uint32_t l = 0; l < s.n_layer; ++l) {
    const std::string b = "blk." + std::to_string(l) + ".";
    norm(b + "attn_norm.weight", s.n_embd);
    random(b + "attn_q.weight", {s.n_embd, s.n_embd});
    random(b + "attn_k.weight", {kv, s.n_embd});
    random(b + "attn_v.weight", {kv, s.n_embd});
    random(b + "attn_output.weight", {s.n_embd, s.n_embd});
    norm(b + "ffn_norm.weight", s.n_embd);
    random(b + "ffn_gate.weight", {s.n_ff, s.n_embd});
    random(b + "ffn_up.weight", {s.n_ff, s.n_embd});
    random(b + "ffn_down.weight", {s.n_embd, s.n_ff});
  }
  norm("output_norm.weight", s.n_embd);
  if (!s.tied_output) random("output.weight", {vocab, s.n_embd});
  if (s.rope_freqs) {
    // Like Llama-3.1's factors, 1 for the fastest pairs up to 8 for the slowest, but every pair distinct
    // so a misplaced divisor changes the logits.
    std::vector<float> divisors(head_dim / 2);
    for (size_t i = 0; i < divisors.size(); ++i) divisors[i] = 1.0f + 7.0f * static_cast<float>(i) / static_cast<float>(divisors.size() - 1);
    w.add_tensor("rope_freqs.weight", {divisors.size()}, divisors, GgmlType::F32);
  }
  w.write(path);
}

}  // namespace oh::lm::testing
