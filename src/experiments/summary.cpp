#include "experiments/summary.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace oh::experiments {
namespace {

double median(std::vector<double> values) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(values.begin(), values.end());
  const size_t mid = values.size() / 2;
  return values.size() % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

double mean(const std::vector<double>& values) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  double sum = 0.0;
  for (double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

}  // namespace

std::vector<report::MethodSummary> summarize(const std::vector<report::SeedScore>& scores,
                                             const std::vector<std::string>& method_order) {
  struct Accumulator {
    std::vector<double> mse, mae, rank;
    int wins = 0, failures = 0;
  };
  std::map<std::string, Accumulator> by_method;
  std::map<int64_t, std::vector<const report::SeedScore*>> by_seed;
  for (const auto& s : scores) {
    auto& acc = by_method[s.method];
    if (!s.ok) {
      ++acc.failures;
      continue;
    }
    acc.mse.push_back(s.mse);
    acc.mae.push_back(s.mae);
    by_seed[s.seed].push_back(&s);
  }
  for (auto& [seed, ok] : by_seed) {
    std::sort(ok.begin(), ok.end(), [](const auto* a, const auto* b) { return a->mse < b->mse; });
    const double best = ok.front()->mse;
    for (size_t i = 0; i < ok.size();) {
      size_t j = i;
      while (j + 1 < ok.size() && ok[j + 1]->mse == ok[i]->mse) ++j;
      const double average_rank = (static_cast<double>(i + 1) + static_cast<double>(j + 1)) / 2;
      for (size_t k = i; k <= j; ++k) {
        auto& acc = by_method[ok[k]->method];
        acc.rank.push_back(average_rank);
        if (ok[k]->mse == best) ++acc.wins;
      }
      i = j + 1;
    }
  }
  std::vector<report::MethodSummary> summary;
  for (const auto& method : method_order) {
    const auto& acc = by_method[method];
    summary.push_back({method, static_cast<int>(acc.mse.size()), mean(acc.mse), median(acc.mse), mean(acc.mae),
                       mean(acc.rank), acc.wins, acc.failures});
  }
  return summary;
}

}  // namespace oh::experiments
