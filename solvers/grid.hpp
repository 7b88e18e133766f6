// The uniform grid t_j = j / steps walked from t = 1 down to t = 0, shared by the fixed-step
// solvers: the one-step map differs, the loop, the non-finite stop and the observer do not.
#pragma once

#include "solvers/endpoint.hpp"
#include "theory/field.hpp"

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

}  // namespace siv
