// The estimated ODE dZ/dt = b^ = b* + e from t = 1 to t_final, with what C4-C7 need carried as
// extra states. With D = Z - alpha y_k and m = y_k + r_k, D' = (sigma'/sigma) D + kappa r_k + e, so
//   (D / sigma)' = (kappa r_k + e) / sigma   and, for any k and t,
//   Z_t - alpha(t) y_k = sigma(t) [D_k(1)/sigma(1) - int_t^1 (kappa r_k + e)/sigma ds].
// Hence Z_t - y_k = -sigma(t) int_t^1 e/sigma ds + rho_k with
//   |rho_k| <= sigma(t) (|D_k(1)|/sigma(1) + int_t^1 |kappa| |r_k| / sigma ds) + |1 - alpha(t)| |y_k|,
// an exact remainder that vanishes as t -> 0 (THEORY.md C4).
#pragma once

#include "properties/check.hpp"
#include "properties/scene.hpp"
#include "solvers/endpoint.hpp"
#include "theory/error_models.hpp"

namespace siv {

struct ErrorPath {
  Vec z;                    // Z at t (where integration stopped)
  double t = 0;
  int nearest = -1;         // k: the training point nearest to Z_t
  double dist = 0;          // |Z_t - y_k|
  Vec shift;                // -sigma(t) int_t^1 e/sigma: the vector form of the accumulated error
  double accumulated = 0;   // A(t) = sigma(t) int_t^1 |e|/sigma
  double remainder = 0;     // the bound on |rho_k| above, for the final k
  double log_ratio_max = 0; // max over accepted steps of log(p_t / rho_t)(Z_t) (concentrability)
  long steps = 0;
  Ending ending = Ending::reached_end;
  double solver_error = 0;  // steps x tolerance x state size: the global error allowance
};

// t_final > 0; tol is the solver's absolute and relative tolerance. The density ratio (a
// divergence per evaluation) is carried only when asked for. sigma_weighted integrates A, the
// shift and the remainder integrals in their sigma-weighted form (bounded states): a float32
// model's e carries rounding noise ~ u |x| sigma'/sigma, which the plain integrals (growing like
// 1/sigma) cannot be integrated to tol against, so the solver would stall.
ErrorPath integrate_error_path(const EstimatedField& field, const ConstVecRef& z1, double t_final,
                               double tol, bool density_ratio = false, bool sigma_weighted = false);

// C4's training-loss bound (C4.loss and C4.model.loss): E A(t) <= sigma(t) sqrt(C excess(t, 1)
// int_t^1 sigma^-2), from the accumulated errors of paths to t (their count, sum, sum of squares
// and largest log density ratio) and a Monte Carlo excess loss. Sets the concentrability
// assumption, observed (the lower confidence bound of E A: Student t over the paths) and bound
// (the excess at its upper confidence bound: normal). A false violation needs one of the two
// bounds to miss, so each misses with half the case's level. `time_factor` is int_t^1 sigma^-2
// (a mutant replaces it).
struct PathErrorSums {
  int paths = 0;
  double sum = 0, sum_sq = 0, log_ratio = 0;
  void add(const ErrorPath& p);
};
double integral_inverse_variance(const Schedule& s, double t);
void judge_loss_bound(const Schedule& s, double t, const PathErrorSums& a,
                      const MonteCarloEstimate& excess, double time_factor, double level,
                      Observation& obs);

}  // namespace siv
