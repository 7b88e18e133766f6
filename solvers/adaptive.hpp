// High-accuracy generation with the ODE dZ/dt = b(t, Z), t: 1 -> 0, through Boost.Odeint.
#pragma once

#include <functional>
#include <limits>
#include <optional>

#include "solvers/endpoint.hpp"
#include "theory/field.hpp"

namespace siv {

enum class Stepper { dopri5, bulirsch_stoer };

struct AdaptiveOptions {
  Stepper stepper = Stepper::dopri5;
  double abs_tol = 1e-12;
  double rel_tol = 1e-12;
  long max_steps = 100000;   // guard: a singular field fails fast with Ending::step_limit
  double t_final = 1e-12;    // integration in t stops here when the path has not settled before
  bool settle = true;        // finish in closed form once field.settled(t, z) >= 0
  double snr_lambda_max = 1e20;  // solve_snr: ceiling of lambda = alpha/sigma when it never settles
  // Cap steps where the weights change and certify the basin for the state's error bound
  // (docs/claims.md, "Basin certificate"). false is the solver before issue 15: the controller
  // alone picks the steps and the certificate trusts the computed state; kept as C1's mutant.
  bool resolve_basins = true;
};

// Integrates in tau = 1 - t (a forward variable, as Odeint expects) with a controlled,
// dense-output stepper. Throws std::invalid_argument when z1 has the wrong size or is not finite.
// evaluations counts velocity calls (settled() checks are not counted). Every field evaluation
// lies in [t_final, 1]: the last step is shortened to end exactly at t_final.
// For the exact oracle (field.exact_oracle()) with resolve_basins, a path whose basin is still
// open where the steps its weights need are too short for t = 1 - tau to resolve (shorter than
// ~2.4e-7: data of scale >~1e6 near t = 1, basins chosen near t = 0) continues in signal-to-noise
// time (solve_snr's integrator) from that state: down to lambda(t_final) without settling, with
// settling until it settles or reaches snr_lambda_max (past t_final, which bounds only the
// t-frame: a basin chosen below t_final, e.g. separation 1e-9 on bridge:2, is still found).
// Limits of t = 1 - tau: t is resolved to ~1e-16 absolute, so near t_final = 1e-12 each step's
// length is off by up to ~1e-4 relative. Without settling, this moves Z(t_final) off the exact
// tail by up to u sum (sigma'/sigma) |Z - alpha y_k| over the steps (measured ~1e-5 for power:0.25,
// where sigma(1e-12) = 1e-3). And power:P with P <= ~0.15 may not settle before t_final at all
// (sigma(1e-12) = 0.25 for P = 0.05): Ending::reached_end far from Y. solve_snr has neither limit.
Endpoint solve_adaptive(const Field& field, const ConstVecRef& z1, const AdaptiveOptions& options,
                        const Observer& observer = {});

// Signal-to-noise time (THEORY.md section 3): lambda = alpha/sigma, u = Z/sigma, du/dlambda = m(u, lambda)
// with weights softmax(-|u - lambda y_k|^2 / 2), integrated from lambda(1) until the weights settle.
// Schedule-invariant given the same standardized start u_1 = z1 / sigma(1) and lambda(1).
// Derivation: with kappa = alpha' - alpha sigma'/sigma, d lambda/dt = kappa/sigma and
// du/dt = Z'/sigma - Z sigma'/sigma^2 = kappa m / sigma, so du/dlambda = m.
// Settled (log deficit < kSettledLogDeficit): Z_0 = y_k, t_end solves alpha(t)/sigma(t) = lambda.
// Otherwise stops at options.snr_lambda_max (Ending::reached_end, Z = sigma(t_end) u there).
// Uses options.stepper, tolerances, max_steps and settle; t_final does not apply. evaluations
// counts posterior means for the right-hand side (settle checks are not counted).
Endpoint solve_snr(const OracleField& oracle, const ConstVecRef& z1, const AdaptiveOptions& options);

// The driver both solvers share, usable for any forward ODE dx/ds = f(s, x) (e.g. a path with
// extra accumulated-error components): integrates s0 -> s1 (s1 > s0) with options.stepper,
// tolerances and max_steps, never evaluating f outside [s0, s1]. after_step(s, x) runs after every
// accepted step; it may stop the run there with an ending of its choice, and caps the next step
// (the controller's proposal is cut to max_step). A non-finite f value or state ends it with
// Ending::non_finite; max_steps accepted steps, or Odeint giving up on the step size, with
// Ending::step_limit. x is the last accepted state (still finite when f failed).
using ForwardRhs = std::function<void(double s, const ConstVecRef& x, VecRef dxds)>;
struct StepControl {
  std::optional<Ending> stop;  // end the run here with this ending
  double max_step = std::numeric_limits<double>::infinity();  // ceiling of the next step
};
using StepHook = std::function<StepControl(double s, const ConstVecRef& x)>;

struct ForwardRun {
  Vec x;                 // state where the run stopped
  double s = 0;          // where it stopped
  long evaluations = 0;  // calls of f
  long steps = 0;        // accepted steps
  Ending ending = Ending::reached_end;
};

ForwardRun integrate_forward(const ForwardRhs& f, const ConstVecRef& x0, double s0, double s1,
                             double initial_step, const AdaptiveOptions& options,
                             const StepHook& after_step = {});

}  // namespace siv
