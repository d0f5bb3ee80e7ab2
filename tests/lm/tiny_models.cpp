#include "tiny_models.h"

#include "core/error.h"
#include "tiny_gpt2.h"
#include "tiny_llama.h"

namespace oh::lm::testing {

void write_tiny_model(const std::string& path, const std::string& architecture, uint32_t seed, GgmlType weight_type) {
  if (architecture == "llama") {
    TinyLlamaShape shape;
    shape.n_layer = 2;
    shape.weight_std = 0.3f;
    shape.random_norms = true;
    write_tiny_llama(path, numbered_vocabulary(300), shape, seed, weight_type);
  } else if (architecture == "gpt2") {
    TinyGpt2Shape shape;
    shape.weight_std = 0.2f;
    write_tiny_gpt2(path, tiny_gpt2_vocabulary(), shape, seed, weight_type);
  } else {
    throw InputError("write_tiny_model: unknown architecture '" + architecture + "'");
  }
}

}  // namespace oh::lm::testing
