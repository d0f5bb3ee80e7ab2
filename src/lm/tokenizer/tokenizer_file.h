#pragma once
// Loads a tokenizer from a model file: a GGUF (tokenizer.ggml.*) or a Hugging Face tokenizer.json.
#include <string>

#include "lm/tokenizer/bpe_tokenizer.h"

namespace oh::lm {

/// `path` ending in ".json" is read as tokenizer.json, anything else as GGUF.
BpeTokenizer load_tokenizer(const std::string& path);

}  // namespace oh::lm
