#include "lm/format/checkpoint_paths.h"

#include <filesystem>

#include "core/error.h"

namespace oh::lm {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

bool is_safetensors_checkpoint_path(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_directory(path, ec) || ends_with(path, ".safetensors") || ends_with(path, ".safetensors.index.json");
}

std::string checkpoint_directory(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return path;
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  return parent.empty() ? "." : parent.string();
}

std::string tokenizer_path_for_model(const std::string& path) {
  if (!is_safetensors_checkpoint_path(path)) return path;
  const std::string tokenizer = (std::filesystem::path(checkpoint_directory(path)) / "tokenizer.json").string();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(tokenizer, ec))
    throw InputError(path + ": a Hugging Face checkpoint needs its tokenizer.json beside the weights (" + tokenizer +
                     " not found)");
  return tokenizer;
}

}  // namespace oh::lm
