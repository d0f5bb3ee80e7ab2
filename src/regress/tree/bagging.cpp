// BaggingRegressor: seeds for all estimators are drawn at once (`randint(MAX_INT, size)`);
// each seed gives the tree its random_state (first draw of RandomState(seed)) and, in a second
// RandomState(seed), first the feature indices and then the bootstrap indices. With
// max_features = n_features the feature draw is sample_without_replacement(d, d), which takes
// its reservoir path: the identity, no draws, columns in their original order.
#include "core/numpy_random.h"
#include "regress/tree/bootstrap_ensemble.h"
#include "regress/tree/splitter_random.h"
#include "regress/tree/tree_ensembles.h"

namespace oh::regress::tree {
namespace {

constexpr int kBaggingTrees = 10;

class Bagging final : public BootstrapTreeEnsemble {
 public:
  explicit Bagging(uint32_t random_state)
      : BootstrapTreeEnsemble(random_state, kBaggingTrees, CartParams{SplitCriterion::kSquaredError, INT32_MAX}) {}

 private:
  std::vector<TreeSeeds> draw_tree_seeds() const override {
    RandomState bagging(random_state_);
    std::vector<uint32_t> estimator_seeds;
    for (int t = 0; t < n_trees_; ++t) estimator_seeds.push_back(draw_estimator_seed(bagging));
    std::vector<TreeSeeds> seeds;
    for (const uint32_t seed : estimator_seeds) {
      RandomState estimator(seed);
      RandomState tree_random(draw_estimator_seed(estimator));
      seeds.push_back({seed, draw_splitter_seed(tree_random)});
    }
    return seeds;
  }
  const char* method_name() const override { return "bagging"; }
};

}  // namespace

std::unique_ptr<Regressor> make_bagging(uint32_t random_state) { return std::make_unique<Bagging>(random_state); }

}  // namespace oh::regress::tree
