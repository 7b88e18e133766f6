// Training sets with a guaranteed minimum separation, built constructively (no filtering), so that
// a RapidCheck counterexample shrinks to a small set that is still valid.
#pragma once

#include <cstdint>
#include <ostream>

#include "theory/oracle.hpp"

namespace siv {

struct TrainingSetSpec {
  int n = 1;                 // points
  int d = 1;                 // dimension
  double separation = 1.0;   // every pair of points is at least this far apart
  std::uint64_t seed = 0;    // layout and jitter

  bool operator==(const TrainingSetSpec&) const = default;
};

// n distinct cells of a grid with spacing 2 * separation, each point jittered by at most
// separation / 2 per coordinate around its cell centre: pairwise distances >= separation.
// The grid is centred on the origin.
Mat build_training_set(const TrainingSetSpec& spec);

std::ostream& operator<<(std::ostream& os, const TrainingSetSpec& spec);

// Smallest pairwise distance (+inf for n = 1).
double min_separation(const Mat& points);

}  // namespace siv
