// Fixed-step generation on the uniform grid t_j = j h, h = 1/steps, from t = 1 down to t = 0.
#pragma once

#include "solvers/endpoint.hpp"
#include "theory/field.hpp"

namespace siv {

enum class Method { euler, heun, rk4 };
std::string to_string(Method m);

// Euler: Z_{j-1} = Z_j - h b(t_j, Z_j). Heun and RK4 would evaluate b at t = 0, where the field is
// singular (sigma = 0), so their last step is an Euler step, as in Karras et al. (2022).
// The endpoint is reported as it is, never snapped to a training point.
Endpoint solve_fixed(const Field& field, const ConstVecRef& z1, Method method, int steps,
                     const Observer& observer = {});

}  // namespace siv
