// C2: deterministic Euler on the oracle field (Theorems 2-3 of [M], the sqrt(h) bound).
//
// Exact last-step identity (re-derived): at t = h write Z_h = alpha y_k + sigma xi_1 and
// m = y_k + r. Then b* = alpha' y_k + sigma' xi_1 + kappa r with kappa = alpha' - alpha sigma'/sigma,
// so Z_0 = Z_h - h b* gives
//   Z_0 - y_k = (alpha - h alpha' - 1) y_k + (sigma - h sigma') xi_1 - h kappa r,  all at t = h,
// and |r| <= (1 - w_k) max_l |y_l - y_k| because r = sum_{l != k} w_l (y_l - y_k).
// The error therefore decays like the slower of the two defects (theory/bounds.hpp): h^p for
// sigma ~ t^p with p < 1, h^2 for trig, and not at all (rounding only) for linear.
#include <algorithm>
#include <cmath>
#include <limits>

#include "properties/claims.hpp"
#include "properties/euler_ladder.hpp"
#include "solvers/convergence.hpp"
#include "solvers/fixed_step.hpp"

namespace siv {
namespace {

constexpr int kFinestSteps = 1 << 14;
// Fewest rungs fitted. The case levels are ~1e-6 (docs/claims.md, Statistics): Student t's
// quantile there is 7e5 with 1 degree of freedom (3 points) but 140 with 3 (5 points).
constexpr int kRateWindow = 5;

// Rate over the ladder's asymptotic window, and what the identity predicts for it.
struct RateStudy {
  EulerLadder ladder;
  ConvergenceStudy fit;
  double predicted = 0;   // q = euler_error_order(schedule)
  double window_gap = 0;  // |local order of the dominant defect over the window - q|
  double xi_drift = 0;    // |slope of log xi_rms(h)| over the window: the standardized state's drift
  double margin_fraction = 1;
};

// confidence: of the two-sided rate interval.
RateStudy study_rates(const Case& c, double confidence) {
  Scene scene(c);
  RateStudy out;
  out.ladder = run_euler_ladder(scene, step_ladder(c.steps, c.ladder));
  std::vector<int> steps;
  std::vector<double> errors;
  for (const auto& r : out.ladder.rungs) {
    steps.push_back(r.steps);
    errors.push_back(r.error);
    out.margin_fraction = std::min(out.margin_fraction, r.margin_fraction);
  }
  ConvergenceOptions options;
  options.floor = out.ladder.floor;
  options.confidence = confidence;
  options.min_window = kRateWindow;
  out.fit = fit_convergence(steps, errors, options);
  out.predicted = euler_error_order(scene.schedule());
  if (out.fit.status == ConvergenceStatus::fitted) {
    const auto& first = out.ladder.rungs[out.fit.window_begin];
    const auto& last = out.ladder.rungs[out.fit.window_end - 1];
    if (std::isfinite(out.predicted))
      out.window_gap =
          std::abs(euler_error_local_order(scene.schedule(), first.h, last.h) - out.predicted);
    out.xi_drift = std::abs(std::log(last.xi_rms / first.xi_rms) / std::log(last.h / first.h));
  }
  return out;
}

void report_ladder(const RateStudy& s, Observation& obs) {
  for (const auto& r : s.ladder.rungs) {
    obs.row("ladder", {{"steps", static_cast<double>(r.steps)}, {"error", r.error}, {"xi_rms", r.xi_rms}});
  }
  obs.detail("floor", s.ladder.floor);
  obs.detail("margin_fraction", s.margin_fraction);
  obs.detail("predicted_rate", s.predicted);
  if (s.fit.status == ConvergenceStatus::fitted) {
    obs.detail("rate", s.fit.rate);
    obs.detail("rate_lo", s.fit.rate_ci.lo);
    obs.detail("rate_hi", s.fit.rate_ci.hi);
    obs.detail("r2", s.fit.r2);
    obs.detail("window_points", static_cast<double>(s.fit.window_end - s.fit.window_begin));
    obs.detail("window_gap", s.window_gap);
    obs.detail("xi_drift", s.xi_drift);
  }
  // The identity's r term is negligible only when the weights are near one-hot at t = h.
  obs.assume("margin at t = h: u >= log((n-1)/sqrt(h)) for 90% of starts",
             s.margin_fraction >= 0.9, s.margin_fraction - 0.9);
  obs.assume("rate measurable: errors above the rounding floor on >= 5 rungs or on none",
             s.fit.status != ConvergenceStatus::too_few_points, 0);
  for (const auto& r : s.ladder.rungs)
    if (!r.finite) obs.failure = "Euler produced a non-finite endpoint at N = " + std::to_string(r.steps);
}

rc::Gen<Case> euler_cases(const std::string& group, const Profile& profile) {
  return case_generator(group, profile, 0.5, 4.0, kFinestSteps);
}

class EulerIdentity final : public Check {
 public:
  std::string id() const override { return "C2.identity"; }
  std::string claim() const override { return "C2"; }
  std::string statement() const override {
    return "Euler's last step equals (alpha-h alpha'-1) y_k + (sigma-h sigma') xi_1 - h kappa r to "
           "rounding, with |r| <= (1-w_k) max|y_l-y_k|";
  }
  std::vector<std::string> groups(const Profile&) const override { return schedule_catalogue(); }
  rc::Gen<Case> generator(const std::string& group, const Profile& profile) const override {
    return case_generator(group, profile, 0.2, 4.0, 64);
  }
  std::vector<Mutant> mutants() const override {
    return {{"no-alpha-term", "trig", "the identity without its (alpha - h alpha' - 1) y_k term"}};
  }
  Observation observe(const Case& c) const override {
    Scene scene(c);
    const Schedule& s = scene.schedule();
    const double h = 1.0 / c.steps, eps = std::numeric_limits<double>::epsilon();
    const double alpha = s.alpha(h), dalpha = s.dalpha(h), sigma = s.sigma(h);
    const double dsigma = s.dsigma(h), kappa = s.kappa(h);
    const bool drop_alpha_term = c.variant == "no-alpha-term";
    Observation obs;
    double worst_identity = 0, worst_r = 0;
    Posterior post;
    Mat starts(scene.d(), c.starts), states_at_h;
    for (int i = 0; i < c.starts; ++i) starts.col(i) = scene.start(i).z;
    const std::vector<Endpoint> ends =
        solve_fixed_batch(scene.field(), starts, Method::euler, c.steps, [&](double t, const Mat& z) {
          if (std::abs(t - h) < 0.5 * h) states_at_h = z;
        });
    for (int i = 0; i < c.starts; ++i) {
      const Endpoint& end = ends[static_cast<std::size_t>(i)];
      if (end.ending == Ending::non_finite || states_at_h.cols() == 0) {
        obs.failure = "Euler produced no finite state at t = h";
        return obs;
      }
      const Vec at_h = states_at_h.col(i);
      scene.oracle().posterior_at(h, at_h, post);
      const Vec y = scene.oracle().points().col(post.nearest);
      const Vec xi = (at_h - alpha * y) / sigma;
      Vec predicted = y + sigma_defect(s, h) * xi - h * kappa * post.offset;
      if (!drop_alpha_term) predicted += alpha_defect(s, h) * y;
      // Rounding model: each of the ~10 operations on either side errs by at most eps times the
      // size of what it touches: |Z_h|, h |b| and |y_k|.
      const double touched = at_h.norm() + h * (std::abs(dalpha) * post.m.norm() +
                                                std::abs(dsigma / sigma) * (sigma * xi).norm()) +
                             y.norm() + std::abs(kappa) * h * post.offset.stableNorm();
      worst_identity = nan_max(worst_identity, (end.z - predicted).norm() / (32 * eps * touched));
      if (scene.n() > 1) {
        double spread = 0;
        for (int l = 0; l < scene.n(); ++l)
          spread = std::max(spread, (scene.oracle().points().col(l) - y).norm());
        // exp(log_deficit) carries a relative rounding of a few eps. Weights below ~1e-308 are
        // denormals: e (y_l - y_k) and the deficit are each rounded to the denormal spacing.
        // stableNorm: squaring components of ~1e-160 would itself underflow.
        const double underflow =
            2 * (std::sqrt(c.set.d) + spread) * std::numeric_limits<double>::denorm_min();
        worst_r = nan_max(worst_r, post.offset.stableNorm() / (std::exp(post.log_deficit) * spread *
                                                                    (1 + 16 * eps) + underflow));
      }
    }
    obs.comparison = Comparison::upper;
    obs.observed = nan_max(worst_identity, worst_r);
    obs.bound = 1.0;
    obs.detail("identity_over_rounding", worst_identity);
    obs.detail("r_over_deficit_bound", worst_r);
    obs.detail("h", h);
    return obs;
  }
};

class EulerRate final : public Check {
 public:
  std::string id() const override { return "C2.rate"; }
  std::string claim() const override { return "C2"; }
  std::string statement() const override {
    return "Euler error decays at the order q of the last-step defects (p for sigma ~ t^p, p < 1; "
           "2 for trig; rounding floor for linear): |rate - q| within the half-width of the rate's "
           "two-sided confidence interval at the case's level plus the measured pre-asymptotic "
           "allowances";
  }
  std::vector<std::string> groups(const Profile&) const override { return schedule_catalogue(); }
  rc::Gen<Case> generator(const std::string& group, const Profile& profile) const override {
    return euler_cases(group, profile);
  }
  std::vector<Mutant> mutants() const override {
    return {{"claimed-rate-1", "bridge:2", "Euler error on bridge decays like h"}};
  }
  Observation observe(const Case& c) const override {
    const double level = interval_level(c);
    const RateStudy s = study_rates(c, 1 - level);
    Observation obs;
    report_ladder(s, obs);
    obs.comparison = Comparison::upper;
    if (s.fit.status == ConvergenceStatus::at_floor || !std::isfinite(s.predicted)) {
      // No error term: the claim is "the error stays at the rounding floor".
      double worst = 0;
      for (const auto& r : s.ladder.rungs) worst = nan_max(worst, r.error);
      obs.observed = worst;
      obs.bound = s.ladder.floor;
      return obs;
    }
    obs.level = level;
    const double claimed = c.variant == "claimed-rate-1" ? 1.0 : s.predicted;
    obs.observed = std::abs(s.fit.rate - claimed);
    // Statistical spread of the fit, plus the two measured sources of a finite-h slope that is not
    // yet q: the defect's own curvature over the window and the drift of xi_1.
    obs.bound = 0.5 * (s.fit.rate_ci.hi - s.fit.rate_ci.lo) + s.window_gap + s.xi_drift;
    return obs;
  }
};

// power:P with P = k/20, shrinking toward P = 1 before anything else: a failing case shrinks
// toward the largest P that still fails, i.e. toward the boundary of the claim.
rc::Gen<Case> power_sweep_cases(const Profile& profile) {
  return rc::gen::map(rc::gen::pair(rc::gen::inRange(0, 19), euler_cases("power:1", profile)),
                      [](std::pair<int, Case> p) {
                        p.second.schedule = PowerSchedule((20 - p.first) / 20.0).name();
                        return p.second;
                      });
}

constexpr const char* kPowerSweep = "power:*";

class EulerSqrtBound final : public Check {
 public:
  std::string id() const override { return "C2.sqrt"; }
  std::string claim() const override { return "C2"; }
  std::string statement() const override {
    return "published: dist(Z_0, Y) <= C sqrt(h) for all h, i.e. the Euler error rate is >= 1/2 "
           "(refuted when the rate's upper confidence bound at the case's level plus "
           "pre-asymptotic allowances is below 1/2)";
  }
  std::vector<std::string> groups(const Profile&) const override {
    auto g = schedule_catalogue();
    g.push_back(kPowerSweep);
    return g;
  }
  rc::Gen<Case> generator(const std::string& group, const Profile& profile) const override {
    return group == kPowerSweep ? power_sweep_cases(profile) : euler_cases(group, profile);
  }
  // From the identity: the bound holds exactly when the error order q is at least 1/2.
  Verdict expected(const std::string& group) const override {
    if (group == kPowerSweep) return Verdict::refuted;  // the sweep includes P < 1/2
    return euler_error_order(*make_schedule(group)) >= 0.5 ? Verdict::holds : Verdict::refuted;
  }
  std::vector<Mutant> mutants() const override {
    return {{"exponent-1", "bridge:2", "Euler error <= C h on bridge"}};
  }
  // dist <= C h^a for every h iff the error decays at rate >= a. The data allow rates up to the
  // fit's upper confidence bound plus the measured pre-asymptotic allowances; the claim is
  // refuted when even that is below a. C is reported from the coarse half of the ladder and its
  // tightness on the fine half.
  Observation observe(const Case& c) const override {
    const double a = c.variant == "exponent-1" ? 1.0 : 0.5;
    // One-sided: the upper end of a two-sided interval that misses with 2 level misses above
    // with level.
    const double level = interval_level(c);
    const RateStudy s = study_rates(c, 1 - 2 * level);
    Observation obs;
    report_ladder(s, obs);
    const auto& rungs = s.ladder.rungs;
    const std::size_t half = rungs.size() / 2;
    double constant = 0, fine = 0;
    for (std::size_t i = 0; i < rungs.size(); ++i) {
      // Errors within the rounding floor are no evidence either way.
      const double scaled = std::max(rungs[i].error, s.ladder.floor) / std::pow(rungs[i].h, a);
      if (i < half) constant = std::max(constant, scaled);
      else fine = std::max(fine, scaled);
    }
    obs.detail("C", constant);
    obs.detail("tightness_fine", fine / constant);
    obs.detail("P", make_schedule(c.schedule)->exponent());
    obs.comparison = Comparison::lower;
    obs.bound = a;
    if (s.fit.status == ConvergenceStatus::fitted) obs.level = level;
    obs.observed = s.fit.status == ConvergenceStatus::fitted
                       ? s.fit.rate_ci.hi + s.window_gap + s.xi_drift
                       : std::numeric_limits<double>::infinity();  // at the floor: any rate fits
    return obs;
  }
};

}  // namespace

std::vector<std::unique_ptr<Check>> c2_checks() {
  std::vector<std::unique_ptr<Check>> out;
  out.push_back(std::make_unique<EulerIdentity>());
  out.push_back(std::make_unique<EulerRate>());
  out.push_back(std::make_unique<EulerSqrtBound>());
  return out;
}

}  // namespace siv
