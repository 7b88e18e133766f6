// Euler-Maruyama for the reverse SDE dZ = [b - eps s] dt + sqrt(2 eps) dW, t: 1 -> 0:
//   Z_{j-1} = Z_j - h b(t_j, Z_j) + h eps(t_j) s(t_j, Z_j) + sqrt(2 eps(t_j)) (W(t_j) - W(t_{j-1})).
#pragma once

#include "solvers/brownian.hpp"
#include "solvers/endpoint.hpp"
#include "theory/diffusion.hpp"
#include "theory/field.hpp"

#include <vector>

namespace siv {

// noise must have the field's dimension and a finest grid that steps divides; W is the path's
// forward-time Brownian motion. evaluations counts velocity and score calls (the score is skipped
// where eps(t_j) = 0, so eps = 0 reproduces solve_fixed's Euler bit for bit). A non-finite state
// (unstable step, THEORY.md C3) ends the run with Ending::non_finite at the time reached, never a
// throw. Throws std::invalid_argument on a bad start, steps or noise.
Endpoint solve_euler_maruyama(const Field& field, const ConstVecRef& z1, const Diffusion& eps,
                              int steps, const BrownianPath& noise, const Observer& observer = {});

// Every column of z1 (d x M) at once with one Field::velocity_score_batch call per step; column i
// uses noise[i]. Throws std::invalid_argument as solve_euler_maruyama does, or when the number of
// paths is not M.
std::vector<Endpoint> solve_euler_maruyama_batch(const Field& field, const ConstMatRef& z1,
                                                 const Diffusion& eps, int steps,
                                                 const std::vector<const BrownianPath*>& noise,
                                                 const BatchObserver& observer = {});

}  // namespace siv
