// Writes the fuzzers' seed corpus: small valid inputs that reach every part of each parser (all GGUF
// value types, F32/F16/Q8_0 tensors and a vocabulary; every safetensors dtype, scalars, empty tensors,
// metadata; tokenizer texts with digits, contractions, specials, newlines and non-ASCII spaces).
// Usage: fuzz_make_corpus DIR (DIR/gguf, DIR/safetensors, DIR/tokenizer are created).
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "fuzz_vocabulary.h"
#include "lm/format/gguf_writer.h"
#include "lm/format/safetensors_writer.h"

namespace {

namespace fs = std::filesystem;
using namespace oh::lm;

void save(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

std::vector<float> ramp(size_t n, float scale) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = scale * (static_cast<float>(i) - static_cast<float>(n) / 2);
  return v;
}

std::string gguf_model() {
  GgufWriter w;
  w.set_string("general.architecture", "llama");
  w.set_u32("llama.block_count", 1);
  w.set_f32("llama.rope.freq_base", 500000.0f);
  w.set("general.i8", GgufValue{int8_t{-3}});
  w.set("general.u64", GgufValue{uint64_t{1} << 40});
  w.set("general.f64", GgufValue{0.5});
  w.set("general.nested", GgufValue{GgufArray{GgufType::Array, {GgufValue{GgufArray{GgufType::Int16, {GgufValue{int16_t{7}}}}}}}});
  write_vocabulary(oh::fuzz::fuzz_vocabulary(), w);
  w.add_tensor("token_embd.weight", {4, 8}, ramp(32, 0.25f), GgmlType::F32);
  w.add_tensor("output_norm.weight", {8}, ramp(8, 1.0f), GgmlType::F16);
  w.add_tensor("blk.0.attn_q.weight", {1, 32}, ramp(32, 0.1f), GgmlType::Q8_0);
  return w.serialize();
}

std::string gguf_minimal() {
  GgufWriter w;
  w.set_bool("general.flag", true);
  w.add_tensor("x", {2}, {1.0f, -1.0f}, GgmlType::F32);
  return w.serialize();
}

std::string safetensors_sample() {
  SafetensorsWriter w;
  w.set_metadata("format", "pt");
  w.add_tensor("model.embed_tokens.weight", {4, 2}, ramp(8, 0.5f), SafetensorsDtype::BF16);
  w.add_tensor("model.norm.weight", {2}, {1.0f, 0.5f}, SafetensorsDtype::F32);
  w.add_tensor("lm_head.weight", {2, 2}, ramp(4, 3.0f), SafetensorsDtype::F16);
  w.add_tensor("scalar", {}, {7.0f}, SafetensorsDtype::F32);
  w.add_tensor("empty", {0, 3}, {}, SafetensorsDtype::F16);
  return w.serialize();
}

/// Dtypes the writer does not produce (they parse, and fail only on conversion).
std::string safetensors_other_dtypes() {
  const std::string header =
      R"({"ids":{"dtype":"I64","shape":[2],"data_offsets":[0,16]},"mask":{"dtype":"BOOL","shape":[2,2],"data_offsets":[16,20]},)"
      R"("q":{"dtype":"F8_E4M3","shape":[4],"data_offsets":[20,24]}})";
  std::string out(8, '\0');
  const uint64_t length = header.size();
  std::memcpy(out.data(), &length, 8);
  return out + header + std::string(24, '\1');
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
    return 2;
  }
  const fs::path dir = argv[1];
  save(dir / "gguf" / "model.gguf", gguf_model());
  save(dir / "gguf" / "minimal.gguf", gguf_minimal());
  save(dir / "safetensors" / "sample.safetensors", safetensors_sample());
  save(dir / "safetensors" / "other_dtypes.safetensors", safetensors_other_dtypes());
  save(dir / "safetensors" / "empty.safetensors", std::string("\x02\0\0\0\0\0\0\0{}", 10));
  // The first byte holds the options: 1 parse specials, 2 add BOS.
  const std::vector<std::pair<const char*, std::string>> texts = {
      {"check_string", std::string("\0", 1) + "Feature 0: 39.680\nFeature 1: 1005.89\nOutput: 423.530"},
      {"specials", "\x01" "the <|s|> thing<u>ing 123123 <|s|"},
      {"bos_contractions", "\x03" "it's THEY'RE we'll I'd \t\t  x\r\n\n\nend"},
      {"unicode", std::string("\0", 1) + "caf\xc3\xa9 \xc2\xa0" "12345 \xe2\x80\x83 \xf0\x9f\x98\x80!!  "},
  };
  for (const auto& [name, text] : texts) save(dir / "tokenizer" / name, text);
  return 0;
}
