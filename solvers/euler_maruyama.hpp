// Euler-Maruyama for the reverse SDE dZ = [b - eps s] dt + sqrt(2 eps) dW, t: 1 -> 0:
//   Z_{j-1} = Z_j - h b(t_j, Z_j) + h eps(t_j) s(t_j, Z_j) + sqrt(2 eps(t_j)) (W(t_j) - W(t_{j-1})).
#pragma once

#include "solvers/brownian.hpp"
#include "solvers/endpoint.hpp"
#include "theory/diffusion.hpp"
#include "theory/field.hpp"

namespace siv {

Endpoint solve_euler_maruyama(const Field& field, const ConstVecRef& z1, const Diffusion& eps,
                              int steps, const BrownianPath& noise, const Observer& observer = {});

}  // namespace siv
