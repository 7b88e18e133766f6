// Brownian increments that are consistent across step sizes: the path is defined once on the
// finest grid (finest_steps steps on [0, 1]); the increment of a coarser grid with `steps` steps
// (finest_steps a multiple of steps) is the sum of the fine increments it covers. Convergence
// studies therefore use common random numbers.
//
// The fine increments are sqrt(1/N) times standard normals, drawn in blocks of kBlockSteps fine
// steps: block b comes from Rng(seed, b), step by step (all coordinates of a step, then the next).
// Any block can thus be redrawn on its own, so a path longer than kStoredValues numbers is not
// stored but streamed (the limit is a constructor argument): one block is kept (memory dim * kBlockSteps doubles) and redrawn on demand.
// Both forms give the same numbers bit for bit; the path is safe to share between threads.
#pragma once

#include <cstdint>
#include <memory>

#include "theory/oracle.hpp"

namespace siv {

class BrownianPath {
 public:
  static constexpr int kBlockSteps = 1024;
  static constexpr long kStoredValues = long{1} << 20;  // 8 MB

  // A path of more than store_limit numbers is streamed.
  BrownianPath(std::uint64_t seed, int dim, int finest_steps, long store_limit = kStoredValues);
  int dim() const { return dim_; }
  int finest_steps() const { return finest_steps_; }
  bool streamed() const { return stored_.size() == 0; }
  // W(t_j) - W(t_{j-1}) on the grid with `steps` steps, j in 1..steps (t_j = j / steps): the
  // left-to-right sum of its fine increments, bit for bit.
  // Throws std::invalid_argument if steps does not divide finest_steps or j is out of range.
  Vec increment(int steps, int j) const;
  void increment(int steps, int j, VecRef out) const;

 private:
  struct Cache;
  void draw_block(long block, Mat& out) const;  // dim x (steps in the block)

  std::uint64_t seed_;
  int dim_, finest_steps_;
  Mat stored_;                   // dim x finest_steps, column i is the increment over [i/N, (i+1)/N]
  std::shared_ptr<Cache> cache_;  // streamed form only
};

}  // namespace siv
