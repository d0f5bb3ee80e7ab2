#include "lm/format/hf_llama_config.h"

#include <cmath>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace oh::lm {
namespace {

using nlohmann::json;

class ConfigReader {
 public:
  ConfigReader(const json& object, std::string source) : object_(object), source_(std::move(source)) {}

  bool has(const char* key) const { return object_.contains(key) && !object_[key].is_null(); }

  int64_t positive_int(const char* key) const {
    if (!has(key)) fail(key, "missing");
    return positive_int_or(key, 0);
  }
  int64_t positive_int_or(const char* key, int64_t fallback) const {
    if (!has(key)) return fallback;
    const json& v = object_[key];
    if (!v.is_number_integer() || v.get<int64_t>() <= 0) fail(key, "expected a positive integer, found " + v.dump());
    return v.get<int64_t>();
  }
  double positive_real_or(const char* key, double fallback) const {
    if (!has(key)) return fallback;
    const json& v = object_[key];
    if (!v.is_number() || !(v.get<double>() > 0) || !std::isfinite(v.get<double>()))
      fail(key, "expected a positive number, found " + v.dump());
    return v.get<double>();
  }
  bool bool_or(const char* key, bool fallback) const {
    if (!has(key)) return fallback;
    if (!object_[key].is_boolean()) fail(key, "expected true or false, found " + object_[key].dump());
    return object_[key].get<bool>();
  }
  std::string string_or(const char* key, const std::string& fallback) const {
    if (!has(key)) return fallback;
    if (!object_[key].is_string()) fail(key, "expected a string, found " + object_[key].dump());
    return object_[key].get<std::string>();
  }

  [[noreturn]] void fail(const std::string& key, const std::string& problem) const {
    throw InputError(source_ + ": " + key + ": " + problem);
  }

 private:
  const json& object_;
  std::string source_;
};

HfRopeScaling read_rope_scaling(const json& config, const std::string& source) {
  HfRopeScaling s;
  if (!config.contains("rope_scaling") || config["rope_scaling"].is_null()) return s;
  const json& object = config["rope_scaling"];
  if (!object.is_object()) throw InputError(source + ": rope_scaling: expected an object or null, found " + object.dump());
  const ConfigReader r(object, source + ": rope_scaling");
  // transformers spells the type "rope_type" since 4.43, "type" before.
  s.type = r.string_or("rope_type", r.string_or("type", ""));
  if (s.type == "default") s.type.clear();
  if (s.type.empty()) return s;
  if (s.type != "linear" && s.type != "llama3")
    r.fail("rope_type", "'" + s.type + "' is not supported (linear, llama3)");
  if (!r.has("factor")) r.fail("factor", "missing");
  s.factor = r.positive_real_or("factor", s.factor);
  if (s.type == "llama3") {
    s.low_freq_factor = r.positive_real_or("low_freq_factor", s.low_freq_factor);
    s.high_freq_factor = r.positive_real_or("high_freq_factor", s.high_freq_factor);
    s.original_max_position_embeddings = r.positive_int_or("original_max_position_embeddings", s.original_max_position_embeddings);
    if (!(s.high_freq_factor > s.low_freq_factor)) r.fail("high_freq_factor", "must exceed low_freq_factor");
  }
  return s;
}

}  // namespace

