// The shard partition: deterministic, every case in exactly one shard, loads balanced by expected
// cost to within one case.
#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>

#include "properties/shard.hpp"

namespace siv {
namespace {

std::vector<Case> cases_of_mixed_cost() {
  std::vector<Case> cases;
  for (int i = 0; i < 40; ++i) {
    Case c;
    c.check = "X";
    c.set.n = 1 + i % 7;
    c.set.d = 1 + i % 3;
    c.starts = 4 << (i % 4);
    c.steps = i % 5 == 0 ? 0 : 16 << (i % 3);
    c.ladder = i % 2 ? 4 : 0;
    cases.push_back(c);
  }
  return cases;
}

TEST(Shard, ParsesKOverNAndRejectsTheRest) {
  EXPECT_EQ(parse_shard("3/4").k, 3);
  EXPECT_EQ(parse_shard("3/4").n, 4);
  EXPECT_EQ(parse_shard("1/1").n, 1);
  for (const char* bad : {"0/4", "5/4", "4", "a/4", "1/0", "1/4x", "/4", "1/", "-1/4", "1/200000"})
    EXPECT_THROW(parse_shard(bad), std::invalid_argument) << bad;
}

TEST(Shard, CostGrowsWithStartsPointsDimensionAndSteps) {
  Case c;
  c.set.n = 2;
  c.set.d = 2;
  c.starts = 8;
  c.steps = 64;
  const double base = expected_cost(c);
  for (auto more : {&c.set.n, &c.set.d, &c.starts, &c.steps}) {
    Case bigger = c;
    *(more == &c.set.n ? &bigger.set.n : more == &c.set.d ? &bigger.set.d
      : more == &c.starts ? &bigger.starts : &bigger.steps) *= 2;
    EXPECT_GT(expected_cost(bigger), base);
  }
  Case ladder = c;
  ladder.ladder = 5;
  EXPECT_GT(expected_cost(ladder), base);  // the coarser rungs cost too
}

TEST(Shard, PartitionIsDeterministicCompleteAndBalancedByCost) {
  const auto cases = cases_of_mixed_cost();
  for (int shards : {1, 2, 3, 4, 7}) {
    const auto part = partition_by_cost(cases, shards);
    EXPECT_EQ(part, partition_by_cost(cases, shards));
    ASSERT_EQ(part.size(), cases.size());
    std::vector<double> load(shards, 0.0);
    double largest = 0;
    for (std::size_t i = 0; i < cases.size(); ++i) {
      ASSERT_GE(part[i], 0);
      ASSERT_LT(part[i], shards);
      load[part[i]] += expected_cost(cases[i]);
      largest = std::max(largest, expected_cost(cases[i]));
    }
    const auto [lo, hi] = std::minmax_element(load.begin(), load.end());
    EXPECT_LE(*hi - *lo, largest) << shards << " shards";
  }
}

TEST(Shard, BalancesCostNotCount) {
  // One expensive case and many cheap ones: the expensive case gets a shard of its own.
  std::vector<Case> cases(9);
  for (auto& c : cases) c.steps = 10;
  cases[4].steps = 100000;
  const auto part = partition_by_cost(cases, 2);
  EXPECT_EQ(std::count(part.begin(), part.end(), part[4]), 1);
}

}  // namespace
}  // namespace siv
