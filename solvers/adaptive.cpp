#include "solvers/adaptive.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include <boost/numeric/odeint.hpp>

#include "solvers/basin_watch.hpp"

namespace siv {
namespace {

namespace odeint = boost::numeric::odeint;
using State = std::vector<double>;

struct NonFiniteRhs {};  // thrown out of the Odeint step when f is NaN or infinite

template <class Dense>
ForwardRun drive(Dense stepper, const ForwardRhs& f, const ConstVecRef& x0, double s0, double s1,
                 double initial_step, long max_steps, const StepHook& after_step) {
  const Eigen::Index d = x0.size();
  ForwardRun run;
  auto system = [&](const State& x, State& dxds, double s) {
    ++run.evaluations;
    Eigen::Map<const Vec> in(x.data(), d);
    Eigen::Map<Vec> out(dxds.data(), d);
    f(s, in, out);
    if (!out.allFinite()) throw NonFiniteRhs{};
  };
  // Loop ends within a few ulps of s1: the last step is cut to land on s1 up to rounding.
  const double slack =
      4 * std::numeric_limits<double>::epsilon() * std::max({1.0, std::abs(s0), std::abs(s1)});
  double s = s0, ceiling = std::numeric_limits<double>::infinity();
  stepper.initialize(State(x0.data(), x0.data() + d), s0, std::min(initial_step, s1 - s0));
  Ending ending = Ending::reached_end;
  try {
    while (s1 - s > slack) {
      if (run.steps >= max_steps) { ending = Ending::step_limit; break; }
      // Cut the next step so that no stage is evaluated beyond s1 (the field may be undefined
      // there, e.g. t < 0) and to the hook's ceiling; never below a few ulps of s, where it
      // would not advance. Copy first: initialize copies into the stepper's own state.
      const double limit = std::min(s1 - s, std::max(ceiling, slack * std::max(1.0, std::abs(s))));
      if (stepper.current_time_step() > limit) {
        const State here = stepper.current_state();
        stepper.initialize(here, s, limit);
      }
      stepper.do_step(std::ref(system));
      ++run.steps;
      s = stepper.current_time();
      const State& now = stepper.current_state();
      Eigen::Map<const Vec> x(now.data(), d);
      if (!x.allFinite()) { ending = Ending::non_finite; break; }
      if (after_step) {
        const StepControl control = after_step(s, x);
        if (control.stop) { ending = *control.stop; break; }
        ceiling = control.max_step;
      }
    }
  } catch (const NonFiniteRhs&) {
    ending = Ending::non_finite;
  } catch (const odeint::step_adjustment_error&) {
    ending = Ending::step_limit;  // 500 consecutive rejected steps: the step size collapsed
  }
  const State& last = stepper.current_state();
  run.x = Eigen::Map<const Vec>(last.data(), d);
  run.s = stepper.current_time();
  run.ending = ending;
  return run;
}

constexpr double kInitialStep = 1e-3;
constexpr double kTimeQuantum = 256 * std::numeric_limits<double>::epsilon();

}  // namespace

ForwardRun integrate_forward(const ForwardRhs& f, const ConstVecRef& x0, double s0, double s1,
                             double initial_step, const AdaptiveOptions& options,
                             const StepHook& after_step) {
  if (!(s1 > s0) || !std::isfinite(s0) || !std::isfinite(s1))
    throw std::invalid_argument("integrate_forward: need finite s0 < s1");
  if (!(initial_step > 0)) throw std::invalid_argument("integrate_forward: initial step must be > 0");
  if (!(options.abs_tol > 0) || !(options.rel_tol >= 0))
    throw std::invalid_argument("integrate_forward: tolerances must be positive");
  switch (options.stepper) {
    case Stepper::dopri5:
      return drive(odeint::make_dense_output(options.abs_tol, options.rel_tol,
                                             odeint::runge_kutta_dopri5<State>()),
                   f, x0, s0, s1, initial_step, options.max_steps, after_step);
    case Stepper::bulirsch_stoer:
      return drive(odeint::bulirsch_stoer_dense_out<State>(options.abs_tol, options.rel_tol), f,
                   x0, s0, s1, initial_step, options.max_steps, after_step);
  }
  throw std::invalid_argument("unknown stepper");
}

namespace {

// Largest dt <= t - t_min with lambda(t - dt) <= lambda(t) + dlambda; lambda = alpha/sigma
// decreases in t for every catalogue schedule. Bisection to 1% of dt.
double time_step(const Schedule& s, double t, double t_min, double dlambda) {
  const auto lambda = [&](double u) { return s.alpha(u) / s.sigma(u); };
  const double target = lambda(t) + dlambda;
  double hi = t - t_min;
  if (!std::isfinite(dlambda) || lambda(t_min) <= target) return hi;
  double lo = 0;
  for (int i = 0; i < 200 && !(lo > 0 && hi - lo <= 0.01 * hi); ++i) {
    const double mid = 0.5 * (lo + hi);
    (lambda(t - mid) <= target ? lo : hi) = mid;
  }
  return lo > 0 ? lo : hi;
}

}  // namespace

Endpoint solve_adaptive(const Field& field, const ConstVecRef& z1, const AdaptiveOptions& options,
                        const Observer& observer) {
  require_start(field.dim(), z1);
  if (!(options.t_final > 0 && options.t_final < 1))
    throw std::invalid_argument("solve_adaptive: t_final must lie in (0, 1)");
  const Mat& points = field.points();
  const Schedule& schedule = field.schedule();
  const double unit = std::numeric_limits<double>::epsilon();
  BasinWatch watch(points);
  Vec previous = z1;
  // Reads the basin at (t, z): the verdict when settling, and the ceiling of the next tau step.
  const auto control = [&](double t, const ConstVecRef& z, double local) {
    const double sigma = schedule.sigma(t);
    const double lambda_error = 2 * unit * std::abs(schedule.kappa(t)) / sigma;
    const bool resolve = options.resolve_basins;
    const BasinReading& b = watch.observe(schedule.alpha(t), sigma, z, resolve ? local / sigma : 0,
                                          resolve ? lambda_error : 0);
    StepControl c;
    if (options.settle) {
      c.stop = watch.verdict();
      // Only a field that can finish in closed form settles; only the oracle's own path is
      // measured by the watch's error model, so only it is called undecidable.
      if (c.stop == Ending::settled && field.settled(t, z) != b.leader) c.stop.reset();
      if (c.stop == Ending::undecidable && !(resolve && field.certifies())) c.stop.reset();
    }
    if (resolve) c.max_step = time_step(schedule, t, options.t_final, b.max_step);
    return c;
  };
  if (observer) observer(1.0, Vec(z1));
  const StepControl first = control(1.0, z1, 0.0);
  if (first.stop) return finish_at_leader(watch, *first.stop, 1.0, 0, 0);

  // Forward variable tau = 1 - t: dz/dtau = -b(1 - tau, z).
  const ForwardRhs rhs = [&](double tau, const ConstVecRef& z, VecRef dz) {
    field.velocity(1.0 - tau, z, dz);
    dz = -dz;
  };
  double tau_previous = 0;
  const StepHook hook = [&](double tau, const ConstVecRef& z) {
    const double t = 1.0 - tau;
    if (observer) observer(t, Vec(z));
    StepControl c = control(t, z, step_local_error(options.abs_tol, options.rel_tol, z, previous));
    // t = 1 - tau is resolved to ~1e-16 absolute: steps within a few hundred of those mean the
    // weights change faster than t can say (data of scale ~1e8 and more near t = 1), and the
    // controller only accepts steps whose stages all round to the same t.
    if (!c.stop && options.settle && options.resolve_basins && field.certifies() &&
        tau - tau_previous < kTimeQuantum)
      c.stop = Ending::undecidable;
    previous = z;
    tau_previous = tau;
    return c;
  };
  ForwardRun run = integrate_forward(rhs, z1, 0.0, 1.0 - options.t_final,
                                     std::min(kInitialStep, first.max_step), options, hook);
  const double t_end = 1.0 - run.s;
  if (options.settle && options.resolve_basins && field.certifies())
    run.ending = watch.unfinished(run.ending);
  if (run.ending == Ending::settled || run.ending == Ending::undecidable)
    return finish_at_leader(watch, run.ending, t_end, run.evaluations, run.steps);
  return make_endpoint(points, std::move(run.x), run.ending, t_end, run.evaluations, run.steps);
}

}  // namespace siv
