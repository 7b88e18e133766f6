// Interpolation schedules (theory/schedule.hpp): derivatives against Boost.Math finite
// differences, boundary values, the small-t exponent against a fitted log-log slope, spec
// round-trips and rejection of bad specs. Accuracy checks also run on mutated schedules.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <charconv>
#include <cmath>
#include <iomanip>
#include <functional>
#include <limits>
#include <numbers>
#include <sstream>
#include <string>
#include <vector>

#include <boost/math/differentiation/finite_difference.hpp>

#include "big_schedule.hpp"
#include "properties/generators.hpp"
#include "theory/schedule.hpp"

namespace siv {
namespace {

constexpr double kUnit = std::numeric_limits<double>::epsilon() / 2;
constexpr double kInf = std::numeric_limits<double>::infinity();

std::string shortest(double v) {
  char buffer[32];
  return std::string(buffer, std::to_chars(buffer, buffer + sizeof buffer, v).ptr);
}

// Catalogue schedules, power:k/20, and bridge:A and vp:bmin:bmax with parameters where the small-t
// behaviour is reached by t = 1e-6 (A >= 1e-2, bmax / bmin <= 1e3).
rc::Gen<std::string> spec_gen() {
  return rc::gen::oneOf(
      gen::schedule_spec(),
      rc::gen::map(gen::log_uniform(1e-2, 10.0), [](double a) { return "bridge:" + shortest(a); }),
      rc::gen::apply([](double bmin, double ratio) { return "vp:" + shortest(bmin) + ":" + shortest(bmin * ratio); },
                     gen::log_uniform(1e-2, 1.0), gen::log_uniform(1.0, 1e3)));
}

// t in [1e-6, 1/2] or its mirror 1 - t, log-uniform toward both ends.
rc::Gen<double> time_gen() {
  return rc::gen::apply([](double t, bool mirror) { return mirror ? 1 - t : t; },
                        rc::gen::resize(rc::kNominalSize, gen::log_uniform(1e-6, 0.5)), rc::gen::arbitrary<bool>());
}

// A schedule with one member replaced: the mutants.
class Patched final : public Schedule {
 public:
  enum class Member { dalpha, dsigma, sigma_dsigma, exponent };
  Patched(SchedulePtr base, Member member, std::function<double(double)> value)
      : base_(std::move(base)), member_(member), value_(std::move(value)) {}
  std::string name() const override { return base_->name(); }
  double alpha(double t) const override { return base_->alpha(t); }
  double complement(double t) const override { return base_->complement(t); }
  double dalpha(double t) const override { return member_ == Member::dalpha ? value_(t) : base_->dalpha(t); }
  double sigma(double t) const override { return base_->sigma(t); }
  double dsigma(double t) const override { return member_ == Member::dsigma ? value_(t) : base_->dsigma(t); }
  double sigma_dsigma(double t) const override {
    return member_ == Member::sigma_dsigma ? value_(t) : base_->sigma_dsigma(t);
  }
  double exponent() const override { return member_ == Member::exponent ? value_(0) : base_->exponent(); }

