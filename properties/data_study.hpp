// The per-data-set outputs of verify --data: the geometry the claims depend on (nearest-neighbour
// distances; C2's margin assumption u >= log((n-1)/sqrt(h)) at t = h under rho_h) and the
// memorization study of each sampler against n and h.
//
// Memorization criteria, for a sample z with nearest training point y_k at distance d1, second
// nearest at d2, and gap g_k = distance from y_k to its nearest other training point:
//   gap criterion:   d1 < gap_fraction * g_k    (inside y_k's own neighbourhood)
//   ratio criterion: d1 / d2 < ratio            (the NN1/NN2 test of the memorization literature)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "properties/training_set.hpp"
#include "theory/oracle.hpp"

namespace siv {

struct NeighbourStats {
  int n = 0;
  std::string selection;  // the subset's record (data/dataset.hpp), indices hash included
  double min = 0, median = 0, max = 0;  // nearest-neighbour distances of the training points
};

struct MarginRow {
  std::string schedule;
  int n = 0, steps = 0;
  double h = 0, required = 0;  // required_margin(n, h)
  double median_margin = 0;    // of u at Z_h ~ rho_h
  double fraction_met = 0;     // of draws with u >= required
};

struct MemorizationRow {
  std::string schedule, sampler;  // euler | em (eps = sigma^2) | adaptive
  int n = 0, steps = 0;           // steps 0: adaptive
  int samples = 0;
  double gap_rate = 0, ratio_rate = 0;  // fractions memorized by each criterion
  double median_d1 = 0, median_ratio = 0;
};

struct SampleImages {
  std::string sampler;
  std::vector<Vec> samples, nearest;  // generated samples and their nearest training points
};

struct DataStudy {
  std::vector<NeighbourStats> neighbours;
  std::vector<MarginRow> margins;
  std::vector<MemorizationRow> memorization;
  std::string image_schedule;  // samples of the first schedule at the first size
  int image_steps = 0;
  std::vector<SampleImages> images;
  double gap_fraction = 0, ratio = 0;
};

struct StudyOptions {
  DataSets data;
  std::vector<std::string> schedules;
  std::uint64_t seed = 0;
  int samples = 16;                       // per sampler, size and step count
  std::vector<int> steps{8, 32, 128, 512};
  int image_steps = 128;
  int images = 8;
  double gap_fraction = 1.0 / 3, ratio = 1.0 / 3;
};

DataStudy study_data(const StudyOptions& options);

}  // namespace siv
