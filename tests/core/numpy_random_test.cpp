#include <gtest/gtest.h>

#include "core/numpy_random.h"

TEST(RandomState, placeholder) { oh::RandomState r(0); EXPECT_GT(r.random_sample(), 0.0); }
