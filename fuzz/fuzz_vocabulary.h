#pragma once
// The small byte-level vocabulary the tokenizer fuzzer runs on (and the corpus writer stores in its
// GGUF seeds): all 256 byte tokens, merges that build words, digits and spaced words, a control token
// parsed only on request, and a user-defined token that is always parsed.
#include "lm/tokenizer/vocabulary.h"

namespace oh::fuzz {

lm::Vocabulary fuzz_vocabulary();

}  // namespace oh::fuzz
