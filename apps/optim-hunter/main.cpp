// optim-hunter: the command-line program. Parses arguments, runs one command, and maps errors to
// one line on stderr and an exit code (DESIGN §3).
#include <cstdio>
#include <exception>

#include "apps/optim-hunter/commands.h"
#include "core/error.h"

int main(int argc, char** argv) {
  CLI::App app{"optim-hunter: hunting mesa-optimization in in-context regression", "optim-hunter"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "optim-hunter 0.1.0");
  const std::vector<std::pair<CLI::App*, oh::cli::Action>> commands = [&] {
    std::vector<std::pair<CLI::App*, oh::cli::Action>> list;
    for (auto add : {oh::cli::add_compare_command, oh::cli::add_regressors_command, oh::cli::add_datasets_command,
                     oh::cli::add_prompt_command, oh::cli::add_inspect_command, oh::cli::add_tokenize_command,
                     oh::cli::add_logits_command, oh::cli::add_generate_command, oh::cli::add_icl_command}) {
      auto action = add(app);
      list.emplace_back(app.get_subcommands({}).back(), action);
    }
    return list;
  }();
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "optim-hunter: error: %s (see --help)\n", e.what());
    return oh::kExitBadInput;
  }
  try {
    for (const auto& [command, action] : commands)
      if (command->parsed()) return action();
    return oh::kExitBadInput;
  } catch (const oh::InputError& e) {
    std::fprintf(stderr, "optim-hunter: error: %s\n", e.what());
    return oh::kExitBadInput;
  } catch (const oh::ComputationError& e) {
    std::fprintf(stderr, "optim-hunter: error: %s\n", e.what());
    return oh::kExitComputation;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "optim-hunter: error: internal: %s\n", e.what());
    return oh::kExitInternal;
  }
}
