#include "solvers/brownian.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "theory/random.hpp"

namespace siv {

BrownianPath::BrownianPath(std::uint64_t seed, int dim, int finest_steps) {
  if (dim < 1 || finest_steps < 1)
    throw std::invalid_argument("BrownianPath: dim and finest_steps must be >= 1");
  Rng rng(seed);
  const double scale = std::sqrt(1.0 / finest_steps);
  fine_.resize(dim, finest_steps);
  for (int i = 0; i < finest_steps; ++i)
    for (int c = 0; c < dim; ++c) fine_(c, i) = scale * rng.normal();
}

int BrownianPath::dim() const { return static_cast<int>(fine_.rows()); }
int BrownianPath::finest_steps() const { return static_cast<int>(fine_.cols()); }

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
  const int ratio = finest_steps() / steps;
  // Summed left to right, so a coarse increment is bit-for-bit the sum of its fine increments.
  out = fine_.col((j - 1) * ratio);
  for (int i = 1; i < ratio; ++i) out += fine_.col((j - 1) * ratio + i);
}

}  // namespace siv
