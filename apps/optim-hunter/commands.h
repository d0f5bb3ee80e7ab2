#pragma once
// Each command registers its subcommand and options on the app and returns the action to run
// when it is selected. Actions return the process exit code; errors propagate as exceptions.
#include <CLI/CLI.hpp>
#include <functional>

namespace oh::cli {

using Action = std::function<int()>;

Action add_compare_command(CLI::App& app);
Action add_regressors_command(CLI::App& app);
Action add_datasets_command(CLI::App& app);
Action add_prompt_command(CLI::App& app);
Action add_inspect_command(CLI::App& app);
Action add_tokenize_command(CLI::App& app);
Action add_logits_command(CLI::App& app);
Action add_generate_command(CLI::App& app);
Action add_icl_command(CLI::App& app);

/// Parses "0,3,7" and ranges "0-99" into seeds; throws InputError on anything else.
std::vector<uint32_t> parse_seed_list(const std::string& text);

/// Writes `text` to `path` (atomically) or to stdout when `path` is empty.
void emit(const std::string& text, const std::string& path);

}  // namespace oh::cli
