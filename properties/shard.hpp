// Splitting one run across machines: a deterministic partition of its cases (plan order), balanced
// by expected cost, so every shard computes the same split from the same plan.
#pragma once

#include <string>
#include <vector>

#include "properties/case.hpp"

namespace siv {

struct ShardSpec {
  int k = 1, n = 1;  // shard k of n, 1-based
};

// "K/N" with 1 <= K <= N <= 100000; throws std::invalid_argument saying what is wrong.
ShardSpec parse_shard(const std::string& text);

// Relative cost of observing a case (field evaluations: starts x training points x dimension x
// steps), from its fields alone.
double expected_cost(const Case& c);

// Shard (0-based) of each case: the costliest case first goes to the least loaded shard (ties:
// plan order, lowest shard), so the loads differ by at most one case's cost.
std::vector<int> partition_by_cost(const std::vector<Case>& cases, int shards);

}  // namespace siv
