// RandomForestRegressor: every tree's integer seed is drawn up front from the forest's
// RandomState; that seed then both draws the tree's bootstrap indices and, through a fresh
// RandomState, its splitter seed.
#include "core/numpy_random.h"
#include "regress/tree/bootstrap_ensemble.h"
#include "regress/tree/splitter_random.h"
#include "regress/tree/tree_ensembles.h"

namespace oh::regress::tree {
namespace {

class RandomForest final : public BootstrapTreeEnsemble {
 public:
  RandomForest(uint32_t random_state, int n_trees, int max_depth)
      : BootstrapTreeEnsemble(random_state, n_trees,
                              CartParams{SplitCriterion::kSquaredError, max_depth < 0 ? INT32_MAX : max_depth}) {}

 private:
  std::vector<TreeSeeds> draw_tree_seeds() const override {
    RandomState forest(random_state_);
    std::vector<TreeSeeds> seeds;
    for (int t = 0; t < n_trees_; ++t) {
      const uint32_t tree_seed = draw_estimator_seed(forest);
      RandomState tree_random(tree_seed);  // the tree's own check_random_state(int) in fit
      seeds.push_back({tree_seed, draw_splitter_seed(tree_random)});
    }
    return seeds;
  }
  const char* method_name() const override { return "random_forest"; }
};

}  // namespace

std::unique_ptr<Regressor> make_random_forest(uint32_t random_state, int n_trees, int max_depth) {
  return std::make_unique<RandomForest>(random_state, n_trees, max_depth);
}

}  // namespace oh::regress::tree
