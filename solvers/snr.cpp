// solve_snr and the signal-to-noise leg (solvers/snr.hpp); du/dlambda = m(u, lambda), derivation
// in adaptive.hpp.
#include "solvers/snr.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <boost/math/tools/roots.hpp>

namespace siv {
namespace {

constexpr double kInitialStep = 1e-2;

}  // namespace

// alpha/sigma decreases in t for every catalogue schedule. Bisection in log t reaches t ~ 1e-300
// in ~60 steps.
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

StepControl observe_snr(BasinWatch& watch, double lambda, const ConstVecRef& u, double local,
                        const AdaptiveOptions& options) {
  const bool resolve = options.resolve_basins;
  watch.observe(lambda, 1.0, u, resolve ? local : 0,
                resolve ? std::numeric_limits<double>::epsilon() * lambda : 0);
  StepControl c;
  if (options.settle) c.stop = watch.verdict();
  if (!resolve && c.stop == Ending::undecidable) c.stop.reset();
  if (resolve) c.max_step = watch.last().max_step;
  return c;
}

ForwardRun follow_snr(const OracleField& oracle, BasinWatch& watch, double lambda0,
                      const ConstVecRef& u0, double lambda1, const AdaptiveOptions& options,
                      const std::function<void(double, const ConstVecRef&)>& on_step) {
  Posterior post;
  const ForwardRhs rhs = [&](double lambda, const ConstVecRef& u, VecRef du) {
    oracle.posterior(lambda, 1.0, u, post);
    du = post.m;
  };
  Vec previous = u0;
  const StepHook hook = [&](double lambda, const ConstVecRef& u) {
    if (on_step) on_step(lambda, u);
    const StepControl c = observe_snr(
        watch, lambda, u, step_local_error(options.abs_tol, options.rel_tol, u, previous), options);
    previous = u;
    return c;
  };
  const double first = options.resolve_basins ? std::min(kInitialStep, watch.last().max_step) : kInitialStep;
  return integrate_forward(rhs, u0, lambda0, lambda1, first, options, hook);
}

Endpoint solve_snr(const OracleField& oracle, const ConstVecRef& z1, const AdaptiveOptions& options) {
  require_start(oracle.dim(), z1);
  const Schedule& schedule = oracle.schedule();
  const Mat& points = oracle.points();
  const double sigma1 = schedule.sigma(1.0), lambda1 = schedule.alpha(1.0) / sigma1;
  if (!(options.snr_lambda_max > lambda1))
    throw std::invalid_argument("solve_snr: snr_lambda_max must exceed alpha(1)/sigma(1)");
  BasinWatch watch(points);
  const Vec u1 = z1 / sigma1;
  const StepControl first = observe_snr(watch, lambda1, u1, 0.0, options);
  if (first.stop) return finish_at_leader(watch, *first.stop, 1.0, 0, 0);
  ForwardRun run = follow_snr(oracle, watch, lambda1, u1, options.snr_lambda_max, options);
  const double t_end = time_of_snr(schedule, run.s);
  if (options.settle && options.resolve_basins) run.ending = watch.unfinished(run.ending);
  if (run.ending == Ending::settled || run.ending == Ending::undecidable)
    return finish_at_leader(watch, run.ending, t_end, run.evaluations, run.steps);
  // Z = sigma u on the path; at the ceiling this is the state at t_end, not a snapped Z_0.
  return make_endpoint(points, schedule.sigma(t_end) * run.x, run.ending, t_end, run.evaluations,
                       run.steps);
}

}  // namespace siv
