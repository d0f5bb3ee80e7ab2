// Writes sample compare reports for the node renderer and the Chromium smoke test:
//   write_sample_report OUT_DIR (created if missing)  ->  OUT_DIR/compare_log.html, compare_linear.html, compare_symlog.html
// covering the three axis scales the compare report chooses between.
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "report/compare_report.h"
#include "synthetic_run.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUT_DIR\n", argv[0]);
    return 2;
  }
  using oh::report::testing::make_synthetic_run;
  const std::string dir = argv[1];
  const nlohmann::json config = {{"command", "compare"}, {"dataset", "friedman2"}, {"protocol", "fair"},
                                 {"seeds", 100}, {"synthetic", true}};
  struct Sample {
    const char* file;
    oh::report::testing::SyntheticRun run;
  };
  const Sample samples[] = {
      {"compare_log.html", make_synthetic_run(oh::report::testing::default_synthetic_methods(), 100, 7)},
      {"compare_linear.html", make_synthetic_run({{"a", 2.0, 0.02, 0.0}, {"b", 2.1, 0.02, 0.1}}, 30, 8)},
      {"compare_symlog.html", make_synthetic_run({{"exact", 0.0, 0.0, 0.0, true}, {"b", 2.0, 0.5, 0.0}, {"c", 4.0, 0.5, 0.0}}, 30, 9)},
  };
  try {
    std::filesystem::create_directories(dir);
    for (const Sample& sample : samples) {
      oh::report::write_compare_report(dir + "/" + sample.file, config, sample.run.summary, sample.run.scores);
    }
  } catch (const std::exception& error) {
    std::fprintf(stderr, "write_sample_report: error: %s\n", error.what());
    return 1;
  }
  return 0;
}
