#include "solvers/adaptive.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include <boost/numeric/odeint.hpp>

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
  double s = s0;
  stepper.initialize(State(x0.data(), x0.data() + d), s0, std::min(initial_step, s1 - s0));
  Ending ending = Ending::reached_end;
  try {
    while (s1 - s > slack) {
      if (run.steps >= max_steps) { ending = Ending::step_limit; break; }
      // Shorten the next step so that no stage is evaluated beyond s1 (the field may be
      // undefined there, e.g. t < 0). Copy first: initialize copies into the stepper's own state.
      if (s + stepper.current_time_step() > s1) {
        const State here = stepper.current_state();
        stepper.initialize(here, s, s1 - s);
      }
      stepper.do_step(std::ref(system));
      ++run.steps;
      s = stepper.current_time();
      const State& now = stepper.current_state();
      Eigen::Map<const Vec> x(now.data(), d);
      if (!x.allFinite()) { ending = Ending::non_finite; break; }
      if (after_step && after_step(s, x)) { ending = Ending::settled; break; }
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

Endpoint solve_adaptive(const Field& field, const ConstVecRef& z1, const AdaptiveOptions& options,
                        const Observer& observer) {
  require_start(field.dim(), z1);
  if (!(options.t_final > 0 && options.t_final < 1))
    throw std::invalid_argument("solve_adaptive: t_final must lie in (0, 1)");
  const Mat& points = field.points();
  if (observer) observer(1.0, Vec(z1));
  if (options.settle)
    if (const int k = field.settled(1.0, z1); k >= 0)
      return make_endpoint(points, points.col(k), Ending::settled, 1.0, 0, 0);

  // Forward variable tau = 1 - t: dz/dtau = -b(1 - tau, z).
  const ForwardRhs rhs = [&](double tau, const ConstVecRef& z, VecRef dz) {
    field.velocity(1.0 - tau, z, dz);
    dz = -dz;
  };
  int landed = -1;
  const StepHook hook = [&](double tau, const ConstVecRef& z) {
    const double t = 1.0 - tau;
    if (observer) observer(t, Vec(z));
    if (options.settle) landed = field.settled(t, z);
    return landed >= 0;
  };
  ForwardRun run = integrate_forward(rhs, z1, 0.0, 1.0 - options.t_final, kInitialStep, options, hook);
  const double t_end = 1.0 - run.s;
  if (run.ending == Ending::settled)
    return make_endpoint(points, points.col(landed), Ending::settled, t_end, run.evaluations,
                         run.steps);
  return make_endpoint(points, std::move(run.x), run.ending, t_end, run.evaluations, run.steps);
}

}  // namespace siv
