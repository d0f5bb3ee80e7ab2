// `optim-hunter prompt`: the exact text an LLM regressor is shown for one seed (DESIGN §4.4).
#include <memory>
#include <nlohmann/json.hpp>

#include "apps/optim-hunter/commands.h"
#include "data/prompt.h"
#include "data/protocol.h"

namespace oh::cli {
namespace {

struct PromptArgs {
  data::ProtocolRequest request;
  uint32_t seed = 0;
  bool json = false;
  std::string out;
};

}  // namespace

Action add_prompt_command(CLI::App& app) {
  auto args = std::make_shared<PromptArgs>();
  auto& r = args->request;
  auto* cmd = app.add_subcommand("prompt", "Print the LLM prompt(s) of one seed under a protocol");
  cmd->add_option("--dataset", r.dataset, "Dataset name, or csv")->capture_default_str();
  cmd->add_option("--protocol", r.protocol, "Preset: fair, optim_hunter, llm4regression")->capture_default_str();
  cmd->add_option("--seq-len", r.seq_len, "In-context examples")->capture_default_str();
  cmd->add_option("--n-test", r.n_test, "Query rows (one prompt each)")->capture_default_str();
  cmd->add_option("--seed", args->seed, "Seed")->capture_default_str();
  cmd->add_option("--csv", r.csv_path, "CSV file for --dataset csv");
  cmd->add_option("--target", r.csv_target, "Target column of the CSV");
  cmd->add_option("--out", args->out, "Write to this file instead of stdout");
  cmd->add_flag("--json", args->json, "Print {\"prompts\": [...], \"gold\": [...]}");
  return [args] {
    args->request.seeds = {args->seed};
    const data::Protocol protocol(args->request);
    const auto episode = protocol.episode(args->seed);
    const data::PromptFormat format{protocol.prompt_decimals(), protocol.answer_prefix(), protocol.feature_names()};
    nlohmann::json prompts = nlohmann::json::array(), gold = nlohmann::json::array();
    std::string text;
    for (Eigen::Index i = 0; i < episode.X_query.rows(); ++i) {
      const auto prompt = data::render_prompt(episode.X_prompt, episode.y_prompt, episode.X_query.row(i), format);
      prompts.push_back(prompt);
      gold.push_back(episode.y_query(i));
      text += (i ? "\n----\n" : "") + prompt;
    }
    emit(args->json ? nlohmann::json{{"prompts", prompts}, {"gold", gold}}.dump(2) + "\n" : text + "\n", args->out);
    return 0;
  };
}

}  // namespace oh::cli
