// Fixed-step generation on the uniform grid t_j = j h, h = 1/steps, from t = 1 down to t = 0.
#pragma once

#include "solvers/endpoint.hpp"
#include "theory/field.hpp"

#include <vector>

namespace siv {

enum class Method { euler, heun, rk4 };
std::string to_string(Method m);

// Euler: Z_{j-1} = Z_j - h b(t_j, Z_j). Heun and RK4 would evaluate b at t = 0, where the field is
// singular (sigma = 0), so their last step is an Euler step, as in Karras et al. (2022).
// The endpoint is reported as it is, never snapped to a training point.
// evaluations counts velocity calls (Euler 1, Heun 2, RK4 4 per step; 1 for the last step). A
// non-finite state ends the run with Ending::non_finite at the time reached (no throw). Throws
// std::invalid_argument when steps < 1 or z1 has the wrong size or is not finite.
Endpoint solve_fixed(const Field& field, const ConstVecRef& z1, Method method, int steps,
                     const Observer& observer = {});

// Every column of z1 (d x M) at once, one Field::velocity_batch call per stage for the whole
// batch: the same scheme as solve_fixed column by column (with the batched field's rounding).
// Endpoint i belongs to column i. Throws std::invalid_argument as solve_fixed does.
std::vector<Endpoint> solve_fixed_batch(const Field& field, const ConstMatRef& z1, Method method,
                                        int steps, const BatchObserver& observer = {});

}  // namespace siv
