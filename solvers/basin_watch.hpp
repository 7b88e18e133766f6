// Follows the basin of an oracle path step by step for the adaptive solvers: a bound on the
// standardized state error (local tolerance and rounding per step, grown by lambda |Cov_w| along
// the path), the basin certificate of theory/basin.hpp for the whole error ball, and the ceiling
// of the next lambda step that keeps the weights' changes resolved (docs/claims.md, "Basin
// certificate" and "Step control").
#pragma once

#include <optional>

#include "solvers/endpoint.hpp"
#include "theory/basin.hpp"
#include "theory/field.hpp"

namespace siv {

class BasinWatch {
 public:
  explicit BasinWatch(const Mat& points) : geometry_(points) {}

  // The state after an accepted step (or the start): x with the mixture's alpha and sigma (the
  // signal-to-noise frame passes lambda, 1, u), the step's local error bound in standardized
  // units, and the rounding of lambda.
  const BasinReading& observe(double alpha, double sigma, const ConstVecRef& x, double local,
                              double lambda_error);
  const BasinReading& last() const { return reading_; }
  double error() const { return error_; }

  // settled once the error ball is certified (undecidable when y_leader is duplicated in the
  // data), undecidable once it is unresolvable.
  std::optional<Ending> verdict() const;
  // For a run that reached its end uncertified: undecidable when the leader has a distinct
  // neighbour closer than double precision can separate at its scale (|y_j - y_k| <=
  // kUnresolvedRatio sqrt(d) eps max_i |y_i|), else `ending` unchanged.
  Ending unfinished(Ending ending) const;

 private:
  friend Endpoint finish_at_leader(const BasinWatch&, Ending, double, long, long);
  BasinGeometry geometry_;
  BasinReading reading_;
  double error_ = 0, lambda_ = 0;
  bool started_ = false;
};

// The local error bound of one accepted step from `previous` to x: Odeint keeps each component
// within abs_tol + rel_tol (|x| + |dx|) by its estimate (sqrt(d) from the max norm to the 2-norm),
// plus the rounding of the update.
double step_local_error(double abs_tol, double rel_tol, const ConstVecRef& x,
                        const ConstVecRef& previous);

// The run's Endpoint at the watch's leader (settled or undecidable): Z_0 = y_leader.
Endpoint finish_at_leader(const BasinWatch& watch, Ending ending, double t_end, long evaluations,
                          long steps);

// A fixed grid's step from t to t_next cannot resolve the basin choice: the basin is not yet
// certified by `at_t`, the reading at (t, z), and the step moves lambda = alpha/sigma by more than
// 4 times the ceiling over which the oracle's weights stay resolved (theory/basin.hpp), so the
// step jumps across the window where the path picks its training point.
bool grid_step_too_coarse(const BasinReading& at_t, const Schedule& schedule, double t, double t_next);

// Relative separation below which two points cannot be told apart by the flow: the logit gap
// lambda^2 |delta|^2 / 2 never exceeds the rounding lambda |delta| 2 eps sqrt(d) lambda |y| of a
// single step when |delta| < 4 eps sqrt(d) |y|; a margin of 16 covers the steps' accumulation.
inline constexpr double kUnresolvedRatio = 64.0;

}  // namespace siv
