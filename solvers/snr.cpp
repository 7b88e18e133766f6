// solve_snr: the ODE in signal-to-noise time, du/dlambda = m(u, lambda) (derivation in adaptive.hpp).
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <boost/math/tools/roots.hpp>

#include "solvers/adaptive.hpp"
#include "solvers/basin_watch.hpp"

namespace siv {
namespace {

constexpr double kInitialStep = 1e-2;

// The t in (0, 1] with alpha(t)/sigma(t) = lambda, for lambda >= alpha(1)/sigma(1); alpha/sigma
// decreases in t for every catalogue schedule. Bisection in log t reaches t ~ 1e-300 in ~60 steps.
double time_of_snr(const Schedule& s, double lambda) {
  const auto gap = [&](double log_t) {
    const double t = std::exp(log_t);
    return s.alpha(t) - lambda * s.sigma(t);
  };
  if (gap(0.0) >= 0) return 1.0;
  const double lo = std::log(std::numeric_limits<double>::min());
  if (gap(lo) <= 0) return std::exp(lo);
  const auto [a, b] = boost::math::tools::bisect(
      gap, lo, 0.0, [](double x, double y) { return std::abs(x - y) <= 1e-15; });
  return std::exp(0.5 * (a + b));
}

}  // namespace

Endpoint solve_snr(const OracleField& oracle, const ConstVecRef& z1, const AdaptiveOptions& options) {
  require_start(oracle.dim(), z1);
  const Schedule& schedule = oracle.schedule();
  const Mat& points = oracle.points();
  const double sigma1 = schedule.sigma(1.0), lambda1 = schedule.alpha(1.0) / sigma1;
  if (!(options.snr_lambda_max > lambda1))
    throw std::invalid_argument("solve_snr: snr_lambda_max must exceed alpha(1)/sigma(1)");
  const double unit = std::numeric_limits<double>::epsilon();

  Posterior rhs_post;
  const ForwardRhs rhs = [&](double lambda, const ConstVecRef& u, VecRef du) {
    oracle.posterior(lambda, 1.0, u, rhs_post);
    du = rhs_post.m;
  };
  BasinWatch watch(points);
  // The basin at (lambda, u): the verdict when settling, and the ceiling of the next step.
  const auto control = [&](double lambda, const ConstVecRef& u, double local) {
    const bool resolve = options.resolve_basins;
    watch.observe(lambda, 1.0, u, resolve ? local : 0, resolve ? unit * lambda : 0);
    StepControl c;
    if (options.settle) c.stop = watch.verdict();
    if (!resolve && c.stop == Ending::undecidable) c.stop.reset();
    if (resolve) c.max_step = watch.last().max_step;
    return c;
  };

  const Vec u1 = z1 / sigma1;
  Vec previous = u1;
  const StepControl first = control(lambda1, u1, 0.0);
  if (first.stop) return finish_at_leader(watch, *first.stop, 1.0, 0, 0);
  const StepHook hook = [&](double lambda, const ConstVecRef& u) {
    const StepControl c = control(lambda, u, step_local_error(options.abs_tol, options.rel_tol, u, previous));
    previous = u;
    return c;
  };
  ForwardRun run = integrate_forward(rhs, u1, lambda1, options.snr_lambda_max,
                                     std::min(kInitialStep, first.max_step), options, hook);
  const double t_end = time_of_snr(schedule, run.s);
  if (options.settle && options.resolve_basins) run.ending = watch.unfinished(run.ending);
  if (run.ending == Ending::settled || run.ending == Ending::undecidable)
    return finish_at_leader(watch, run.ending, t_end, run.evaluations, run.steps);
  // Z = sigma u on the path; at the ceiling this is the state at t_end, not a snapped Z_0.
  return make_endpoint(points, schedule.sigma(t_end) * run.x, run.ending, t_end, run.evaluations,
                       run.steps);
}

}  // namespace siv
