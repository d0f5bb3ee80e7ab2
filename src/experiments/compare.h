#pragma once
// `optim-hunter compare`: every selected regressor on every seed of a protocol, recorded in the
// run store as it completes, then the tables, run.json and the report (DESIGN §3, §4.3).
#include <optional>
#include <string>
#include <vector>

#include "data/protocol.h"
#include "report/compare_report.h"

namespace oh::experiments {

struct CompareOptions {
  data::ProtocolRequest protocol;
  std::string regressors = "all";
  std::string out_dir;
  int threads = 0;                  // 0: one worker per hardware thread
  std::optional<double> constant;   // the `constant` baseline's value (--constant)
  int gd_steps = 2;                 // gd_regression's steps and learning rate
  double gd_lr = 0.01;
};

struct CompareOutcome {
  std::vector<report::MethodSummary> summary;  // in the order of the selected regressors
  int computed = 0;   // (seed, method) results computed by this run
  int reused = 0;     // results found in the run store
  double seconds = 0.0;
  std::string run_json;  // the run.json document written to the run directory
};

/// Runs the comparison. Throws InputError for bad options (before any work) or an unwritable
/// run directory; a method that cannot run on a seed is recorded as `failed:<reason>`.
CompareOutcome run_compare(const CompareOptions& options);

}  // namespace oh::experiments
