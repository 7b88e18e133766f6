// The estimated ODE dZ/dt = b^ = b* + e from t = 1 to t_final, with what C4-C7 need carried as
// extra states. With D = Z - alpha y_k and m = y_k + r_k, D' = (sigma'/sigma) D + kappa r_k + e, so
//   (D / sigma)' = (kappa r_k + e) / sigma   and, for any k and t,
//   Z_t - alpha(t) y_k = sigma(t) [D_k(1)/sigma(1) - int_t^1 (kappa r_k + e)/sigma ds].
// Hence Z_t - y_k = -sigma(t) int_t^1 e/sigma ds + rho_k with
//   |rho_k| <= sigma(t) (|D_k(1)|/sigma(1) + int_t^1 |kappa| |r_k| / sigma ds) + |1 - alpha(t)| |y_k|,
// an exact remainder that vanishes as t -> 0 (THEORY.md C4).
#pragma once

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

}  // namespace siv
