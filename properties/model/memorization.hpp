// What the model-driven checks measure on one generated path of a trained network (C4-C7 with a
// model as b^): the error path of properties/error_path.hpp and the two memorization criteria.
//   - gap criterion: dist(Z_0, y_k) < delta_k = gap_k / 20, gap_k the distance from the nearest
//     training point y_k to its own nearest neighbour in Y (the ridge ladder's sep/20, per point);
//   - ratio criterion (memorization literature): NN1/NN2 < 1/3, the distances from Z_0 to its
//     nearest and second-nearest training points.
// Certified: A + remainder + solver allowance + precision floor < delta_k, which by C4 implies the
// gap criterion.
#pragma once

#include <vector>

#include "properties/error_cases.hpp"

namespace siv {

inline constexpr double kGapFraction = 1.0 / 20;
inline constexpr double kNearestRatio = 1.0 / 3;

struct ModelPath {
  ErrorPath path;
  double delta = 0;        // gap_k / 20 for the landing point k
  double nn_ratio = 0;     // NN1 / NN2 (0 when n = 1)
  double allowance = 0;    // remainder + solver allowance + precision floor
  bool certified = false;  // A + allowance < delta
  bool memorized = false;  // dist < delta
  bool nn_memorized = false;
};

// Where a sample z lands among the training points (columns of `points`, gaps from nearest_gaps):
// its nearest point, distance, delta = gap/20 there, NN1/NN2 and both criteria.
struct Landing {
  int nearest = -1;
  double dist = 0, delta = 0, nn_ratio = 0;
  bool memorized = false, nn_memorized = false;
};
Landing landing(const Mat& points, const std::vector<double>& gaps, const ConstVecRef& z);

// Integrates the path of the model from z1 with the step size following Z only (the model's
// rounding is noise) and tolerance max(1e-8, 100 u).
ModelPath model_path(const EstimatedField& model, double unit_roundoff, double precision_floor,
                     const ConstVecRef& z1, bool density_ratio = false);

// gap_k for every training point (+inf when n = 1).
std::vector<double> nearest_gaps(const Mat& points);

}  // namespace siv
