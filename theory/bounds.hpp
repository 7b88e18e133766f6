// Bound and prediction formulas of the claims (THEORY.md section 4), as functions of the schedule.
#pragma once

#include "theory/diffusion.hpp"
#include "theory/schedule.hpp"

namespace siv {

// C2: margin at the last Euler step for the weight deficit (n - 1) exp(-u) to be <= sqrt(h).
double required_margin(int n, double h);

// C2: the coefficients of the last-step identity
//   Z_0 - y_k = alpha_defect(h) y_k + sigma_defect(h) xi_1 - h kappa(h) r.
double alpha_defect(const Schedule& s, double h);  // alpha(h) - h alpha'(h) - 1
double sigma_defect(const Schedule& s, double h);  // sigma(h) - h sigma'(h)

// C2: order q of the Euler error, the slower-decaying defect: sigma_defect ~ c (1 - p) h^p for
// p < 1; otherwise (and for alpha_defect, which is O(h^2) for smooth alpha) the local slope at
// h ~ 1e-5. +inf when both defects vanish (linear: the last step is exact up to r).
double euler_error_order(const Schedule& s);

// C2: local log-log slope between h1 and h2 of the defect that sets euler_error_order: the
// distance of the finite-h rate from q that the schedule alone explains.
double euler_error_local_order(const Schedule& s, double h1, double h2);

// C3: one Euler-Maruyama step from t = h in the one-hot regime multiplies Z - alpha y_k by
// a(h) = 1 - h (sigma'/sigma + eps/sigma^2) and adds N(0, 2 eps h I); from Z_h - alpha y_k ~
// N(0, sigma^2 I) the residual variance per coordinate is
// v(h) = (sigma - h sigma' - h eps / sigma)^2 + 2 eps h.
double em_residual_variance(const Schedule& s, const Diffusion& eps, double h);

// C3 stability: max over the grid t_j = j h, j = 1..steps, of h (sigma'/sigma + eps/sigma^2);
// the one-hot recursion is stable when it stays below 2.
double em_stability(const Schedule& s, const Diffusion& eps, int steps);

// C3: the same recursion run exactly over the whole grid for one Gaussian centre (n = 1, where
// it is the law of Euler-Maruyama), V_{j-1} = a_j^2 V_j + 2 eps_j h from V_N = sigma(1)^2:
// the variance per coordinate at t = 0. Its gap to v(h) is the leading-order error of v(h).
double em_variance_recursion(const Schedule& s, const Diffusion& eps, int steps);
// The mean of that recursion for the centre y: E[Z_0 - y] = mu y, mu_{j-1} = a_j mu_j +
// (alpha_j - alpha_{j-1} - h alpha'_j) from mu_N = 0 (the drift's alpha terms; the last one is
// the alpha defect alpha(h) - h alpha'(h) - 1). Returns mu.
double em_mean_recursion(const Schedule& s, const Diffusion& eps, int steps);

}  // namespace siv
