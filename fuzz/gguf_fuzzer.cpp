// GGUF reader: any bytes either parse or throw InputError; a file that parses converts its tensors,
// and when it carries tokenizer.ggml.* the vocabulary and tokenizer are built and used. Any other
// exception, a sanitizer report or a crash is a finding.
#include <cstddef>
#include <cstdint>

#include "core/error.h"
#include "lm/format/gguf_reader.h"
#include "lm/tokenizer/bpe_tokenizer.h"
#include "memory_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const oh::fuzz::MemoryFile file(data, size);
  try {
    const oh::lm::GgufFile gguf = oh::lm::GgufFile::open(file.path());
    for (const auto& tensor : gguf.tensors())
      if (oh::lm::is_convertible(tensor.type)) (void)gguf.dequantized(tensor);
    if (gguf.find("tokenizer.ggml.tokens")) {
      const oh::lm::BpeTokenizer tokenizer(oh::lm::vocabulary_from_gguf(gguf), file.path());
      oh::lm::EncodeOptions options;
      options.parse_special = true;
      (void)tokenizer.decode(tokenizer.encode("Feature 0: 39.680\nOutput: 423.530 it's <|s|>", options));
    }
  } catch (const oh::InputError&) {
  }
  return 0;
}
