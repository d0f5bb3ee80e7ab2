#pragma once
// `optim-hunter icl report`: every analysis over a set of trained runs, presented as one HTML page
// (src/report) with the figures of von Oswald et al. 2023, and each figure's data as a CSV beside it.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "icl/analysis/context_curve.h"
#include "icl/analysis/gd_reference.h"
#include "icl/analysis/interpolation.h"
#include "icl/analysis/run_set.h"
#include "icl/analysis/weight_products.h"
#include "report/document.h"

namespace oh::icl::analysis {

struct IclReportOptions {
  int64_t tasks = 0;              // eval tasks per analysis; 0 = the runs' eval_tasks
  int64_t line_search_tasks = 0;  // for GD / GD++ step sizes; 0 = the runs' line_search_tasks
  int64_t max_context = 0;        // context curve up to N′ = this; 0 = 2N
  int interpolation_points = 11;
};

struct LayerProductsView {
  int layer = 0, head = 0;
  HeadProducts shown;  // normalised to the construction for 1-head runs, raw otherwise
  HeadProducts gd;     // the GD construction's layer at the run's η
  std::optional<NormalizedProducts> against_gd;  // 1-head runs only
};

struct RunAnalysis {
  std::string label;  // short unique name for legends and CSVs
  const AnalysisRun* run = nullptr;
  double eta = 0;     // line-searched GD η for the run's K
  double eval_loss = 0;
  std::vector<LayerProductsView> products;
  std::vector<InterpolationPoint> interpolation;  // empty for multi-head runs
  std::vector<ContextCurvePoint> context_curve;
};

struct IclAnalyses {
  std::vector<RunAnalysis> runs;
  std::vector<GdReferencePoint> gd_reference;  // K = 1 … the most layers among the runs
  int64_t tasks = 0, line_search_tasks = 0;
};

/// `runs` must outlive the result (it points into them).
IclAnalyses analyze_runs(const std::vector<AnalysisRun>& runs, const IclReportOptions& options);

report::Document build_icl_report(const IclAnalyses& analyses);

/// Writes the page to `html_path` and the CSVs beside it as <stem>_<figure>.csv; returns their paths.
std::vector<std::string> write_icl_report(const IclAnalyses& analyses, const std::string& html_path);

}  // namespace oh::icl::analysis
