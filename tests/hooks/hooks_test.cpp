// src/hooks against a toy two-block model whose activations are known in closed form.
#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include "core/error.h"
#include "hooks/run.h"

namespace oh::hooks {
namespace {

/// x → hook_embed(2x); block l: h = hook_h(x · (l + 2)), x ← hook_resid_post(x + h); output = sum over d.
class ToyModel final : public HookedModel {
 public:
  ToyModel() {
    embed_ = registry_.declare("hook_embed");
    for (int l = 0; l < 2; ++l) {
      const std::string prefix = "blocks." + std::to_string(l) + ".";
      blocks_.push_back({registry_.declare(prefix + "hook_resid_pre", l), registry_.declare(prefix + "hook_h", l),
                         registry_.declare(prefix + "hook_resid_post", l)});
    }
  }
  const HookPointRegistry& hook_points() const override { return registry_; }

 protected:
  at::Tensor hooked_forward(const at::Tensor& input, HookPass& pass) const override {
    at::Tensor x = pass(embed_, input * 2);
    for (size_t l = 0; l < blocks_.size(); ++l) {
      if (pass.stops_before(static_cast<int>(l))) return x;
      x = pass(blocks_[l].resid_pre, x);
      const at::Tensor h = pass(blocks_[l].h, x * static_cast<double>(l + 2));
      x = pass(blocks_[l].resid_post, x + h);
    }
    return x.sum(-1);
  }

