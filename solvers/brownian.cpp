#include "solvers/brownian.hpp"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <stdexcept>
#include <string>

#include "theory/random.hpp"

namespace siv {

struct BrownianPath::Cache {
  std::mutex mutex;
  long block = -1;
  Mat values;
};

BrownianPath::BrownianPath(std::uint64_t seed, int dim, int finest_steps, long store_limit)
    : seed_(seed), dim_(dim), finest_steps_(finest_steps) {
  if (dim < 1 || finest_steps < 1)
    throw std::invalid_argument("BrownianPath: dim and finest_steps must be >= 1");
  if (static_cast<long>(dim) * finest_steps > store_limit) {
    cache_ = std::make_shared<Cache>();
    return;
  }
  stored_.resize(dim, finest_steps);
  Mat block;
  for (long b = 0; b * kBlockSteps < finest_steps; ++b) {
    draw_block(b, block);
    stored_.middleCols(b * kBlockSteps, block.cols()) = block;
  }
}

void BrownianPath::draw_block(long block, Mat& out) const {
  const long first = block * kBlockSteps;
  const long steps = std::min<long>(kBlockSteps, finest_steps_ - first);
  Rng rng(seed_, static_cast<std::uint64_t>(block));
  const double scale = std::sqrt(1.0 / finest_steps_);
  out.resize(dim_, steps);
  for (long i = 0; i < steps; ++i)
    for (int c = 0; c < dim_; ++c) out(c, i) = scale * rng.normal();
}

Vec BrownianPath::increment(int steps, int j) const {
  Vec out(dim());
  increment(steps, j, out);
  return out;
}

void BrownianPath::increment(int steps, int j, VecRef out) const {
  if (steps < 1 || finest_steps() % steps != 0)
    throw std::invalid_argument("BrownianPath: " + std::to_string(steps) +
                                " steps do not divide the finest grid of " +
                                std::to_string(finest_steps()));
  if (j < 1 || j > steps)
    throw std::invalid_argument("BrownianPath: increment " + std::to_string(j) +
                                " outside 1.." + std::to_string(steps));
  if (out.size() != dim()) throw std::invalid_argument("BrownianPath: output has the wrong size");
  const long ratio = finest_steps() / steps, first = (j - 1) * ratio;
  // Summed left to right, so a coarse increment is bit-for-bit the sum of its fine increments.
  if (!streamed()) {
    out = stored_.col(first);
    for (long i = 1; i < ratio; ++i) out += stored_.col(first + i);
    return;
  }
  const std::lock_guard lock(cache_->mutex);
  for (long i = 0; i < ratio; ++i) {
    const long fine = first + i, block = fine / kBlockSteps;
    if (block != cache_->block) {
      draw_block(block, cache_->values);
      cache_->block = block;
    }
    const auto column = cache_->values.col(fine - block * kBlockSteps);
    if (i == 0)
      out = column;
    else
      out += column;
  }
}

}  // namespace siv
