#include "solvers/basin_watch.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace siv {

const BasinReading& BasinWatch::observe(double alpha, double sigma, const ConstVecRef& x,
                                        double local, double lambda_error) {
  // Gronwall over the step: |u - u_true| grows at most at rate |dm/du| <= growth, read at both ends
  // of the step (the step ceiling keeps the weights from changing by more than ~e^2 in between).
  const double lambda = alpha / sigma;
  BasinSnapshot snapshot(geometry_, alpha, sigma, x);
  if (!started_) {
    started_ = true;
    reading_ = snapshot.read({error_, lambda_error});
  } else {
    const double step = lambda - lambda_, before = reading_.growth;
    reading_ = snapshot.read({error_ * std::exp(before * step) + local, lambda_error});
    if (reading_.growth > before) {
      error_ = error_ * std::exp(reading_.growth * step) + local;
      reading_ = snapshot.read({error_, lambda_error});
    } else {
      error_ = error_ * std::exp(before * step) + local;
    }
  }
  lambda_ = lambda;
  return reading_;
}

std::optional<Ending> BasinWatch::verdict() const {
  // Identical points are one basin: the flow ends at their point, but no flow can say at which
  // of their indices.
  if (reading_.certified) return reading_.copies > 1 ? Ending::undecidable : Ending::settled;
  if (reading_.unresolvable) return Ending::undecidable;
  return std::nullopt;
}

Ending BasinWatch::unfinished(Ending ending) const {
  if (ending != Ending::reached_end || reading_.leader < 0) return ending;
  const double scale = kUnresolvedRatio * std::sqrt(static_cast<double>(geometry_.points().rows())) *
                       std::numeric_limits<double>::epsilon() * geometry_.max_norm();
  for (const double dist : *geometry_.distances_from(reading_.leader))
    if (dist > 0 && dist <= scale) return Ending::undecidable;
  return ending;
}

double step_local_error(double abs_tol, double rel_tol, const ConstVecRef& x,
                        const ConstVecRef& previous) {
  return std::sqrt(static_cast<double>(x.size())) *
             (abs_tol + rel_tol * (x.lpNorm<Eigen::Infinity>() +
                                   (x - previous).lpNorm<Eigen::Infinity>())) +
         2 * std::numeric_limits<double>::epsilon() * x.norm();
}

bool grid_step_too_coarse(const BasinReading& at_t, const Schedule& s, double t, double t_next) {
  if (at_t.certified || t_next <= 0) return false;  // the last step ends at t = 0, where lambda = inf
  return s.alpha(t_next) / s.sigma(t_next) - s.alpha(t) / s.sigma(t) > 4 * at_t.max_step;
}

Endpoint finish_at_leader(const BasinWatch& watch, Ending ending, double t_end, long evaluations,
                          long steps) {
  return make_endpoint(watch.geometry_.points(), watch.geometry_.points().col(watch.reading_.leader), ending, t_end,
                       evaluations, steps);
}

}  // namespace siv