 private:
  SchedulePtr base_;
  Member member_;
  std::function<double(double)> value_;
};

// ---------------------------------------------------------------------------------------------
// Derivatives. Each is compared with Boost's sixth-order central difference of the function in
// the scaled variable t + min(t, 1 - t) tau (stays inside (0, 1)). Error model: 10 times Boost's
// estimate (leading truncation term, rounding relative to |f|), plus the evaluation error of f,
// 8 u |f| (a few correctly rounded operations) and |f'| u t (rounding of the argument
// t + scale tau), amplified by the stencil (sum |weights| = 11/6) over the step, plus 8 u |f'|
// for the analytic derivative itself.

const double kFdStep = std::pow(std::numeric_limits<double>::epsilon() / 168, 1.0 / 7);

// |analytic - numerical| / tolerance for f' at t.
template <class F>
double derivative_excess(F f, double analytic, double t) {
  const double scale = std::min(t, 1 - t);
  double error = 0;
  const double numeric =
      boost::math::differentiation::finite_difference_derivative([&](double tau) { return f(t + scale * tau); }, 0.0,
                                                                 &error) /
      scale;
  const double eval_error = 8 * kUnit * std::abs(f(t)) + kUnit * t * std::abs(numeric);
  const double tol = (10 * error + 11.0 / 6 * eval_error / kFdStep) / scale + 8 * kUnit * std::abs(analytic);
  const double err = std::abs(analytic - numeric);
  return err == 0 ? 0 : err / tol;
}

// Worst over alpha', sigma', sigma sigma' (against (sigma^2 / 2)') and sigma'/sigma = log_sigma_rate
// (both sides take at most 5 operations of at most 1 ulp = 2u each, e.g. pow: 20 u).
double derivatives_excess(const Schedule& s, double t) {
  const double a = derivative_excess([&](double u) { return s.alpha(u); }, s.dalpha(t), t);
  const double b = derivative_excess([&](double u) { return s.sigma(u); }, s.dsigma(t), t);
  const double c = derivative_excess([&](double u) { return 0.5 * s.sigma(u) * s.sigma(u); }, s.sigma_dsigma(t), t);
  const double rate = s.dsigma(t) / s.sigma(t), rate_err = std::abs(s.log_sigma_rate(t) - rate);
  const double d = rate_err == 0 ? 0 : rate_err / (20 * kUnit * std::abs(rate));
  double worst = 0;
  for (double e : {a, b, c, d}) worst = std::isnan(e) || e > worst ? e : worst;
  return worst;
}

void derivative_property(const SchedulePtr& s) { RC_ASSERT(derivatives_excess(*s, *time_gen()) <= 1.0); }

RC_GTEST_PROP(Schedule, DerivativesMatchFiniteDifferences, ()) { derivative_property(make_schedule(*spec_gen())); }

TEST(Schedule, DerivativesRejectMissingChainFactor) {
  // trig: d/dt sin(pi t / 2) without the pi / 2.
  const auto trig = std::make_shared<Patched>(make_schedule("trig"), Patched::Member::dsigma,
                                              [](double t) { return std::cos(std::numbers::pi / 2 * t); });
  EXPECT_FALSE(rc::check("mutant: trig sigma' without pi/2", [&] { derivative_property(trig); }));
}

TEST(Schedule, DerivativesRejectMissingHalf) {
  // bridge:2: d/dt (sigma^2 / 2) = t + A (1 - 2t) / 2 with the 1/2 dropped.
  const auto bridge = std::make_shared<Patched>(make_schedule("bridge:2"), Patched::Member::sigma_dsigma,
                                                [](double t) { return t + 2 * (1 - 2 * t); });
  EXPECT_FALSE(rc::check("mutant: bridge sigma sigma' without 1/2", [&] { derivative_property(bridge); }));
  // vp: alpha' = -beta(t) alpha / 2 with the 1/2 dropped.
  const SchedulePtr vp = make_schedule("vp");
  const auto vp_mutant =
      std::make_shared<Patched>(vp, Patched::Member::dalpha, [vp](double t) { return 2 * vp->dalpha(t); });
  EXPECT_FALSE(rc::check("mutant: vp alpha' without 1/2", [&] { derivative_property(vp_mutant); }));
}

// ---------------------------------------------------------------------------------------------
// Boundary values: alpha(0) = 1 and sigma(0) = 0 exactly, sigma > 0 on (0, 1] (down to 1e-300,
// including parameters at the edges of their ranges).
TEST(Schedule, BoundaryValues) {
  std::vector<std::string> specs = schedule_catalogue();
  for (const char* extra : {"bridge:0", "bridge:1e-3", "vp:1e-3:1e3", "vp:5:5", "power:0.01", "power:1"})
    specs.emplace_back(extra);
  for (const std::string& spec : specs) {
    const SchedulePtr s = make_schedule(spec);
    EXPECT_EQ(s->alpha(0), 1.0) << spec;
    EXPECT_EQ(s->sigma(0), 0.0) << spec;
    for (double t : {1e-300, 1e-200, 1e-100, 1e-10, 1e-3, 0.5, 1.0}) EXPECT_GT(s->sigma(t), 0.0) << spec << " t=" << t;
  }
}

// ---------------------------------------------------------------------------------------------
// 1 - alpha(t) within 4 ulp of its 50-digit value, and alpha(t) within 4 (1 + |log alpha|) ulp
// (vp's exp(-B/2) amplifies the rounding of B by B/2): the contract the oracle's rounding
// bounds rely on. t spans [1e-12, 1] toward both ends.
double alpha_excess(const std::string& spec, double t) {
  const SchedulePtr s = make_schedule(spec);
  const test::BigSchedule exact = test::big_schedule(spec, t);
  const double complement = static_cast<double>(exact.complement), alpha = static_cast<double>(exact.alpha);
  const double c = std::abs(s->complement(t) - static_cast<double>(exact.complement)) / (4 * kUnit * complement);
  const double a = alpha == 0 ? (s->alpha(t) == 0 ? 0 : kInf)
                              : std::abs(s->alpha(t) - alpha) / (4 * kUnit * alpha * (1 + std::abs(std::log(alpha))));
  return std::max(c, a);
}

RC_GTEST_PROP(Schedule, ComplementAndAlphaWithinFourUlp, ()) {
  const std::string spec = *spec_gen();
  const double t = *rc::gen::apply([](double u, bool mirror) { return mirror ? 1 - u : u; },
                                   rc::gen::resize(rc::kNominalSize, gen::log_uniform(1e-12, 0.5)),
                                   rc::gen::arbitrary<bool>());
  RC_ASSERT(alpha_excess(spec, t) <= 1.0);
}

// 1 - fl(alpha) is the cancellation complement() avoids: at t = 1e-9 it is off by ~1e-7 relative.
TEST(Schedule, ComplementRejectsOneMinusAlpha) {
  const SchedulePtr trig = make_schedule("trig");
  const double t = 1e-5, exact = static_cast<double>(test::big_schedule("trig", t).complement);
  EXPECT_LE(std::abs(trig->complement(t) - exact), 4 * kUnit * exact);
  EXPECT_GT(std::abs((1 - trig->alpha(t)) - exact), 1e3 * kUnit * exact);
}

// ---------------------------------------------------------------------------------------------
// Exponent p (sigma ~ c t^p): least-squares slope of log sigma against log t over 13 points in
// [1e-9, 1e-6]. For these schedules d log sigma / d log t = p + O(t C) with C <= (bmax/bmin) / 4
// <= 250 (vp) or 1 / (2A) <= 50 (bridge), so the slope is within 2.5e-4 of p; tolerance 1e-3.
double fitted_slope(const Schedule& s) {
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  const int m = 13;
  for (int i = 0; i < m; ++i) {
    const double x = std::log(1e-9) + i * (std::log(1e-6) - std::log(1e-9)) / (m - 1), y = std::log(s.sigma(std::exp(x)));
    sx += x, sy += y, sxx += x * x, sxy += x * y;
  }
  return (m * sxy - sx * sy) / (m * sxx - sx * sx);
}

void exponent_property(const std::function<SchedulePtr(const std::string&)>& make) {
  const SchedulePtr s = make(*spec_gen());
  RC_ASSERT(std::abs(fitted_slope(*s) - s->exponent()) <= 1e-3);
}

RC_GTEST_PROP(Schedule, ExponentIsFittedSmallTimeSlope, ()) { exponent_property(make_schedule); }

TEST(Schedule, ExponentRejectsWrongExponent) {
  // A schedule that reports p = 1, as bridge:A would if A > 0 were taken for A = 0.
  EXPECT_FALSE(rc::check("mutant: exponent 1", [] {
    exponent_property([](const std::string& spec) {
      return std::make_shared<Patched>(make_schedule(spec), Patched::Member::exponent, [](double) { return 1.0; });
    });
  }));
}

// ---------------------------------------------------------------------------------------------
// Specs. name() is the canonical spec: it parses back to a schedule with the same name and the same
// values, bit for bit (parameters are printed as shortest round-trip decimals).

// Random parameters over their whole ranges.
rc::Gen<SchedulePtr> any_schedule() {
  const auto positive = rc::gen::suchThat(rc::gen::arbitrary<double>(),
                                          [](double v) { return std::isfinite(v) && v > 0; });
  return rc::gen::oneOf(
      rc::gen::map(rc::gen::element<std::string>("linear", "trig"), [](std::string s) { return make_schedule(s); }),
      rc::gen::map(rc::gen::suchThat(rc::gen::arbitrary<double>(), [](double v) { return std::isfinite(v) && v >= 0; }),
                   [](double a) -> SchedulePtr { return std::make_shared<BridgeSchedule>(a); }),
      rc::gen::apply([](double lo, double hi) -> SchedulePtr {
        return std::make_shared<VpSchedule>(std::min(lo, hi), std::max(lo, hi));
      }, positive, positive),
      rc::gen::map(rc::gen::suchThat(positive, [](double p) { return p <= 1; }),
                   [](double p) -> SchedulePtr { return std::make_shared<PowerSchedule>(p); }));
}

bool same_schedule(const Schedule& a, const Schedule& b) {
  for (double t : {0.0, 1e-7, 0.1, 0.5, 0.9, 1.0}) {
    if (a.alpha(t) != b.alpha(t) || a.sigma(t) != b.sigma(t) || a.dalpha(t) != b.dalpha(t)) return false;
    if (t > 0 && (a.dsigma(t) != b.dsigma(t) || a.sigma_dsigma(t) != b.sigma_dsigma(t))) return false;
  }
  return a.exponent() == b.exponent();
}

void roundtrip_property(const std::function<std::string(const Schedule&)>& name) {
  const SchedulePtr s = *any_schedule();
  const SchedulePtr back = make_schedule(name(*s));
  RC_ASSERT(back->name() == s->name());
  RC_ASSERT(same_schedule(*s, *back));
}

RC_GTEST_PROP(ScheduleSpec, NameRoundTrips, ()) { roundtrip_property([](const Schedule& s) { return s.name(); }); }

// Mutant: parameters printed with 6 significant digits.
std::string six_digit_name(const Schedule& s) {
  std::istringstream in(s.name());
  std::ostringstream out;
  std::string part;
  for (bool first = true; std::getline(in, part, ':'); first = false) {
    if (first) out << part;
    else out << ':' << std::setprecision(6) << std::stod(part);
  }
  return out.str();
}

TEST(ScheduleSpec, RoundTripRejectsSixDigitNames) {
  EXPECT_FALSE(rc::check("mutant: 6-digit names", [] { roundtrip_property(six_digit_name); }));
}

TEST(ScheduleSpec, CatalogueAndDefaults) {
  for (const std::string& spec : schedule_catalogue()) EXPECT_EQ(make_schedule(spec)->name(), spec);
  EXPECT_EQ(make_schedule("bridge")->name(), "bridge:2");
  EXPECT_EQ(make_schedule("vp")->name(), "vp:0.1:20");
  EXPECT_EQ(make_schedule("power:0.5")->exponent(), 0.5);
  EXPECT_EQ(make_schedule("bridge:0")->exponent(), 1.0);
  EXPECT_EQ(make_schedule("bridge:0.5")->exponent(), 0.5);
}

TEST(ScheduleSpec, BadSpecsThrow) {
  const std::vector<std::string> bad = {
      "", "Linear", "linear2", "cosine", ":", " linear",                                      // unknown
      "linear:1", "trig:0", "bridge:1:2", "vp:1", "vp:1:2:3", "power", "power:0.5:1", "vp:",  // arity
      "power:0", "power:1.5", "power:-0.5", "bridge:-1", "vp:0:20", "vp:-1:20", "vp:5:1",     // range
      "power:abc", "bridge:1x", "vp:0.1:inf", "power:nan", "bridge:", "bridge:1e999", "power:0x1p-1"};
  for (const std::string& spec : bad) {
    try {
      make_schedule(spec);
      ADD_FAILURE() << "'" << spec << "' was accepted";
    } catch (const std::invalid_argument& e) {
      const std::string kind = spec.substr(0, spec.find(':'));
      EXPECT_NE(std::string(e.what()).find(kind), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace siv
