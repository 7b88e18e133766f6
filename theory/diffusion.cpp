#include "theory/diffusion.hpp"

#include <charconv>
#include <cmath>
#include <stdexcept>

namespace siv {

std::string Diffusion::name() const {
  char buffer[32];
  auto end = std::to_chars(buffer, buffer + sizeof buffer, scale).ptr;
  return std::string(kind == Kind::constant ? "const:" : "sigma2:") + std::string(buffer, end);
}

Diffusion make_diffusion(std::string_view spec) {
  Diffusion out;
  std::string_view number = spec;
  if (auto colon = spec.find(':'); colon != std::string_view::npos) {
    const auto kind = spec.substr(0, colon);
    if (kind == "const") out.kind = Diffusion::Kind::constant;
    else if (kind == "sigma2") out.kind = Diffusion::Kind::sigma2;
    else throw std::invalid_argument("unknown diffusion '" + std::string(spec) +
                                     "' (known: const:E, sigma2:E)");
    number = spec.substr(colon + 1);
  }
  auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), out.scale);
  if (ec != std::errc() || end != number.data() + number.size() || !std::isfinite(out.scale) ||
      out.scale < 0)
    throw std::invalid_argument("diffusion '" + std::string(spec) +
                                "': the coefficient must be a finite number >= 0");
  return out;
}

}  // namespace siv
