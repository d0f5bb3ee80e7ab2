#include "synthetic_run.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/numpy_random.h"

namespace oh::report::testing {
namespace {

double median_of(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

}  // namespace

std::vector<SyntheticMethod> default_synthetic_methods() {
  return {{"ridge", 1.0, 0.3, 0.0},
          {"knn <k=5> & \"friends\"", 2.0, 0.4, 0.0},
          {"mlp", 0.5, 0.8, 0.2},
          {"svr-broken", 3.0, 0.1, 1.0}};
}

SyntheticRun make_synthetic_run(const std::vector<SyntheticMethod>& methods, int seeds, uint32_t rng_seed) {
  RandomState rng(rng_seed);
  SyntheticRun run;
  const size_t m = methods.size();
  std::vector<std::vector<double>> mses(m), maes(m);
  std::vector<double> rank_sum(m, 0.0);
  std::vector<int> wins(m, 0), failures(m, 0);
  for (int seed = 0; seed < seeds; ++seed) {
    std::vector<size_t> ok;
    std::vector<double> seed_mse(m, 0.0);
    for (size_t j = 0; j < m; ++j) {
      const SyntheticMethod& method = methods[j];
      const bool failed = rng.random_sample() < method.failure_rate;
      const double z = rng.standard_normal();
      const double mse = method.exact_zero ? 0.0 : std::pow(10.0, method.log10_mse + method.spread * z);
      const double mae = 0.8 * std::sqrt(mse);
      run.scores.push_back({method.name, seed, failed ? std::nan("") : mse, failed ? std::nan("") : mae, !failed});
      if (failed) {
        ++failures[j];
        continue;
      }
      ok.push_back(j);
      seed_mse[j] = mse;
      mses[j].push_back(mse);
      maes[j].push_back(mae);
    }
    // Ranks by MSE among the methods valid on this seed; ties share the average rank.
    for (const size_t j : ok) {
      int below = 0, equal = 0;
      for (const size_t k : ok) {
        below += seed_mse[k] < seed_mse[j];
        equal += seed_mse[k] == seed_mse[j];
      }
      rank_sum[j] += below + (equal + 1) / 2.0;
      wins[j] += below == 0;
    }
  }
  for (size_t j = 0; j < m; ++j) {
    const int n = static_cast<int>(mses[j].size());
    const double nan = std::numeric_limits<double>::quiet_NaN();
    double mse_sum = 0.0, mae_sum = 0.0;
    for (int i = 0; i < n; ++i) {
      mse_sum += mses[j][i];
      mae_sum += maes[j][i];
    }
    run.summary.push_back({methods[j].name, n, n ? mse_sum / n : nan, n ? median_of(mses[j]) : nan,
                           n ? mae_sum / n : nan, n ? rank_sum[j] / n : nan, wins[j], failures[j]});
  }
  return run;
}

}  // namespace oh::report::testing
