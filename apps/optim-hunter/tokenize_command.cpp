// `optim-hunter tokenize --model M --text T [--special] [--bos] [--json]`: token ids and pieces.
#include <memory>
#include <nlohmann/json.hpp>

#include "apps/optim-hunter/commands.h"
#include "lm/format/checkpoint_paths.h"
#include "lm/tokenizer/tokenizer_file.h"

namespace oh::cli {
namespace {

struct TokenizeArgs {
  std::string model, text, out;
  bool special = false, bos = false, json = false;
};

}  // namespace

Action add_tokenize_command(CLI::App& app) {
  auto args = std::make_shared<TokenizeArgs>();
  auto* cmd = app.add_subcommand("tokenize", "Tokenize text with a model's vocabulary (GGUF or tokenizer.json)");
  cmd->add_option("--model", args->model, "GGUF file, a Hugging Face tokenizer.json, or a checkpoint directory (its tokenizer.json)")->required();
  cmd->add_option("--text", args->text, "Text to tokenize (UTF-8)")->required();
  cmd->add_flag("--special", args->special, "Parse special-token text such as <|eot_id|> into its token");
  cmd->add_flag("--bos", args->bos, "Prepend the BOS token");
  cmd->add_flag("--json", args->json, "Print {\"ids\": [...], \"pieces\": [...]}");
  cmd->add_option("--out", args->out, "Write to this file instead of stdout");
  return [args] {
    const lm::BpeTokenizer tokenizer = lm::load_tokenizer(lm::tokenizer_path_for_model(args->model));
    const auto ids = tokenizer.encode(args->text, {args->special, args->bos});
    nlohmann::json pieces = nlohmann::json::array();
    std::string text;
    for (size_t i = 0; i < ids.size(); ++i) {
      pieces.push_back(tokenizer.piece(ids[i]));
      text += (i ? " " : "") + std::to_string(ids[i]);
    }
    // A piece can be part of a multi-byte character: such bytes print as U+FFFD.
    const auto replace = nlohmann::json::error_handler_t::replace;
    emit(args->json ? nlohmann::json{{"ids", ids}, {"pieces", pieces}}.dump(-1, ' ', false, replace) + "\n" : text + "\n",
         args->out);
    return 0;
  };
}

}  // namespace oh::cli
