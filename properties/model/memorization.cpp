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

ModelPath model_path(const EstimatedField& model, double unit_roundoff, double precision_floor,
                     const ConstVecRef& z1, bool density_ratio) {
  ModelPath out;
  const double tol = std::max(kErrorPathTolerance, 100 * unit_roundoff);
  out.path = integrate_error_path(model, z1, kErrorPathEnd, tol, density_ratio,
                                  /*sigma_weighted=*/true);
  const Mat& y = model.points();
  thread_local std::vector<double> gaps;
  gaps = nearest_gaps(y);
  const int k = out.path.nearest;
  out.delta = k >= 0 ? kGapFraction * gaps[k] : 0;
  double first = std::numeric_limits<double>::infinity(), second = first;
  for (Eigen::Index j = 0; j < y.cols(); ++j) {
    const double dj = (y.col(j) - out.path.z).norm();
    if (dj < first) {
      second = first;
      first = dj;
    } else if (dj < second) {
      second = dj;
    }
  }
  out.nn_ratio = std::isinf(second) ? 0.0 : first / second;
  out.allowance = out.path.remainder + out.path.solver_error + precision_floor;
  out.certified = out.path.accumulated + out.allowance < out.delta;
  out.memorized = out.path.dist < out.delta;
  out.nn_memorized = out.nn_ratio < kNearestRatio;
  return out;
}

}  // namespace siv
