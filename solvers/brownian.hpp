// Brownian increments that are consistent across step sizes: the path is drawn once on the finest
// grid (finest_steps steps on [0, 1]); the increment of a coarser grid with `steps` steps
// (finest_steps a multiple of steps) is the sum of the fine increments it covers. Convergence
// studies therefore use common random numbers. The fine increments are sqrt(1/N) times standard
// normals drawn from Rng(seed) step by step (all coordinates of step 1, then step 2, ...); memory is
// dim * finest_steps doubles.
#pragma once

#include <cstdint>

#include "theory/oracle.hpp"

namespace siv {

class BrownianPath {
 public:
  BrownianPath(std::uint64_t seed, int dim, int finest_steps);
  int dim() const;
  int finest_steps() const;
  // W(t_j) - W(t_{j-1}) on the grid with `steps` steps, j in 1..steps (t_j = j / steps): the
  // left-to-right sum of its fine increments, bit for bit.
  // Throws std::invalid_argument if steps does not divide finest_steps or j is out of range.
  Vec increment(int steps, int j) const;
  void increment(int steps, int j, VecRef out) const;

 private:
  Mat fine_;  // dim x finest_steps, column i is the increment over [i/N, (i+1)/N]
};

}  // namespace siv
