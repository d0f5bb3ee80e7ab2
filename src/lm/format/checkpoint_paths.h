#pragma once
// Which files make up a model the user names: a GGUF file holds its own vocabulary; a Hugging Face
// checkpoint (a directory, a *.safetensors file or a *.safetensors.index.json) keeps it in
// tokenizer.json beside the weights.
#include <string>

namespace oh::lm {

/// Whether `path` names a Hugging Face safetensors checkpoint rather than a GGUF file.
bool is_safetensors_checkpoint_path(const std::string& path);

/// The directory of the checkpoint `path` names (the path itself for a directory).
std::string checkpoint_directory(const std::string& path);

/// The file to load a tokenizer from for the model at `path`: the GGUF itself (or a tokenizer.json
/// named directly), or `<checkpoint directory>/tokenizer.json`; InputError when that file is missing.
std::string tokenizer_path_for_model(const std::string& path);

}  // namespace oh::lm
