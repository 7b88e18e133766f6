// The uniform grid t_j = j / steps walked from t = 1 down to t = 0, shared by the fixed-step
// solvers: the one-step map differs, the loop, the non-finite stop and the observer do not.
#pragma once

#include "solvers/endpoint.hpp"
#include "theory/field.hpp"

#include <limits>
#include <vector>

namespace siv {

// step(j, t, t_next, z) advances z from t = j / steps to t_next = (j - 1) / steps in place,
// counting its field evaluations in `evaluations`. Stops at the first non-finite state.
template <class Step>
Endpoint march_grid(const Field& field, Vec z, int steps, const Observer& observer,
                    const long& evaluations, Step&& step) {
  if (observer) observer(1.0, z);
  for (int j = steps; j >= 1; --j) {
    // t_j = j / steps exactly rounded (no accumulated drift).
    const double t = static_cast<double>(j) / steps;
    const double t_next = static_cast<double>(j - 1) / steps;
    step(j, t, t_next, z);
    if (!z.allFinite())
      return make_endpoint(field.points(), std::move(z), Ending::non_finite, t_next, evaluations,
                           steps - j + 1);
    if (observer) observer(t_next, z);
  }
  return make_endpoint(field.points(), std::move(z), Ending::reached_end, 0.0, evaluations, steps);
}

// The batched walk: step(j, t, t_next, z) advances every column of z (d x M) at once;
// evaluations_per_step(j) is what one column's step costs. A column that becomes non-finite ends
// there (Ending::non_finite at t_next) and is set to NaN, so that it stays out of later results
// without changing the other columns.
template <class Step, class Cost>
std::vector<Endpoint> march_grid_batch(const Field& field, Mat z, int steps, const BatchObserver& observer,
                                       Cost&& evaluations_per_step, Step&& step) {
  const Eigen::Index m = z.cols();
  std::vector<Endpoint> out(static_cast<std::size_t>(m));
  std::vector<char> ended(static_cast<std::size_t>(m), 0);
  long evaluations = 0;
  if (observer) observer(1.0, z);
  for (int j = steps; j >= 1; --j) {
    const double t = static_cast<double>(j) / steps;
    const double t_next = static_cast<double>(j - 1) / steps;
    step(j, t, t_next, z);
    evaluations += evaluations_per_step(j);
    for (Eigen::Index i = 0; i < m; ++i) {
      if (ended[i] || z.col(i).allFinite()) continue;
      ended[i] = 1;
      out[i] = make_endpoint(field.points(), z.col(i), Ending::non_finite, t_next, evaluations, steps - j + 1);
      z.col(i).setConstant(std::numeric_limits<double>::quiet_NaN());
    }
    if (observer) observer(t_next, z);
  }
  for (Eigen::Index i = 0; i < m; ++i)
    if (!ended[i]) out[i] = make_endpoint(field.points(), z.col(i), Ending::reached_end, 0.0, evaluations, steps);
  return out;
}

}  // namespace siv
