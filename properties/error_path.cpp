#include "properties/error_path.hpp"

#include <algorithm>
#include <cmath>

#include <boost/math/quadrature/gauss_kronrod.hpp>

#include "solvers/adaptive.hpp"
#include "theory/stats.hpp"

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

void PathErrorSums::add(const ErrorPath& p) {
  ++paths;
  sum += p.accumulated;
  sum_sq += p.accumulated * p.accumulated;
  log_ratio = std::max(log_ratio, p.log_ratio_max);
}

double integral_inverse_variance(const Schedule& s, double t) {
  return boost::math::quadrature::gauss_kronrod<double, 31>::integrate(
      [&](double u) { return 1.0 / (s.sigma(u) * s.sigma(u)); }, t, 1.0, 10, 1e-12);
}

void judge_loss_bound(const Schedule& s, double t, const PathErrorSums& a,
                      const MonteCarloEstimate& excess, double time_factor, double level,
                      Observation& obs) {
  // The theorem assumes a bounded density ratio; a measured ratio beyond double range makes the
  // bound vacuous, which is the assumption failing, not the bound holding.
  constexpr double kMaxLogRatio = 600;
  obs.assume("concentrability: log C < 600 along the sampled paths", a.log_ratio < kMaxLogRatio,
             kMaxLogRatio - a.log_ratio);
  const double m = a.paths, mean = a.sum / m;
  const double se = std::sqrt(std::max(0.0, a.sum_sq / m - mean * mean) / (m - 1));
  obs.level = level;
  obs.observed = std::max(0.0, mean - student_t_quantile(m - 1, 1 - level / 2) * se);
  obs.bound = s.sigma(t) * std::exp(0.5 * std::min(a.log_ratio, kMaxLogRatio)) *
              std::sqrt((excess.mean + normal_quantile(1 - level / 2) * excess.std_error) * time_factor);
  obs.detail("mean_A", mean);
  obs.detail("excess", excess.mean);
  obs.detail("log_concentrability", a.log_ratio);
}

}  // namespace siv