HfLlamaConfig parse_hf_llama_config(const json& config, const std::string& source) {
  if (!config.is_object()) throw InputError(source + ": expected a JSON object");
  const ConfigReader r(config, source);
  const std::string model_type = r.string_or("model_type", "");
  if (model_type != "llama") r.fail("model_type", "'" + model_type + "' is not a Llama model (model_type \"llama\")");
  HfLlamaConfig c;
  c.hidden_size = r.positive_int("hidden_size");
  c.num_hidden_layers = r.positive_int("num_hidden_layers");
  c.num_attention_heads = r.positive_int("num_attention_heads");
  c.intermediate_size = r.positive_int("intermediate_size");
  c.vocab_size = r.positive_int("vocab_size");
  c.num_key_value_heads = r.positive_int_or("num_key_value_heads", c.num_attention_heads);
  c.max_position_embeddings = r.positive_int_or("max_position_embeddings", c.max_position_embeddings);
  c.rms_norm_eps = r.positive_real_or("rms_norm_eps", c.rms_norm_eps);
  c.rope_theta = r.positive_real_or("rope_theta", c.rope_theta);
  c.tie_word_embeddings = r.bool_or("tie_word_embeddings", c.tie_word_embeddings);
  c.rope_scaling = read_rope_scaling(config, source);

  if (c.hidden_size % c.num_attention_heads != 0)
    r.fail("hidden_size", std::to_string(c.hidden_size) + " is not a multiple of num_attention_heads " +
                              std::to_string(c.num_attention_heads));
  if (c.num_attention_heads % c.num_key_value_heads != 0)
    r.fail("num_key_value_heads", std::to_string(c.num_key_value_heads) + " does not divide num_attention_heads " +
                                      std::to_string(c.num_attention_heads));
  if (c.head_dim() % 2 != 0) r.fail("hidden_size", "head dimension " + std::to_string(c.head_dim()) + " is odd");
  if (r.positive_int_or("head_dim", c.head_dim()) != c.head_dim())
    r.fail("head_dim", "differs from hidden_size / num_attention_heads = " + std::to_string(c.head_dim()) + " (not supported)");
  if (r.bool_or("attention_bias", false)) r.fail("attention_bias", "biases are not supported");
  if (r.bool_or("mlp_bias", false)) r.fail("mlp_bias", "biases are not supported");
  const std::string act = r.string_or("hidden_act", "silu");
  if (act != "silu") r.fail("hidden_act", "'" + act + "' is not supported (silu)");
  return c;
}

HfLlamaConfig read_hf_llama_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open (a safetensors model needs its config.json)");
  std::ostringstream text;
  text << in.rdbuf();
  json config;
  try {
    config = json::parse(text.str());
  } catch (const json::exception& e) {
    throw InputError(path + ": invalid JSON: " + e.what());
  }
  return parse_hf_llama_config(config, path);
}

json HfLlamaConfig::to_json() const {
  json j = {{"architectures", {"LlamaForCausalLM"}},
            {"model_type", "llama"},
            {"hidden_act", "silu"},
            {"hidden_size", hidden_size},
            {"num_hidden_layers", num_hidden_layers},
            {"num_attention_heads", num_attention_heads},
            {"num_key_value_heads", num_key_value_heads ? num_key_value_heads : num_attention_heads},
            {"intermediate_size", intermediate_size},
            {"vocab_size", vocab_size},
            {"max_position_embeddings", max_position_embeddings},
            {"rms_norm_eps", rms_norm_eps},
            {"rope_theta", rope_theta},
            {"tie_word_embeddings", tie_word_embeddings},
            {"rope_scaling", nullptr}};
  if (rope_scaling.type == "linear") j["rope_scaling"] = {{"rope_type", "linear"}, {"factor", rope_scaling.factor}};
  if (rope_scaling.type == "llama3")
    j["rope_scaling"] = {{"rope_type", "llama3"},
                         {"factor", rope_scaling.factor},
                         {"low_freq_factor", rope_scaling.low_freq_factor},
                         {"high_freq_factor", rope_scaling.high_freq_factor},
                         {"original_max_position_embeddings", rope_scaling.original_max_position_embeddings}};
  return j;
}

std::vector<float> llama3_rope_factors(const HfLlamaConfig& c) {
  const HfRopeScaling& s = c.rope_scaling;
  const double pi = 3.14159265358979323846;
  const double context = static_cast<double>(s.original_max_position_embeddings);
  // Wavelengths (in positions) below context/high_freq_factor rotate fast enough to keep; above
  // context/low_freq_factor they are stretched by `factor`; between, 1/divisor blends linearly in
  // context/wavelength.
  const double short_wavelength = context / s.high_freq_factor, long_wavelength = context / s.low_freq_factor;
  const int64_t d = c.head_dim();
  std::vector<float> factors(static_cast<size_t>(d / 2));
  for (size_t i = 0; i < factors.size(); ++i) {
    const double inv_freq = std::pow(c.rope_theta, -2.0 * static_cast<double>(i) / static_cast<double>(d));
    const double wavelength = 2 * pi / inv_freq;
    double divisor;
    if (wavelength < short_wavelength) {
      divisor = 1.0;
    } else if (wavelength > long_wavelength) {
      divisor = s.factor;
    } else {
      const double smooth = (context / wavelength - s.low_freq_factor) / (s.high_freq_factor - s.low_freq_factor);
      divisor = 1.0 / ((1 - smooth) / s.factor + smooth);
    }
    factors[i] = static_cast<float>(divisor);
  }
  return factors;
}

}  // namespace oh::lm
