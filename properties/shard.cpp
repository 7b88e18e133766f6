#include "properties/shard.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace siv {

ShardSpec parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  ShardSpec s;
  const auto number = [](std::string_view part, int& value) {
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
    return ec == std::errc() && end == part.data() + part.size() && !part.empty();
  };
  const std::string_view all(text);
  if (slash == std::string::npos || !number(all.substr(0, slash), s.k) ||
      !number(all.substr(slash + 1), s.n) || s.n < 1 || s.n > 100000 || s.k < 1 || s.k > s.n)
    throw std::invalid_argument("'" + text + "' is not K/N with 1 <= K <= N <= 100000");
  return s;
}

double expected_cost(const Case& c) {
  // A ladder of L rungs ending at N steps takes N (2 - 2^(1-L)) steps; an adaptive path (N = 0)
  // takes several hundred field evaluations.
  const double steps = c.steps == 0 ? 800.0
                       : c.ladder   ? c.steps * (2.0 - std::ldexp(1.0, 1 - c.ladder))
                                    : static_cast<double>(c.steps);
  return 1.0 + static_cast<double>(c.starts) * c.set.n * (c.set.d + 1) * steps;
}

std::vector<int> partition_by_cost(const std::vector<Case>& cases, int shards) {
  std::vector<double> cost(cases.size());
  std::transform(cases.begin(), cases.end(), cost.begin(), expected_cost);
  std::vector<std::size_t> order(cases.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return cost[a] > cost[b]; });
  std::vector<double> load(static_cast<std::size_t>(std::max(1, shards)), 0.0);
  std::vector<int> shard(cases.size(), 0);
  for (std::size_t i : order) {
    const auto least = std::min_element(load.begin(), load.end()) - load.begin();
    shard[i] = static_cast<int>(least);
    load[static_cast<std::size_t>(least)] += cost[i];
  }
  return shard;
}

}  // namespace siv
