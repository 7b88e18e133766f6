#include "properties/model/memorization.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace siv {

std::vector<double> nearest_gaps(const Mat& points) {
  const auto n = points.cols();
  std::vector<double> gap(static_cast<std::size_t>(n), std::numeric_limits<double>::infinity());
  for (Eigen::Index k = 0; k < n; ++k)
    for (Eigen::Index j = 0; j < n; ++j)
      if (j != k) gap[k] = std::min(gap[k], (points.col(j) - points.col(k)).norm());
  return gap;
}

Landing landing(const Mat& points, const std::vector<double>& gaps, const ConstVecRef& z) {
  Landing out;
  double first = std::numeric_limits<double>::infinity(), second = first;
  for (Eigen::Index j = 0; j < points.cols(); ++j) {
    const double dj = (points.col(j) - z).norm();
    if (dj < first) {
      second = first;
      first = dj;
      out.nearest = static_cast<int>(j);
    } else if (dj < second) {
      second = dj;
    }
  }
  if (out.nearest < 0) return out;  // a non-finite z is near nothing
  out.dist = first;
  out.delta = kGapFraction * gaps[static_cast<std::size_t>(out.nearest)];
  out.nn_ratio = std::isinf(second) ? 0.0 : first / second;
  out.memorized = out.dist < out.delta;
  out.nn_memorized = out.nn_ratio < kNearestRatio;
  return out;
}

ModelPath model_path(const EstimatedField& model, double unit_roundoff, double precision_floor,
                     const ConstVecRef& z1, bool density_ratio) {
  ModelPath out;
  const double tol = std::max(kErrorPathTolerance, 100 * unit_roundoff);
  out.path = integrate_error_path(model, z1, kErrorPathEnd, tol, density_ratio,
                                  /*sigma_weighted=*/true);
  thread_local std::vector<double> gaps;
  gaps = nearest_gaps(model.points());
  const Landing at = landing(model.points(), gaps, out.path.z);
  // The path's own nearest point (its remainder is for that k) decides delta and memorization.
  const int k = out.path.nearest;
  out.delta = k >= 0 ? kGapFraction * gaps[k] : 0;
  out.nn_ratio = at.nn_ratio;
  out.allowance = out.path.remainder + out.path.solver_error + precision_floor;
  out.certified = out.path.accumulated + out.allowance < out.delta;
  out.memorized = out.path.dist < out.delta;
  out.nn_memorized = at.nn_memorized;
  return out;
}

}  // namespace siv
