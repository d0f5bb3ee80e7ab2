// BPE tokenizer (llama-bpe pre-tokenizer, ignore_merges, specials) on arbitrary text. The first byte
// chooses the options, the rest is the text. Properties: valid UTF-8 encodes, invalid UTF-8 is an
// InputError, ids are in range, and decoding gives back the text (with BOS's text in front when added).
// The vocabulary goes through our GGUF writer and reader first, as a model's would.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/error.h"
#include "fuzz_vocabulary.h"
#include "lm/format/gguf_writer.h"
#include "lm/tokenizer/tokenizer_file.h"
#include "lm/tokenizer/utf8.h"
#include "memory_file.h"

namespace {

const oh::lm::BpeTokenizer& tokenizer() {
  static const oh::lm::BpeTokenizer instance = [] {
    oh::lm::GgufWriter writer;
    writer.set_string("general.architecture", "llama");
    oh::lm::write_vocabulary(oh::fuzz::fuzz_vocabulary(), writer);
    const std::string bytes = writer.serialize();
    const oh::fuzz::MemoryFile file(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    return oh::lm::load_tokenizer(file.path());
  }();
  return instance;
}

void require(bool property) {
  if (!property) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const oh::lm::BpeTokenizer& t = tokenizer();
  oh::lm::EncodeOptions options;
  options.parse_special = (data[0] & 1) != 0;
  options.add_bos = (data[0] & 2) != 0;
  const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  const bool valid = oh::lm::find_invalid_utf8(text) == std::string::npos;
  std::vector<int32_t> ids;
  try {
    ids = t.encode(text, options);
  } catch (const oh::InputError&) {
    require(!valid);
    return 0;
  }
  require(valid);
  for (int32_t id : ids) require(id >= 0 && id < t.size());
  const std::string bos = options.add_bos ? t.piece(t.vocabulary().bos_id) : "";
  require(t.decode(ids) == bos + text);
  return 0;
}
