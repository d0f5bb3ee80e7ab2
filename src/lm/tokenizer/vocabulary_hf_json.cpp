#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/error.h"
#include "lm/tokenizer/pretokenizer.h"
#include "lm/tokenizer/vocabulary.h"

namespace oh::lm {
namespace {

using nlohmann::json;

json read_json(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open");
  std::stringstream buffer;
  buffer << in.rdbuf();
  try {
    return json::parse(buffer.str());
  } catch (const json::exception& e) {
    throw InputError(path + ": not valid JSON: " + e.what());
  }
}

const json& member(const json& object, const char* key, const std::string& where) {
  if (!object.is_object() || !object.contains(key)) throw InputError(where + ": missing '" + key + "'");
  return object.at(key);
}

/// Maps the pre_tokenizer section to llama.cpp's pre-tokenizer name.
std::string pre_tokenizer_name(const json& pre, const std::string& where) {
  auto is_byte_level = [](const json& p, bool with_regex) {
    return p.is_object() && p.value("type", "") == "ByteLevel" && p.value("use_regex", true) == with_regex &&
           !p.value("add_prefix_space", false);
  };
  if (is_byte_level(pre, true)) return "gpt-2";
  if (pre.is_object() && pre.value("type", "") == "Sequence" && pre.contains("pretokenizers") &&
      pre["pretokenizers"].is_array() && pre["pretokenizers"].size() == 2) {
    const json& split = pre["pretokenizers"][0];
    const bool llama3_split = split.is_object() && split.value("type", "") == "Split" &&
                              split.value("behavior", "") == "Isolated" && !split.value("invert", false) &&
                              split.contains("pattern") && split["pattern"].is_object() &&
                              split["pattern"].value("Regex", "") == kLlama3Regex;
    if (llama3_split && is_byte_level(pre["pretokenizers"][1], false)) return "llama-bpe";
  }
  throw InputError(where + ": unsupported pre_tokenizer (llama-bpe: Split(Llama-3 regex) + ByteLevel; gpt-2: ByteLevel)");
}

/// A token named in tokenizer_config.json: a plain string or {"content": ...}.
std::string config_token(const json& config, const char* key) {
  if (!config.contains(key)) return "";
  const json& t = config[key];
  if (t.is_string()) return t.get<std::string>();
  if (t.is_object() && t.contains("content") && t["content"].is_string()) return t["content"].get<std::string>();
  return "";
}

}  // namespace

Vocabulary vocabulary_from_hf_json(const std::string& path) {
  const json root = read_json(path);
  try {
    const json& model = member(root, "model", path);
    if (model.value("type", "") != "BPE") throw InputError(path + ": model.type must be BPE");
    if (root.contains("normalizer") && !root["normalizer"].is_null())
      throw InputError(path + ": normalizers are not supported for byte-level BPE");
    Vocabulary v;
    v.pre = pre_tokenizer_name(member(root, "pre_tokenizer", path), path + ": pre_tokenizer");
    v.ignore_merges = model.value("ignore_merges", false);

    std::map<int64_t, std::pair<std::string, TokenType>> by_id;
    for (const auto& [text, id] : member(model, "vocab", path + ": model").items())
      by_id[id.get<int64_t>()] = {text, TokenType::Normal};
    if (root.contains("added_tokens"))
      for (const json& added : root["added_tokens"])
        by_id[added.at("id").get<int64_t>()] = {added.at("content").get<std::string>(),
                                                 added.value("special", false) ? TokenType::Control : TokenType::UserDefined};
    int64_t expected = 0;
    for (auto& [id, entry] : by_id) {
      if (id != expected) throw InputError(path + ": token ids are not contiguous (missing id " + std::to_string(expected) + ")");
      ++expected;
      v.tokens.push_back(std::move(entry.first));
      v.types.push_back(entry.second);
    }
    for (const json& m : member(model, "merges", path + ": model")) {
      if (m.is_string())
        v.merges.push_back(m.get<std::string>());
      else if (m.is_array() && m.size() == 2)
        v.merges.push_back(m[0].get<std::string>() + " " + m[1].get<std::string>());
      else
        throw InputError(path + ": a merge must be \"a b\" or [\"a\", \"b\"]");
    }

    std::map<std::string, int32_t> id_of;
    for (size_t i = 0; i < v.tokens.size(); ++i) id_of.emplace(v.tokens[i], static_cast<int32_t>(i));
    auto lookup = [&](const std::string& token) { return token.empty() || !id_of.count(token) ? -1 : id_of[token]; };
    // A TemplateProcessing post-processor that starts with a special token is how a tokenizer.json
    // adds BOS; tokenizer_config.json beside it names BOS/EOS and may override add_bos_token.
    bool template_bos = false;
    const json post = root.value("post_processor", json());
    if (post.is_object() && post.value("type", "") == "TemplateProcessing" && post.contains("single") &&
        !post["single"].empty() && post["single"][0].contains("SpecialToken")) {
      v.bos_id = lookup(post["single"][0]["SpecialToken"].value("id", ""));
      template_bos = v.bos_id >= 0;
    }
    v.add_bos = template_bos;
    const auto config_path = std::filesystem::path(path).parent_path() / "tokenizer_config.json";
    if (std::filesystem::exists(config_path)) {
      const json config = read_json(config_path.string());
      if (v.bos_id < 0) v.bos_id = lookup(config_token(config, "bos_token"));
      v.eos_id = lookup(config_token(config, "eos_token"));
      if (config.contains("add_bos_token") && config["add_bos_token"].is_boolean()) v.add_bos = config["add_bos_token"].get<bool>();
    }
    v.validate(path);
    return v;
  } catch (const json::exception& e) {
    throw InputError(path + ": malformed tokenizer.json: " + e.what());
  }
}

}  // namespace oh::lm
