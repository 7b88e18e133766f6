// High-accuracy generation with the ODE dZ/dt = b(t, Z), t: 1 -> 0, through Boost.Odeint.
#pragma once

#include "solvers/endpoint.hpp"
#include "theory/field.hpp"

namespace siv {

enum class Stepper { dopri5, bulirsch_stoer };

struct AdaptiveOptions {
  Stepper stepper = Stepper::dopri5;
  double abs_tol = 1e-12;
  double rel_tol = 1e-12;
  long max_steps = 100000;   // guard: a singular field fails fast with Ending::step_limit
  double t_final = 1e-12;    // integration stops here when the path has not settled before
  bool settle = true;        // finish in closed form once field.settled(t, z) >= 0
};

// Integrates in tau = 1 - t (a forward variable, as Odeint expects) with a controlled,
// dense-output stepper. Throws std::invalid_argument when z1 has the wrong size or is not finite.
Endpoint solve_adaptive(const Field& field, const ConstVecRef& z1, const AdaptiveOptions& options,
                        const Observer& observer = {});

// Signal-to-noise time (THEORY.md section 3): lambda = alpha/sigma, u = Z/sigma, du/dlambda = m(u, lambda)
// with weights softmax(-|u - lambda y_k|^2 / 2), integrated from lambda(1) until the weights settle.
// Schedule-invariant given the same standardized start u_1 = z1 / sigma(1) and lambda(1).
Endpoint solve_snr(const OracleField& oracle, const ConstVecRef& z1, const AdaptiveOptions& options);

}  // namespace siv
