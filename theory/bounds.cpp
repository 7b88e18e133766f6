#include "theory/bounds.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace siv {

double required_margin(int n, double h) {
  return n > 1 ? std::log((n - 1) / std::sqrt(h)) : -std::numeric_limits<double>::infinity();
}

double alpha_defect(const Schedule& s, double h) { return s.alpha(h) - h * s.dalpha(h) - 1.0; }
double sigma_defect(const Schedule& s, double h) { return s.sigma(h) - h * s.dsigma(h); }

namespace {

using Defect = double (*)(const Schedule&, double);

// Slope of log |f| between h1 and h2, or +inf when f vanishes there (no error term at all).
double slope(const Schedule& s, Defect f, double h1, double h2) {
  const double a = std::abs(f(s, h1)), b = std::abs(f(s, h2));
  if (a == 0 || b == 0) return std::numeric_limits<double>::infinity();
  return std::log(b / a) / std::log(h2 / h1);
}

// Far enough below the ladders (h >= 6e-5) to be asymptotic, far enough above 1e-8 that the
// defects (>= 1e-15 here) are not rounding noise.
constexpr double kAsymptoticH1 = 1e-5, kAsymptoticH2 = 1e-6;

Defect dominant(const Schedule& s) {
  if (s.exponent() < 1) return &sigma_defect;
  return slope(s, &sigma_defect, kAsymptoticH1, kAsymptoticH2) <=
                 slope(s, &alpha_defect, kAsymptoticH1, kAsymptoticH2)
             ? &sigma_defect
             : &alpha_defect;
}

}  // namespace

double euler_error_order(const Schedule& s) {
  if (s.exponent() < 1) return s.exponent();
  return slope(s, dominant(s), kAsymptoticH1, kAsymptoticH2);
}

double euler_error_local_order(const Schedule& s, double h1, double h2) {
  return slope(s, dominant(s), h1, h2);
}

namespace {
double em_factor(const Schedule& s, const Diffusion& eps, double t, double h) {
  const double sigma = s.sigma(t);
  return 1.0 - h * (s.log_sigma_rate(t) + eps(s, t) / (sigma * sigma));
}
}  // namespace

double em_residual_variance(const Schedule& s, const Diffusion& eps, double h) {
  const double spread = s.sigma(h) * em_factor(s, eps, h, h);
  return spread * spread + 2 * eps(s, h) * h;
}

double em_stability(const Schedule& s, const Diffusion& eps, int steps) {
  const double h = 1.0 / steps;
  double worst = 0;
  for (int j = 1; j <= steps; ++j) worst = std::max(worst, 1.0 - em_factor(s, eps, j * h, h));
  return worst;
}

double em_variance_recursion(const Schedule& s, const Diffusion& eps, int steps) {
  const double h = 1.0 / steps;
  double v = s.sigma(1.0) * s.sigma(1.0);
  for (int j = steps; j >= 1; --j) {
    const double t = j * h, a = em_factor(s, eps, t, h);
    v = a * a * v + 2 * eps(s, t) * h;
  }
  return v;
}

double em_mean_recursion(const Schedule& s, const Diffusion& eps, int steps) {
  const double h = 1.0 / steps;
  double mu = 0;
  for (int j = steps; j >= 1; --j) {
    const double t = j * h;
    mu = em_factor(s, eps, t, h) * mu + (s.alpha(t) - s.alpha(t - h) - h * s.dalpha(t));
  }
  return mu;
}

}  // namespace siv
