#pragma once
// Trees fitted on bootstrap samples given as sample weights (counts) and averaged: what
// RandomForestRegressor and BaggingRegressor share. They differ only in how the per-tree
// seeds are drawn, which each subclass states.
#include <cstdint>
#include <vector>

#include "regress/regressor.h"
#include "regress/tree/cart.h"

namespace oh::regress::tree {

class BootstrapTreeEnsemble : public Regressor {
 public:
  void fit(const Matrix& X, const Vector& y) override;
  Vector predict(const Matrix& X) const override;

 protected:
  BootstrapTreeEnsemble(uint32_t random_state, int n_trees, CartParams params)
      : random_state_(random_state), n_trees_(n_trees), params_(params) {}

  /// The seeds of one tree: the RandomState that draws its bootstrap indices
  /// (`randint(0, n, n)`) and the seed its splitter starts from.
  struct TreeSeeds {
    uint32_t bootstrap_seed;
    uint32_t splitter_seed;
  };
  virtual std::vector<TreeSeeds> draw_tree_seeds() const = 0;
  virtual const char* method_name() const = 0;

  uint32_t random_state_;
  int n_trees_;

 private:
  CartParams params_;
  Eigen::Index n_features_ = 0;
  std::vector<CartTree> trees_;
};

}  // namespace oh::regress::tree
