// Diffusion coefficient eps(t) of the reverse SDE dZ = [b - eps s] dt + sqrt(2 eps) dW (t: 1 -> 0).
// Its marginals are rho_t for every eps >= 0.
#pragma once

#include <string>
#include <string_view>

#include "theory/schedule.hpp"

namespace siv {

struct Diffusion {
  enum class Kind { constant, sigma2 };  // eps = scale, or eps = scale * sigma(t)^2
  Kind kind = Kind::constant;
  double scale = 0;

  double operator()(const Schedule& s, double t) const {
    return kind == Kind::constant ? scale : scale * s.sigma(t) * s.sigma(t);
  }
  std::string name() const;
};

// Parses "const:E" or "sigma2:E" (E >= 0); a bare number means const. Throws std::invalid_argument.
Diffusion make_diffusion(std::string_view spec);

}  // namespace siv
