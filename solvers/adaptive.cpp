#include "solvers/adaptive.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include <boost/numeric/odeint.hpp>

#include "solvers/basin_watch.hpp"
#include "solvers/snr.hpp"

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
// Steps of t at least this long keep each stage's rounding of t (<= 2.2e-16) within 1e-9 of the
// step: 2^-22 ~ 2.4e-7.
constexpr double kFrameStep = 0x1p-22;

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
  // Only the oracle's own path is measured by the watch's error model: only it is called
  // undecidable, and only it can be followed in signal-to-noise time.
  const OracleField* exact = options.resolve_basins ? field.exact_oracle() : nullptr;
  BasinWatch watch(points);
  Vec previous = z1;
  bool hand_over = false;  // the t-frame stopped for the signal-to-noise frame to take over
  // Reads the basin at (t, z): the verdict when settling, the ceiling of the next tau step, and
  // whether t can still resolve that step.
  const auto control = [&](double t, const ConstVecRef& z, double local, double step) {
    const double sigma = schedule.sigma(t);
    const double lambda_error = 2 * unit * std::abs(schedule.kappa(t)) / sigma;
    const bool resolve = options.resolve_basins;
    const BasinReading& b = watch.observe(schedule.alpha(t), sigma, z, resolve ? local / sigma : 0,
                                          resolve ? lambda_error : 0);
    StepControl c;
    if (options.settle) {
      c.stop = watch.verdict();
      // Only a field that can finish in closed form settles.
      if (c.stop == Ending::settled && field.settled(t, z) != b.leader) c.stop.reset();
      if (c.stop == Ending::undecidable && !exact) c.stop.reset();
    }
    // sigma'/sigma ~ p/t is singular at t = 0: a step over more than half the remaining t spans a
    // change of it by more than 2x, where an error estimate (extrapolation above all) misjudges;
    // Bulirsch-Stoer once stepped 3.4e-7 -> 2.7e-9 on y = (-1e-9, 0, 1e-9), u off by 0.036 for
    // an estimate of 4e-4, and settled 36 of 2000 starts on the wrong point.
    if (resolve) c.max_step = std::min(time_step(schedule, t, options.t_final, b.max_step), 0.5 * t);
    // t = 1 - tau is resolved to ~1e-16 absolute: while the basin is open and the weights change
    // within steps of kFrameStep, or the controller takes steps within a few hundred quanta, the
    // t-frame cannot follow the path (data of scale ~1e6 and more near t = 1, of ~1e-3 and less
    // near t = 0); the signal-to-noise frame resolves lambda to full relative precision.
    if (!c.stop && exact && !b.certified && (c.max_step < kFrameStep || step < kTimeQuantum)) {
      hand_over = true;
      c.stop = Ending::reached_end;
    }
    return c;
  };
  if (observer) observer(1.0, Vec(z1));
  const StepControl first = control(1.0, z1, 0.0, 1.0);
  if (first.stop && !hand_over) return finish_at_leader(watch, *first.stop, 1.0, 0, 0);

  ForwardRun run;
  run.x = z1;
  if (!hand_over) {
    // Forward variable tau = 1 - t: dz/dtau = -b(1 - tau, z).
    const ForwardRhs rhs = [&](double tau, const ConstVecRef& z, VecRef dz) {
      field.velocity(1.0 - tau, z, dz);
      dz = -dz;
    };
    double tau_previous = 0;
    const StepHook hook = [&](double tau, const ConstVecRef& z) {
      const double t = 1.0 - tau, step = tau - tau_previous;
      if (observer) observer(t, Vec(z));
      // Each stage's t is off by up to eps, which moves the step by ~eps |b| = eps |dz| / step.
      const double local = step_local_error(options.abs_tol, options.rel_tol, z, previous) +
                           2 * unit * (z - previous).norm() / step;
      const StepControl c = control(t, z, local, step);
      previous = z;
      tau_previous = tau;
      return c;
    };
    run = integrate_forward(rhs, z1, 0.0, 1.0 - options.t_final,
                            std::min(kInitialStep, first.max_step), options, hook);
  }
  double t_end = 1.0 - run.s;
  const double lambda_end = schedule.alpha(t_end) / schedule.sigma(t_end),
               lambda_final = schedule.alpha(options.t_final) / schedule.sigma(options.t_final);
  // Settling, the path needs no t: it follows its basin until the certificate (or the ceiling).
  const double lambda_stop = options.settle ? std::max(lambda_final, options.snr_lambda_max) : lambda_final;
  if (hand_over && lambda_stop > lambda_end) {
    const auto on_step = [&](double lambda, const ConstVecRef& u) {
      if (!observer) return;
      const double t = time_of_snr(schedule, lambda);
      observer(t, Vec(schedule.sigma(t) * u));
    };
    const ForwardRun snr = follow_snr(*exact, watch, lambda_end, run.x / schedule.sigma(t_end),
                                      lambda_stop, options, on_step);
    // The last step ends on lambda_final up to rounding: that is t_final.
    t_end = snr.ending == Ending::reached_end && lambda_stop == lambda_final
                ? options.t_final
                : time_of_snr(schedule, snr.s);
    run = {schedule.sigma(t_end) * snr.x, 1.0 - t_end, run.evaluations + snr.evaluations,
           run.steps + snr.steps, snr.ending};
  }
  if (options.settle && exact) run.ending = watch.unfinished(run.ending);
  if (run.ending == Ending::settled || run.ending == Ending::undecidable)
    return finish_at_leader(watch, run.ending, t_end, run.evaluations, run.steps);
  return make_endpoint(points, std::move(run.x), run.ending, t_end, run.evaluations, run.steps);
}

}  // namespace siv
