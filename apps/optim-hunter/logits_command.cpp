// `optim-hunter logits --model M (--tokens 1,2,3 | --text T [--bos]) --out FILE [--tl-processing] [--device D] [--json]`: float32
// logits for every position, [positions, vocab], as .npy (or .json when FILE ends so).
#include <memory>
#include <nlohmann/json.hpp>

#include "apps/optim-hunter/commands.h"
#include "core/error.h"
#include "lm/arch/architecture_registry.h"
#include "lm/arch/logits_file.h"
#include "lm/format/checkpoint_paths.h"
#include "lm/tokenizer/tokenizer_file.h"

namespace oh::cli {
namespace {

struct LogitsArgs {
  std::string model, tokens, text, out, device = "cpu";
  bool bos = false, json = false, llama_cpp_rounding = false, tl_processing = false;
};

/// "1,2,3" → ids; InputError naming the bad item otherwise (range is checked by the model).
std::vector<int64_t> parse_token_list(const std::string& text) {
  std::vector<int64_t> ids;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t end = std::min(text.find(',', start), text.size());
    const std::string item = text.substr(start, end - start);
    size_t used = 0;
    int64_t id = 0;
    try {
      id = std::stoll(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (item.empty() || used != item.size())
      throw InputError("--tokens: '" + item + "' is not a token id (expected comma-separated integers such as 128000,791)");
    ids.push_back(id);
    start = end + 1;
  }
  return ids;
}

}  // namespace

Action add_logits_command(CLI::App& app) {
  auto args = std::make_shared<LogitsArgs>();
  auto* cmd = app.add_subcommand("logits", "Float32 logits of every position of one sequence, as .npy or .json");
  cmd->add_option("--model", args->model, "GGUF model file, or a Hugging Face checkpoint (directory, *.safetensors, index .json; tokenizer.json beside it)")->required();
  auto* tokens = cmd->add_option("--tokens", args->tokens, "Comma-separated token ids, e.g. 128000,791,4062");
  auto* text = cmd->add_option("--text", args->text, "Text to tokenize with the model's vocabulary");
  tokens->excludes(text);
  cmd->add_flag("--bos", args->bos, "Prepend the BOS token to --text")->needs(text);
  cmd->add_option("--out", args->out, "Output file: .npy ([positions, vocab] '<f4'), or .json")->required();
  cmd->add_flag("--llama-cpp-rounding", args->llama_cpp_rounding,
                "Round activations as llama.cpp does before non-F32 weight matmuls (F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K), for comparisons");
  cmd->add_flag("--tl-processing", args->tl_processing,
                "TransformerLens's weight processing (fold_ln, center_writing_weights, fold_value_biases, center_unembed): logits minus their mean over the vocabulary");
  cmd->add_option("--device", args->device, "cpu, cuda or cuda:N (a build against a CUDA libtorch)")->default_val("cpu");
  cmd->add_flag("--json", args->json, "Print {\"out\", \"positions\", \"vocab\"} on stdout");
  return [args, tokens, text] {
    if (tokens->count() == 0 && text->count() == 0) throw InputError("logits: give --tokens or --text");
    lm::ModelOptions options;
    options.llama_cpp_rounding = args->llama_cpp_rounding;
    options.device = args->device;
    options.tl_processing = args->tl_processing;
    const auto model = lm::load_model(args->model, options);
    const std::vector<int64_t> ids = tokens->count() ? parse_token_list(args->tokens) : [&] {
      const auto encoded = lm::load_tokenizer(lm::tokenizer_path_for_model(args->model)).encode(args->text, {false, args->bos});
      return std::vector<int64_t>(encoded.begin(), encoded.end());
    }();
    const lm::LogitsMatrix logits = model->logits(ids);
    lm::write_logits(args->out, logits);
    if (args->json)
      emit(nlohmann::json{{"out", args->out}, {"positions", logits.positions}, {"vocab", logits.vocab}}.dump() + "\n", "");
    return 0;
  };
}

}  // namespace oh::cli
