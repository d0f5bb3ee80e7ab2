#include "lm/tokenizer/tokenizer_file.h"

#include "lm/format/gguf_reader.h"

namespace oh::lm {

BpeTokenizer load_tokenizer(const std::string& path) {
  const bool json = path.size() >= 5 && path.compare(path.size() - 5, 5, ".json") == 0;
  return BpeTokenizer(json ? vocabulary_from_hf_json(path) : vocabulary_from_gguf(GgufFile::open(path)), path);
}

}  // namespace oh::lm
