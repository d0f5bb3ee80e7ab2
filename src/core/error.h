#pragma once
// Two tiers of errors (DESIGN §3): exceptions with context for users at API boundaries,
// assertions for internal invariants. `main` maps each exception type to an exit code.
#include <stdexcept>
#include <string>

namespace oh {

/// Bad input or usage: an unknown name, a malformed file, an impossible option. Exit code 2.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The computation itself failed (e.g. a training run diverged). Exit code 3.
class ComputationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Exit codes of the command-line program.
enum ExitCode : int { kExitOk = 0, kExitInternal = 1, kExitBadInput = 2, kExitComputation = 3 };

}  // namespace oh
