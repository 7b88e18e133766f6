#include "properties/error_path.hpp"

#include <algorithm>
#include <cmath>

#include "solvers/adaptive.hpp"

namespace siv {

ErrorPath integrate_error_path(const EstimatedField& field, const ConstVecRef& z1, double t_final,
                               double tol, bool density_ratio, bool sigma_weighted) {
  const OracleField& oracle = field.oracle();
  const Schedule& s = field.schedule();
  const int d = field.dim(), n = oracle.size();
  // State, in tau = 1 - t: [Z (d) | int e/sigma (d) | int |e|/sigma | int |kappa r_j|/sigma (n) |
  // log density ratio].
  const int size = 2 * d + 1 + n + 1;
  Vec x0 = Vec::Zero(size);
  x0.head(d) = z1;
  Vec b(d), e(d);
  Posterior post;
  // sigma_weighted: the states are X(t) = sigma(t) int_t^1 f/sigma themselves, with
  // dX/dtau = f - (sigma'/sigma) X: bounded where the plain integrals grow like 1/sigma, so a
  // noisy f (a float32 model's rounding) does not force tiny steps.
  auto rhs = [&](double tau, const ConstVecRef& x, VecRef dx) {
    const double t = 1.0 - tau, sigma = s.sigma(t), kappa = std::abs(s.kappa(t));
    const auto z = x.head(d);
    field.velocity(t, z, b);
    field.error(t, z, e);
    dx.head(d) = -b;
    oracle.posterior(s.alpha(t), sigma, z, post);
    if (sigma_weighted) {
      const double rate = s.log_sigma_rate(t);
      dx.segment(d, d) = -e - rate * x.segment(d, d);
      dx[2 * d] = e.norm() - rate * x[2 * d];
      for (int j = 0; j < n; ++j)
        dx[2 * d + 1 + j] = kappa * (post.m - oracle.points().col(j)).norm() - rate * x[2 * d + 1 + j];
    } else {
      dx.segment(d, d) = e / sigma;
      dx[2 * d] = e.norm() / sigma;
      for (int j = 0; j < n; ++j)
        dx[2 * d + 1 + j] = kappa * (post.m - oracle.points().col(j)).norm() / sigma;
    }
    dx[size - 1] = density_ratio ? log_ratio_rate(field, t, z) : 0.0;
  };
  ErrorPath out;
  AdaptiveOptions options;
  options.abs_tol = options.rel_tol = tol;
  const ForwardRun run = integrate_forward(rhs, x0, 0.0, 1.0 - t_final, 1e-3, options,
                                           [&](double, const ConstVecRef& x) {
                                             out.log_ratio_max = std::max(out.log_ratio_max, x[size - 1]);
                                             return StepControl{};
                                           });
  out.t = 1.0 - run.s;
  out.steps = run.steps;
  out.ending = run.ending;
  out.z = run.x.head(d);
  const double sigma = s.sigma(out.t);
  std::tie(out.nearest, out.dist) = nearest_point(oracle.points(), out.z);
  const Vec y = oracle.points().col(out.nearest);
  const double weight = sigma_weighted ? 1.0 : sigma;
  out.shift = (sigma_weighted ? 1.0 : -sigma) * run.x.segment(d, d);
  out.accumulated = weight * run.x[2 * d];
  out.remainder = sigma * (z1 - s.alpha(1.0) * y).norm() / s.sigma(1.0) +
                  weight * run.x[2 * d + 1 + out.nearest] + std::abs(1.0 - s.alpha(out.t)) * y.norm();
  out.solver_error = static_cast<double>(run.steps) * tol * (1.0 + run.x.head(d).norm() + y.norm());
  return out;
}

}  // namespace siv
