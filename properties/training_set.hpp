// Training sets with a guaranteed minimum separation, built constructively (no filtering), so that
// a RapidCheck counterexample shrinks to a small set that is still valid; or a seeded subset of a
// user's data set (verify --data).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "theory/oracle.hpp"

namespace siv {

struct TrainingSetSpec {
  int n = 1;                 // points
  int d = 1;                 // dimension
  double separation = 1.0;   // every pair of points is at least this far apart
  std::uint64_t seed = 0;    // layout and jitter; for data, the subset
  // A data spec (data/dataset.hpp): the set is a random subset of n of its points drawn from
  // `seed`, d is the data's dimension and separation its measured smallest distance. "": generated.
  std::string data = {};
  int label = -1;            // data: only points of this class (-1: all)
  std::string scale = "auto";  // data: auto | unit | symmetric | none

  bool operator==(const TrainingSetSpec&) const = default;
};

// The user's data set of a run (verify --data) and the subset sizes its cases draw.
struct DataSets {
  std::string source;  // data spec; "": generated sets
  int label = -1;
  std::string scale = "auto";
  std::vector<int> sizes;
  std::vector<int> study_sizes;  // the per-data-set study's subset sizes (empty: sizes)
};

// The landing laws (C1.law.*) bin a data subset's points into this many bins once n exceeds it:
// 8 paths per point in d = 784 cost minutes per case at n = 100.
constexpr int kDataLandingBins = 16;

// n distinct cells of a grid with spacing 2 * separation, each point jittered by at most
// separation / 2 per coordinate around its cell centre: pairwise distances >= separation.
// The grid is centred on the origin.
Mat build_training_set(const TrainingSetSpec& spec);

std::ostream& operator<<(std::ostream& os, const TrainingSetSpec& spec);

// Smallest pairwise distance (+inf for n = 1).
double min_separation(const Mat& points);

}  // namespace siv
