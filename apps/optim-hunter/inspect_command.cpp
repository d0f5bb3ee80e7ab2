// `optim-hunter inspect MODEL`: what a GGUF file holds — architecture, hyperparameters, tensor table
// and tokenizer summary — or what a Hugging Face safetensors checkpoint holds — config.json, files,
// tensor table, whether tokenizer.json is beside it — without loading any weights.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "apps/optim-hunter/commands.h"
#include "core/error.h"
#include "lm/format/checkpoint_paths.h"
#include "lm/format/gguf_reader.h"
#include "lm/format/safetensors_checkpoint.h"

namespace oh::cli {
namespace {

using nlohmann::json;

struct InspectArgs {
  std::string model;
  bool json = false;
  std::string out;
};

constexpr size_t kShownArrayLength = 16;  // longer arrays (vocabularies) are summarised by length

json tokenizer_summary(const lm::GgufFile& file) {
  if (file.find("tokenizer.ggml.model") == nullptr) return nullptr;
  const std::string& path = file.path();
  auto text = [&](const char* key) -> json {
    const lm::GgufValue* v = file.find(key);
    return v ? json(v->as_string(path + ": " + key)) : json(nullptr);
  };
  auto length = [&](const char* key) -> json {
    const lm::GgufValue* v = file.find(key);
    return v ? json(v->as_array(path + ": " + key).values.size()) : json(nullptr);
  };
  const lm::GgufValue* tokens = file.find("tokenizer.ggml.tokens");
  auto special = [&](const char* key) -> json {
    const lm::GgufValue* v = file.find(key);
    if (v == nullptr) return nullptr;
    const int64_t id = v->as_int(path + ": " + key);
    json entry = {{"id", id}};
    if (tokens != nullptr) {
      const auto& list = tokens->as_array(path + ": tokenizer.ggml.tokens").values;
      if (id >= 0 && static_cast<size_t>(id) < list.size()) entry["text"] = list[id].as_string(path + ": token");
    }
    return entry;
  };
  const lm::GgufValue* add_bos = file.find("tokenizer.ggml.add_bos_token");
  return {{"model", text("tokenizer.ggml.model")},
          {"pre", text("tokenizer.ggml.pre")},
          {"vocab_size", length("tokenizer.ggml.tokens")},
          {"merges", length("tokenizer.ggml.merges")},
          {"bos", special("tokenizer.ggml.bos_token_id")},
          {"eos", special("tokenizer.ggml.eos_token_id")},
          {"add_bos_token", add_bos ? json(add_bos->as_bool(path + ": tokenizer.ggml.add_bos_token")) : json(nullptr)}};
}

json describe(const lm::GgufFile& file) {
  json out = {{"path", file.path()}, {"version", file.version()}, {"alignment", file.alignment()},
              {"data_offset", file.data_offset()}};
  const lm::GgufValue* arch = file.find("general.architecture");
  const std::string architecture = arch ? arch->as_string(file.path() + ": general.architecture") : "";
  out["architecture"] = arch ? json(architecture) : json(nullptr);
  json hyper = json::object(), general = json::object();
  for (const auto& [key, value] : file.metadata()) {
    if (!architecture.empty() && key.rfind(architecture + ".", 0) == 0)
      hyper[key.substr(architecture.size() + 1)] = value.to_json(kShownArrayLength);
    else if (key.rfind("tokenizer.", 0) != 0)
      general[key] = value.to_json(kShownArrayLength);
  }
  out["hyperparameters"] = hyper;
  out["metadata"] = general;
  json tensors = json::array();
  for (const auto& t : file.tensors())
    tensors.push_back({{"name", t.name}, {"type", lm::ggml_type_traits(t.type).name}, {"shape", t.shape()},
                       {"offset", t.offset}, {"bytes", t.bytes}});
  out["tensors"] = tensors;
  out["tokenizer"] = tokenizer_summary(file);
  return out;
}

std::string scalar_text(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string render_text(const json& d) {
  std::string s = fmt::format("file: {} (GGUF v{}, alignment {}, {} tensors)\narchitecture: {}\n", d["path"].get<std::string>(),
                              d["version"].get<int>(), d["alignment"].get<int>(), d["tensors"].size(),
                              d["architecture"].is_null() ? "(none)" : d["architecture"].get<std::string>());
  s += "hyperparameters:\n";
  for (const auto& [k, v] : d["hyperparameters"].items()) s += fmt::format("  {} = {}\n", k, scalar_text(v));
  s += "metadata:\n";
  for (const auto& [k, v] : d["metadata"].items()) s += fmt::format("  {} = {}\n", k, scalar_text(v));
  const json& tok = d["tokenizer"];
  if (tok.is_null()) {
    s += "tokenizer: (none)\n";
  } else {
    s += fmt::format("tokenizer: model {}, pre {}, vocab {}, merges {}, bos {}, eos {}, add_bos_token {}\n",
                     scalar_text(tok["model"]), scalar_text(tok["pre"]), scalar_text(tok["vocab_size"]),
                     scalar_text(tok["merges"]), scalar_text(tok["bos"]), scalar_text(tok["eos"]),
                     scalar_text(tok["add_bos_token"]));
  }
  s += fmt::format("tensors:\n  {:<32} {:<6} {:<24} {:>14} {:>14}\n", "name", "type", "shape", "offset", "bytes");
  for (const auto& t : d["tensors"])
    s += fmt::format("  {:<32} {:<6} {:<24} {:>14} {:>14}\n", t["name"].get<std::string>(), t["type"].get<std::string>(),
                     t["shape"].dump(), t["offset"].get<uint64_t>(), t["bytes"].get<uint64_t>());
  return s;
}

json read_config(const std::string& directory) {
  const std::string path = (std::filesystem::path(directory) / "config.json").string();
  std::ifstream in(path);
  if (!in) return nullptr;
  try {
    return json::parse(in);
  } catch (const json::exception& e) {
    throw InputError(path + ": malformed JSON: " + e.what());
  }
}

json describe_checkpoint(const std::string& model_path) {
  const lm::SafetensorsCheckpoint checkpoint = lm::SafetensorsCheckpoint::open(model_path);
  json files = json::array(), tensors = json::array();
  for (const auto& f : checkpoint.files()) files.push_back({{"path", f.path()}, {"tensors", f.tensors().size()}});
  for (const auto& name : checkpoint.tensor_names()) {
    const lm::SafetensorsTensor& t = checkpoint.tensor(name);
    tensors.push_back({{"name", name}, {"type", lm::safetensors_dtype_traits(t.dtype).name}, {"shape", t.shape},
                       {"file", std::filesystem::path(checkpoint.file_of(name).path()).filename().string()},
                       {"bytes", t.byte_count()}});
  }
  const std::filesystem::path tokenizer = std::filesystem::path(checkpoint.directory()) / "tokenizer.json";
  std::error_code ec;
  return {{"path", checkpoint.path()},
          {"format", "safetensors"},
          {"config", read_config(checkpoint.directory())},
          {"files", files},
          {"tensors", tensors},
          {"tokenizer_json", std::filesystem::is_regular_file(tokenizer, ec) ? json(tokenizer.string()) : json(nullptr)}};
}

std::string render_checkpoint_text(const json& d) {
  std::string s = fmt::format("checkpoint: {} (safetensors, {} files, {} tensors)\n", d["path"].get<std::string>(),
                              d["files"].size(), d["tensors"].size());
  s += "config:\n";
  if (d["config"].is_object())
    for (const auto& [k, v] : d["config"].items()) s += fmt::format("  {} = {}\n", k, scalar_text(v));
  else
    s += "  (no config.json)\n";
  s += fmt::format("tokenizer: {}\n", d["tokenizer_json"].is_null() ? "(no tokenizer.json)" : d["tokenizer_json"].get<std::string>());
  s += fmt::format("tensors:\n  {:<48} {:<5} {:<24} {:<32} {:>14}\n", "name", "type", "shape", "file", "bytes");
  for (const auto& t : d["tensors"])
    s += fmt::format("  {:<48} {:<5} {:<24} {:<32} {:>14}\n", t["name"].get<std::string>(), t["type"].get<std::string>(),
                     t["shape"].dump(), t["file"].get<std::string>(), t["bytes"].get<uint64_t>());
  return s;
}

}  // namespace

Action add_inspect_command(CLI::App& app) {
  auto args = std::make_shared<InspectArgs>();
  auto* cmd = app.add_subcommand("inspect", "Show a GGUF model's architecture, hyperparameters, tensors and tokenizer, or a safetensors checkpoint's config and tensors");
  cmd->add_option("model", args->model, "GGUF file, or a Hugging Face checkpoint (directory, *.safetensors, index .json)")->required();
  cmd->add_flag("--json", args->json, "Print one JSON document");
  cmd->add_option("--out", args->out, "Write to this file instead of stdout");
  return [args] {
    const bool checkpoint = lm::is_safetensors_checkpoint_path(args->model);
    const json d = checkpoint ? describe_checkpoint(args->model) : describe(lm::GgufFile::open(args->model));
    const std::string text = checkpoint ? render_checkpoint_text(d) : render_text(d);
    emit(args->json ? d.dump(2, ' ', false, json::error_handler_t::replace) + "\n" : text, args->out);
    return 0;
  };
}

}  // namespace oh::cli