 private:
  struct Block {
    HookId resid_pre, h, resid_post;
  };
  HookPointRegistry registry_;
  HookId embed_;
  std::vector<Block> blocks_;
};

at::Tensor toy_input() { return at::arange(12, at::TensorOptions().dtype(at::kFloat)).view({1, 4, 3}); }

TEST(HookPointRegistry, ResolvesNamesListsAndPredicates) {
  const ToyModel model;
  const HookPointRegistry& r = model.hook_points();
  EXPECT_EQ(r.size(), 7u);
  EXPECT_EQ(r.layer_count(), 2);
  EXPECT_EQ(r.point(r.resolve("blocks.1.hook_h")).layer, 1);
  EXPECT_EQ(r.resolve(std::vector<std::string>{"blocks.1.hook_h", "hook_embed"}),
            (std::vector<HookId>{r.resolve("blocks.1.hook_h"), 0}));
  const auto resid = r.resolve([](const std::string& n) { return n.find("resid") != std::string::npos; });
  EXPECT_EQ(resid.size(), 4u);
  try {
    r.resolve("blocks.1.hook_hh");
    FAIL() << "unknown name accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("unknown hook point 'blocks.1.hook_hh' (closest: 'blocks.1.hook_h'"), std::string::npos)
        << e.what();
  }
}

TEST(RunWithCache, RecordsEveryPointInForwardOrderWithItsValue) {
  const ToyModel model;
  const at::Tensor input = toy_input();
  const CachedRun run = run_with_cache(model, input);
  EXPECT_EQ(run.cache.names(), (std::vector<std::string>{"hook_embed", "blocks.0.hook_resid_pre", "blocks.0.hook_h",
                                                         "blocks.0.hook_resid_post", "blocks.1.hook_resid_pre",
                                                         "blocks.1.hook_h", "blocks.1.hook_resid_post"}));
  // embed = 2x; block 0 multiplies by 3 (x + 2x), block 1 by 4.
  EXPECT_TRUE(at::equal(run.cache["hook_embed"], input * 2));
  EXPECT_TRUE(at::equal(run.cache["blocks.0.hook_h"], input * 4));
  EXPECT_TRUE(at::equal(run.cache["blocks.1.hook_resid_post"], input * 24));
  EXPECT_TRUE(at::equal(run.output, (input * 24).sum(-1)));
  EXPECT_THROW(run.cache.at("blocks.2.hook_h"), InputError);
}

TEST(RunWithCache, FiltersNamesSlicesPositionsAndStopsEarly) {
  const ToyModel model;
  const at::Tensor input = toy_input();
  CacheOptions options;
  options.names = NameFilter::matching([](const std::string& n) { return n.find("hook_h") != std::string::npos; });
  options.positions = PositionSlice::only(-1);
  const CachedRun last = run_with_cache(model, input, options);
  ASSERT_EQ(last.cache.size(), 2u);
  EXPECT_TRUE(at::equal(last.cache["blocks.1.hook_h"], (input * 18).narrow(1, 3, 1)));

  options = CacheOptions{};
  options.positions = PositionSlice{1, 3};
  options.stop_at_layer = 1;
  const CachedRun stopped = run_with_cache(model, input, options);
  EXPECT_TRUE(at::equal(stopped.output, input * 6));  // the residual stream entering block 1
  EXPECT_EQ(stopped.cache.size(), 4u);                  // nothing of block 1
  EXPECT_EQ(stopped.cache["hook_embed"].sizes(), (std::vector<int64_t>{1, 2, 3}));

  options = CacheOptions{};
  options.stop_at_layer = 3;
  EXPECT_THROW(run_with_cache(model, input, options), InputError);
  options = CacheOptions{};
  options.positions = PositionSlice{3, 1};
  EXPECT_THROW(run_with_cache(model, input, options), InputError);
  options = CacheOptions{};
  options.names = NameFilter::exactly({"hook_embed", "blocks.9.hook_h"});
  EXPECT_THROW(run_with_cache(model, input, options), InputError);
}

TEST(RunWithHooks, ReplacesChainsAndForgets) {
  const ToyModel model;
  const at::Tensor input = toy_input();
  auto zero = [](const at::Tensor& v, const HookContext&) -> std::optional<at::Tensor> { return at::zeros_like(v); };
  // Ablating block 0's h: the residual leaves block 0 as 2x, then block 1 makes it 8x.
  EXPECT_TRUE(at::equal(run_with_hooks(model, input, {{"blocks.0.hook_h", zero}}), (input * 8).sum(-1)));
  EXPECT_TRUE(at::equal(model.forward(input), (input * 24).sum(-1)));  // hooks last one pass

  std::vector<std::string> seen;
  auto add_one = [&](const at::Tensor& v, const HookContext& c) -> std::optional<at::Tensor> {
    seen.push_back(c.point.name);
    return v + 1;
  };
  auto times_ten = [](const at::Tensor& v, const HookContext&) -> std::optional<at::Tensor> { return v * 10; };
  const at::Tensor chained = run_with_hooks(model, input, {{"blocks.1.hook_resid_post", add_one}, {"blocks.1.hook_resid_post", times_ten}});
  EXPECT_TRUE(at::equal(chained, ((input * 24 + 1) * 10).sum(-1)));
  EXPECT_EQ(seen, std::vector<std::string>{"blocks.1.hook_resid_post"});

  auto wrong_shape = [](const at::Tensor& v, const HookContext&) -> std::optional<at::Tensor> { return v.sum(-1); };
  try {
    run_with_hooks(model, input, {{"hook_embed", wrong_shape}});
    FAIL() << "wrong replacement shape accepted";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "hook on 'hook_embed' returned shape [1, 4], expected [1, 4, 3]");
  }
}

TEST(RunWithHooks, PatchingACachedActivationReproducesTheSourceRun) {
  const ToyModel model;
  const at::Tensor clean = toy_input(), corrupt = toy_input() * -1 + 5;
  const CachedRun source = run_with_cache(model, clean, CacheOptions{NameFilter("blocks.1.hook_resid_pre"), {}, {}, true});
  auto patch = [&](const at::Tensor&, const HookContext& c) -> std::optional<at::Tensor> { return source.cache[c.point.name]; };
  EXPECT_TRUE(at::equal(run_with_hooks(model, corrupt, {{"blocks.1.hook_resid_pre", patch}}), source.output));
  // Patching one position changes only that position's output.
  auto patch_last = [&](const at::Tensor& v, const HookContext& c) -> std::optional<at::Tensor> {
    at::Tensor out = v.clone();
    out.narrow(1, 3, 1).copy_(source.cache[c.point.name].narrow(1, 3, 1));
    return out;
  };
  const at::Tensor patched = run_with_hooks(model, corrupt, {{"blocks.1.hook_resid_pre", patch_last}});
  const at::Tensor plain = model.forward(corrupt);
  EXPECT_TRUE(at::equal(patched.narrow(1, 0, 3), plain.narrow(1, 0, 3)));
  EXPECT_TRUE(at::equal(patched.narrow(1, 3, 1), source.output.narrow(1, 3, 1)));
}

}  // namespace
}  // namespace oh::hooks
