// The closed-form oracle field (theory/oracle.hpp) against independent references: a 50-digit
// evaluation of the same formulas, the continuity equation, the conditional-expectation
// characterisation of b*, and exact symmetries. Every property also runs on a mutant (a
// test-side copy of the oracle algorithm with one injected fault) through the same check, and the
// test asserts that the check rejects it; RapidCheck prints those expected counterexamples.
#include <gtest/gtest.h>

#include "support.hpp"
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <iostream>
#include <limits>
#include <memory>
#include <numbers>
#include <numeric>
#include <string>
#include <vector>

#include <boost/math/differentiation/finite_difference.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/tools/roots.hpp>
#include <boost/multiprecision/cpp_dec_float.hpp>

#include "big_schedule.hpp"
#include "properties/generators.hpp"
// The theory test target links only the theory library; compile the shared builder in here.
#include "properties/training_set.hpp"
#include "theory/oracle.hpp"
#include "theory/random.hpp"

namespace siv {
namespace {

using test::Big;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kUnit = std::numeric_limits<double>::epsilon() / 2;  // unit roundoff u = 2^-53

// Relative accuracy demanded against the 50-digit reference. The error bounds below are c u times
// the stated scales with c <= n + d + 10 <= 90, so 1e-12 (about 9000 u) leaves a factor 100.
constexpr double kAccuracyTol = 1e-12;

// Norms are Eigen's stableNorm: b reaches 1e159 (power:0.05 at sigma = 1e-8), whose square overflows.

// err / scale, 0 for an exact zero, NaN (failing every <= check) when err is NaN.
double ratio(double err, double scale) { return err == 0 ? 0 : err / scale; }
// The larger of two error ratios; NaN wins so that it cannot be hidden.
double worse(double a, double b) { return std::isnan(a) || a > b ? a : b; }

// Draws case number i of a generator, for fixed-size seeded sweeps.
template <class T>
T draw(const rc::Gen<T>& gen, std::uint64_t i) {
  return gen(rc::Random(i)).value();
}

// ---------------------------------------------------------------------------------------------
// Implementations under test: the oracle, and mutants of its algorithm.

enum class Fault {
  none,
  rounded_alpha,      // x - alpha y_k from the rounded alpha (fma), never (x - y_k) + (1 - alpha) y_k
  plain_subtraction,  // x - alpha y_k rounded twice (no fma)
  expanded_logits,    // |x|^2 - 2 alpha x.y + alpha^2 |y|^2
  flipped_rate,       // b = alpha' m - (sigma'/sigma)(x - alpha m)
  missing_alpha,      // residual x - m instead of x - alpha m
  shifted_pairing,    // weight k paired with y_{k+1}
  wide_kernel,        // softmax at variance 2 sigma^2
  score_sign,         // s = +(x - alpha m) / sigma^2
  farthest_margin,    // margin measured to the farthest centre
  no_log1p,           // log deficit = log(sum_{j != k} e_j), the normaliser forgotten
};

// oracle.cpp's algorithm ((x - y_k) + (1 - alpha) y_k where alpha > 1/2, else fma differences;
// log-sum-exp, m = y_k + offset) with one fault injected.
FieldValue mirror(const Mat& pts, const Schedule& sch, double t, const Vec& x, Fault fault) {
  const int n = static_cast<int>(pts.cols());
  const double alpha = sch.alpha(t), sigma = sch.sigma(t), complement = sch.complement(t);
  auto pair = [&](int k) { return fault == Fault::shifted_pairing ? (k + 1) % n : k; };
  auto centred = [&](int k) {
    Vec v(x.size());
    for (Eigen::Index j = 0; j < x.size(); ++j)
      v[j] = fault == Fault::plain_subtraction ? x[j] - alpha * pts(j, k)
             : fault == Fault::rounded_alpha || complement >= 0.5
                 ? std::fma(-alpha, pts(j, k), x[j])
                 : std::fma(complement, pts(j, k), x[j] - pts(j, k));
    return v;
  };
  const double var = (fault == Fault::wide_kernel ? 2.0 : 1.0) * sigma * sigma;
  Vec logits(n);
  for (int k = 0; k < n; ++k) {
    const double sq = fault == Fault::expanded_logits
                          ? x.squaredNorm() - 2 * alpha * x.dot(pts.col(k)) +
                                alpha * alpha * pts.col(k).squaredNorm()
                          : centred(k).squaredNorm();
    logits[k] = -0.5 * sq / var;
  }
  int best = 0;
  for (int k = 1; k < n; ++k)
    if (logits[k] > logits[best]) best = k;
  double others = 0, second = -kInf, lowest = kInf;
  Vec offset = Vec::Zero(x.size());
  for (int j = 0; j < n; ++j) {
    if (j == best) continue;
    const double e = std::exp(logits[j] - logits[best]);
    others += e;
    second = std::max(second, logits[j]);
    lowest = std::min(lowest, logits[j]);
    offset += e * (pts.col(pair(j)) - pts.col(pair(best)));
  }
  offset /= 1.0 + others;
  FieldValue v;
  v.m = pts.col(pair(best)) + offset;
  const Vec r = fault == Fault::missing_alpha ? Vec(x - v.m) : Vec(centred(pair(best)) - alpha * offset);
  const double rate = (fault == Fault::flipped_rate ? -1.0 : 1.0) * sch.log_sigma_rate(t);
  v.b = sch.dalpha(t) * v.m + rate * r;
  v.s = (fault == Fault::score_sign ? 1.0 : -1.0) * r / (sigma * sigma);
  v.nearest = best;
  v.wmax = 1.0 / (1.0 + others);
  v.log_deficit = others == 0 ? -kInf
                  : fault == Fault::no_log1p ? std::log(others)
                                             : std::log(others) - std::log1p(others);
  v.margin = logits[best] - (fault == Fault::farthest_margin && n > 1 ? lowest : second);
  return v;
}

using Eval = std::function<FieldValue(double t, const Vec& x)>;
using Impl = std::function<Eval(const Mat& data, const SchedulePtr& schedule)>;

Eval oracle_impl(const Mat& data, const SchedulePtr& schedule) {
  auto field = std::make_shared<const OracleField>(data, schedule);
  return [field](double t, const Vec& x) {
    FieldValue v;
    field->evaluate(t, x, v);
    return v;
  };
}

// The batched kernel (evaluate_columns) on a one-column batch.
Eval batch_impl(const Mat& data, const SchedulePtr& schedule) {
  auto field = std::make_shared<const OracleField>(data, schedule);
  return [field](double t, const Vec& x) {
    ColumnBatch out;
    field->evaluate_columns(t, x, out);
    FieldValue v;
    v.b = out.b.col(0), v.s = out.s.col(0), v.m = out.m.col(0);
    v.nearest = out.nearest[0], v.wmax = out.wmax[0], v.log_deficit = out.log_deficit[0], v.margin = out.margin[0];
    return v;
  };
}

Impl mutant(Fault fault) {
  return [fault](const Mat& data, const SchedulePtr& schedule) -> Eval {
    const Mat pts = data.transpose();
    return [pts, schedule, fault](double t, const Vec& x) { return mirror(pts, *schedule, t, x, fault); };
  };
}

// ---------------------------------------------------------------------------------------------
// Cases.

// A training set, translated by `shift` along a random direction (|y| >> separation is where
// expanded dot products lose digits), a schedule evaluated where sigma(t) = sigma, and points in
// the hard regime (alpha y_k + sigma xi), between two centres, on the bisector of two neighbours
// (split weights), and far from the data. All parts
// span their whole ranges from the first case on (not grown with RapidCheck's size), so that each
// case can reach the small-sigma and split-weight regimes that expose the mutants.
struct Setting {
  TrainingSetSpec spec;
  double shift = 0;
  std::string schedule = "linear";
  double sigma = 1;
  std::uint64_t seed = 0;
};

void showValue(const Setting& c, std::ostream& os) {
  os << c.spec << " shift=" << c.shift << " schedule=" << c.schedule << " sigma=" << c.sigma
     << " seed=" << c.seed;
}

rc::Gen<Setting> setting_gen(int max_n, int max_d) {
  return rc::gen::apply(
      [](TrainingSetSpec spec, double shift, std::string schedule, double sigma, std::uint64_t seed) {
        return Setting{spec, shift, std::move(schedule), sigma, seed};
      },
      rc::gen::resize(rc::kNominalSize, gen::training_set_spec(max_n, max_d)),
      rc::gen::oneOf(rc::gen::just(0.0), rc::gen::resize(rc::kNominalSize, gen::log_uniform(1e-2, 1e4))),
      gen::schedule_spec(), rc::gen::resize(rc::kNominalSize, gen::log_uniform(1e-8, 1.0)),
      rc::gen::arbitrary<std::uint64_t>());
}

// t in (0, 1] with sigma(t) = target, by bisection in log t (sigma increases on (0, 1]).
double time_for_sigma(const Schedule& s, double target) {
  if (s.sigma(1.0) <= target) return 1.0;
  auto f = [&](double log_t) { return std::log(s.sigma(std::exp(log_t))) - std::log(target); };
  const auto [lo, hi] = boost::math::tools::bisect(f, -700.0, 0.0, boost::math::tools::eps_tolerance<double>(45));
  return std::exp(0.5 * (lo + hi));
}

struct Instance {
  Mat data;  // n x d
  SchedulePtr schedule;
  double t = 1;
  std::vector<Vec> points;
};

Instance instantiate(const Setting& c) {
  Instance in;
  in.data = build_training_set(c.spec);
  const int n = c.spec.n, d = c.spec.d;
  Rng rng(c.seed, 1);
  const Vec direction = rng.normal_vector(d).normalized();
  in.data.rowwise() += (c.shift * direction).transpose();
  in.schedule = make_schedule(c.schedule);
  in.t = time_for_sigma(*in.schedule, c.sigma);
  const double alpha = in.schedule->alpha(in.t), sigma = in.schedule->sigma(in.t);
  auto y = [&](int k) -> Vec { return in.data.row(k).transpose(); };
  for (int i = 0; i < 3; ++i) in.points.push_back(alpha * y(rng.index(n)) + sigma * rng.normal_vector(d));
  const double lambda = rng.uniform();
  in.points.push_back(alpha * ((1 - lambda) * y(rng.index(n)) + lambda * y(rng.index(n))) +
                      sigma * rng.normal_vector(d));
  if (n > 1) {  // on the bisector of y_k and its nearest neighbour: weights split between the two
    const int k = rng.index(n);
    int j = k == 0 ? 1 : 0;
    for (int i = 0; i < n; ++i)
      if (i != k && (in.data.row(i) - in.data.row(k)).stableNorm() < (in.data.row(j) - in.data.row(k)).stableNorm()) j = i;
    const Vec axis = (y(j) - y(k)).normalized();
    Vec xi = rng.normal_vector(d);
    xi -= xi.dot(axis) * axis;
    in.points.push_back(0.5 * alpha * (y(j) + y(k)) + sigma * xi);
  }
  const Vec centroid = in.data.colwise().mean().transpose();
  const double spread = std::max(1.0, (in.data.rowwise() - centroid.transpose()).rowwise().stableNorm().maxCoeff());
  in.points.push_back(alpha * centroid + spread * rng.normal_vector(d));
  return in;
}

// ---------------------------------------------------------------------------------------------
// 50-digit reference. The double t, x and Y are exact inputs; alpha(t), alpha', sigma, sigma' are
// evaluated in 50 digits from t (test::big_schedule), so the rounding of alpha counts as an error.

struct Reference {
  Vec m, r, b, s;
  int best = 0;
  double margin = kInf, log_deficit = -kInf, wmax = 1;
  std::vector<double> logits;
  // |l_j| + t |alpha'| |x - alpha y_j| |y_j| / sigma^2: the logit's size plus its change under a
  // relative perturbation of t of one unit (the scale of an error "relative to t").
  std::vector<double> logit_scale;
  // Error-model scales (see accuracy()).
  double deficit = 0;     // 1 - w_best
  double split = 0;       // K (see accuracy())
  double rest_logit = 0;  // sum_{j != best} w_j |l_j| / (1 - w_best)
  double offset_norm = 0;
};

Reference reference(const Mat& data, const std::string& schedule, double t, const Vec& x) {
  const int n = static_cast<int>(data.rows()), d = static_cast<int>(data.cols());
  const test::BigSchedule sch = test::big_schedule(schedule, t);
  const Big a = sch.alpha, two_var = 2 * sch.sigma * sch.sigma;
  const Big& dalpha = sch.dalpha;
  std::vector<Big> l(n);
  Reference ref;
  for (int k = 0; k < n; ++k) {
    Big sq = 0, y_sq = 0;
    for (int j = 0; j < d; ++j) {
      const Big diff = Big(x[j]) - a * Big(data(k, j));
      sq += diff * diff;
      y_sq += Big(data(k, j)) * Big(data(k, j));
    }
    l[k] = -sq / two_var;
    ref.logit_scale.push_back(static_cast<double>(abs(l[k]) + 2 * t * abs(dalpha) * sqrt(sq * y_sq) / two_var));
  }
  for (int k = 1; k < n; ++k)
    if (l[k] > l[ref.best]) ref.best = k;
  const int b = ref.best;
  Big second = -std::numeric_limits<Big>::infinity();
  for (int j = 0; j < n; ++j)
    if (j != b) second = std::max(second, l[j]);
  // Logit errors of up to c u |l| (c = d + 6) scale w_j by up to e^{c u |l|}. K is an error scale:
  // double precision, formed in logs so that huge factors times tiny weights stay finite.
  const double cu = (d + 6) * kUnit;
  std::vector<Big> e(n, Big(0));
  e[b] = 1;
  Big others = 0, rest = 0;
  double split = 0;
  for (int j = 0; j < n; ++j) {
    if (j == b) continue;
    e[j] = exp(l[j] - l[b]);
    others += e[j];
    rest += e[j] * ref.logit_scale[j];
    const double delta = cu * (ref.logit_scale[j] + ref.logit_scale[b]);
    const double log_factor = (delta > 700 ? delta : std::log(std::expm1(delta))) - std::log(cu);
    split += std::exp(static_cast<double>(l[j] - l[b]) + log_factor);
  }
  if (others == 0 && n > 1) {  // all e_j underflowed (deficit below e^-1e8): sum relative to the second
    Big rest_sum = 0;
    rest = 0;
    for (int j = 0; j < n; ++j)
      if (j != b) rest_sum += exp(l[j] - second), rest += exp(l[j] - second) * ref.logit_scale[j];
    ref.log_deficit = static_cast<double>(second - l[b] + log(rest_sum));
    ref.rest_logit = static_cast<double>(rest / rest_sum);
  }
  const Big total = 1 + others;
  ref.m.resize(d), ref.r.resize(d), ref.b.resize(d), ref.s.resize(d);
  Big offset_sq = 0;
  for (int j = 0; j < d; ++j) {
    Big offset = 0;
    for (int k = 0; k < n; ++k) offset += e[k] * (Big(data(k, j)) - Big(data(b, j)));
    offset /= total;
    offset_sq += offset * offset;
    const Big m = Big(data(b, j)) + offset, r = Big(x[j]) - a * m;
    ref.m[j] = static_cast<double>(m);
    ref.r[j] = static_cast<double>(r);
    ref.b[j] = static_cast<double>(dalpha * m + sch.dsigma / sch.sigma * r);
    ref.s[j] = static_cast<double>(-r / (sch.sigma * sch.sigma));
  }
  ref.offset_norm = static_cast<double>(sqrt(offset_sq));
  if (n > 1) ref.margin = static_cast<double>(l[b] - second);
  if (others > 0) {
    ref.log_deficit = static_cast<double>(log(others) - log(total));
    ref.rest_logit = static_cast<double>(rest / others);
  }
  ref.wmax = static_cast<double>(1 / total);
  ref.deficit = static_cast<double>(others / total);
  ref.split = split / static_cast<double>(total);
  for (const Big& lk : l) ref.logits.push_back(static_cast<double>(lk));
  return ref;
}

// Relative errors of one evaluation, each against the scale of its floating-point error bound.
// Logits carry relative error c u, c = d + 6; logit errors delta move w_j by w_j (delta_j - mean),
// so weight-dependent quantities get the factor
//   K = sum_{j != k} w_j expm1(c u (|l_j| + |l_k|)) / (c u)    (k = best)
// times the spread D = max_j |y_j - y_k|. K = sum_{j != k} w_j (|l_j| + |l_k|) while c u |l| is
// small; when the logits themselves are not resolved (c u |l| > 1, e.g. on a bisector at tiny
// sigma) it grows as the weights become undetermined. x - alpha m = (x - alpha y_k) - alpha (m - y_k)
// errs by u |x - alpha y_k| plus alpha times the offset error. Margin and log deficit are
// differences of logits: their errors scale with |l_k| and the other logits. Errors count relative
// to t: every |l| above is the logit scale |l| + t |dl/dt|_alpha (Reference::logit_scale), and
// x - alpha y_k carries t |alpha'| |y_k|, its change under a unit relative perturbation of t.
struct Accuracy {
  double m = 0, b = 0, s = 0, margin = 0, log_deficit = 0, wmax = 0, nearest = 0;
  double worst() const {
    return worse(worse(worse(m, b), worse(s, margin)), worse(worse(log_deficit, wmax), nearest));
  }
  void merge(const Accuracy& o) {
    m = worse(m, o.m), b = worse(b, o.b), s = worse(s, o.s), margin = worse(margin, o.margin);
    log_deficit = worse(log_deficit, o.log_deficit), wmax = worse(wmax, o.wmax), nearest = worse(nearest, o.nearest);
  }
};

std::ostream& operator<<(std::ostream& os, const Accuracy& a) {
  return os << "m " << a.m << ", b " << a.b << ", s " << a.s << ", margin " << a.margin << ", log_deficit "
            << a.log_deficit << ", wmax " << a.wmax << ", nearest " << a.nearest;
}

Accuracy accuracy(const FieldValue& v, const Reference& ref, const Mat& data, const Schedule& sch, double t,
                  const Vec& x) {
  const double alpha = sch.alpha(t), dalpha = sch.dalpha(t), sigma = sch.sigma(t), dsigma = sch.dsigma(t);
  const Vec yb = data.row(ref.best).transpose();
  const double spread = (data.rowwise() - yb.transpose()).rowwise().stableNorm().maxCoeff();
  const double ymax = data.rowwise().stableNorm().maxCoeff();
  const double weight_term = spread * (ref.split + ref.deficit);
  const double scale_m = ymax + weight_term;
  const double scale_r = (x - alpha * yb).stableNorm() + t * std::abs(dalpha) * yb.stableNorm() +
                         std::abs(alpha) * (ref.offset_norm + weight_term) + ref.r.stableNorm();
  const double lb = ref.logit_scale[ref.best];
  Accuracy a;
  a.m = ratio((v.m - ref.m).stableNorm(), scale_m);
  a.b = ratio((v.b - ref.b).stableNorm(), std::abs(dalpha) * scale_m + std::abs(dsigma / sigma) * scale_r);
  a.s = ratio((v.s - ref.s).stableNorm(), scale_r / (sigma * sigma));
  a.margin = std::isinf(ref.margin) ? (v.margin == ref.margin ? 0 : kInf)
                                    : ratio(std::abs(v.margin - ref.margin), ref.margin + 2 * lb);
  // exp underflows below e^-745 (gradually from e^-708): under about -700 the log deficit is only
  // known to be tiny, and -inf is right once the reference is within error of -745.
  if (std::isinf(ref.log_deficit)) {
    a.log_deficit = v.log_deficit == ref.log_deficit ? 0 : kInf;
  } else if (!(ref.log_deficit < -700 && v.log_deficit < -690)) {
    const double err = v.log_deficit == -kInf ? std::max(0.0, ref.log_deficit + 745)
                                              : std::abs(v.log_deficit - ref.log_deficit);
    a.log_deficit = ratio(err, std::abs(ref.log_deficit) + lb + ref.rest_logit);
  }
  a.wmax = ratio(std::abs(v.wmax - ref.wmax), 1 + ref.split);
  const int k = v.nearest;
  a.nearest = k < 0 || k >= data.rows()
                  ? kInf
                  : ratio(ref.logits[ref.best] - ref.logits[k], lb + ref.logit_scale[k]);
  return a;
}

// Componentwise worst relative errors over the points of a setting.
Accuracy accuracy_of(const Impl& impl, const Setting& c) {
  const Instance in = instantiate(c);
  const Eval eval = impl(in.data, in.schedule);
  const Schedule& s = *in.schedule;
  Accuracy worst;
  for (const Vec& x : in.points) {
    const Reference ref = reference(in.data, c.schedule, in.t, x);
    worst.merge(accuracy(eval(in.t, x), ref, in.data, s, in.t, x));
  }
  return worst;
}

// Returns the case's errors once they passed.
Accuracy accuracy_property(const Impl& impl) {
  const Accuracy a = accuracy_of(impl, *setting_gen(64, 16));
  RC_ASSERT(a.worst() <= kAccuracyTol);
  return a;
}

TEST(OracleAccuracy, MatchesFiftyDigitReference) {
  Accuracy seen;
  EXPECT_TRUE(rc::check("oracle within 1e-12 of the 50-digit reference",
                        [&] { seen.merge(accuracy_property(oracle_impl)); }));
  RecordProperty("max_relative_error", std::to_string(seen.worst()));
  std::cout << "max relative errors seen (tolerance " << kAccuracyTol << "): " << seen << "\n";
}

// The batched kernel (GEMM logits where their bound allows, direct differences elsewhere) to the
// same standard. The expanded-logits mutant below is what GEMM logits without the bound would do.
TEST(OracleAccuracy, BatchedKernelMatchesFiftyDigitReference) {
  Accuracy seen;
  EXPECT_TRUE(rc::check("batched kernel within 1e-12 of the 50-digit reference",
                        [&] { seen.merge(accuracy_property(batch_impl)); }));
  std::cout << "max relative errors seen (tolerance " << kAccuracyTol << "): " << seen << "\n";
}

// The same algorithm without the fault passes, so the faults alone make the mutants fail.
TEST(OracleAccuracy, MirrorWithoutFaultPasses) {
  EXPECT_TRUE(rc::check("mirror without fault", [] { accuracy_property(mutant(Fault::none)); }));
}

// The issue-9 fault: alpha(t) rounded before x - alpha y_k is formed (error eps |y| / sigma).
TEST(OracleAccuracy, RejectsRoundedAlpha) {
  EXPECT_FALSE(rc::check("mutant: rounded alpha", [] { accuracy_property(mutant(Fault::rounded_alpha)); }));
}

TEST(OracleAccuracy, RejectsPlainSubtraction) {
  EXPECT_FALSE(rc::check("mutant: plain subtraction", [] { accuracy_property(mutant(Fault::plain_subtraction)); }));
}

TEST(OracleAccuracy, RejectsExpandedDotProductLogits) {
  EXPECT_FALSE(rc::check("mutant: expanded logits", [] { accuracy_property(mutant(Fault::expanded_logits)); }));
}

TEST(OracleAccuracy, SlowSeededSweep) {
  for (const Impl& impl : {Impl(oracle_impl), Impl(batch_impl)}) {
    Accuracy seen;
    const auto gen = setting_gen(64, 16);
    for (std::uint64_t i = 0; i < 3000; ++i) {
      const Accuracy a = accuracy_of(impl, draw(gen, i));
      seen.merge(a);
      ASSERT_LE(a.worst(), kAccuracyTol) << "case " << i;
    }
    std::cout << "max relative errors seen (tolerance " << kAccuracyTol << "): " << seen << "\n";
  }
}

// ---------------------------------------------------------------------------------------------
// Continuity equation d rho/dt + div(b rho) = 0, divided by rho:
//   R = d/dt log rho + div b + b . grad log rho = 0,
// with every derivative by Boost's sixth-order central differences (steps scaled to the problem:
// sigma in x, min(t, 1 - t) in t) and log rho by log-sum-exp, independent of the oracle.
// Error model of a derivative: 10 times Boost's estimate (leading truncation term from a difference
// of the seventh derivative, and rounding relative to |f|), plus the evaluation error e_f of f
// amplified by the stencil: sum of |weights| / step = (11/6) e_f / h. Boost's own rounding term
// misses e_f when f cancels (log rho near 0, or b = alpha' m + rate r with cancelling terms), and
// the rounding of the argument z0 + scale tau, which adds |f'| u |z0| to e_f.

// The step of Boost's sixth-order formula, in the scaled variable.
const double kFdStep = std::pow(std::numeric_limits<double>::epsilon() / 168, 1.0 / 7);

struct Derivative {
  double value, error;
};

// f'(z0) from f(z0 + scale tau), where f is accurate to eval_error.
template <class F>
Derivative derivative(F f, double z0, double scale, double eval_error) {
  double error = 0;
  const double value =
      boost::math::differentiation::finite_difference_derivative([&](double tau) { return f(z0 + scale * tau); },
                                                                 0.0, &error) /
      scale;
  eval_error += kUnit * std::abs(z0 * value);
  return {value, (10 * error + 11.0 / 6 * eval_error / kFdStep) / scale};
}

// log rho_t(x); error: (d + 8) u times the weighted logit size, |value| and the constant terms
// (logits carry (d + 4) u relative error, the log-sum-exp and the constants a few u more).
struct LogDensity {
  double value, error;
};

LogDensity log_density(const Mat& data, const Schedule& s, double t, const Vec& x) {
  const double alpha = s.alpha(t), sigma = s.sigma(t);
  const int n = static_cast<int>(data.rows()), d = static_cast<int>(data.cols());
  const Vec l = test::reference_logits(data, alpha, sigma, x);
  const double top = l.maxCoeff();
  const Vec e = (l.array() - top).exp();
  const double normaliser = std::log(n) + 0.5 * d * std::log(2 * std::numbers::pi * sigma * sigma);
  const double value = top + std::log(e.sum()) - normaliser;
  const double weighted = e.dot(l.cwiseAbs()) / e.sum();
  return {value, (d + 8) * kUnit * (weighted + std::abs(value) + std::abs(normaliser))};
}

struct ContinuitySetting {
  TrainingSetSpec spec;
  std::string schedule;
  double t;
  std::uint64_t seed;
};

void showValue(const ContinuitySetting& c, std::ostream& os) {
  os << c.spec << " schedule=" << c.schedule << " t=" << c.t << " seed=" << c.seed;
}

rc::Gen<ContinuitySetting> continuity_gen() {
  return rc::gen::apply(
      [](TrainingSetSpec spec, std::string schedule, int t_percent, std::uint64_t seed) {
        return ContinuitySetting{spec, std::move(schedule), t_percent / 100.0, seed};
      },
      gen::training_set_spec(8, 4, 0.1, 3.0), gen::schedule_spec(), rc::gen::inRange(5, 96),
      rc::gen::arbitrary<std::uint64_t>());
}

struct Pointwise {
  Mat data;
  SchedulePtr schedule;
  double t;
  std::vector<Vec> points;  // drawn from rho_t
};

Pointwise pointwise(const ContinuitySetting& c) {
  Pointwise p{build_training_set(c.spec), make_schedule(c.schedule), c.t, {}};
  Rng rng(c.seed, 2);
  const double alpha = p.schedule->alpha(c.t), sigma = p.schedule->sigma(c.t);
  for (int i = 0; i < 3; ++i)
    p.points.push_back(alpha * p.data.row(rng.index(c.spec.n)).transpose() + sigma * rng.normal_vector(c.spec.d));
  return p;
}

// Error scale of r = x - alpha m as the oracle forms it: |r| + alpha |m - y_k| <= |r| + alpha D (1 - w_k).
double residual_scale(const Mat& data, double alpha, const FieldValue& v, double sigma) {
  const double spread = (data.rowwise() - data.row(v.nearest)).rowwise().stableNorm().maxCoeff();
  return sigma * sigma * v.s.stableNorm() + std::abs(alpha) * spread * (1 - v.wmax);
}

// |R| / tolerance at the worst point (<= 1 passes).
double continuity_excess(const Impl& impl, const ContinuitySetting& c) {
  const Pointwise p = pointwise(c);
  const Eval eval = impl(p.data, p.schedule);
  const Schedule& s = *p.schedule;
  const double t = p.t, sigma = s.sigma(t), st = std::min(t, 1 - t);
  const int d = c.spec.d;
  double worst = 0;
  for (const Vec& x : p.points) {
    const FieldValue v = eval(t, x);
    // b is accurate to 64 u (|alpha' m| + |sigma'/sigma| scale(r)) (cf. the accuracy property).
    const double b_error = 64 * kUnit *
                           (std::abs(s.dalpha(t)) * v.m.stableNorm() +
                            std::abs(s.log_sigma_rate(t)) * residual_scale(p.data, s.alpha(t), v, sigma));
    const double l_error = log_density(p.data, s, t, x).error;
    const Derivative dt =
        derivative([&](double u) { return log_density(p.data, s, u, x).value; }, t, st, l_error);
    double residual = dt.value, magnitude = std::abs(dt.value), tol = dt.error;
    for (int j = 0; j < d; ++j) {
      auto moved = [&](double xj) { Vec y = x; y[j] = xj; return y; };
      const Derivative db = derivative([&](double xj) { return eval(t, moved(xj)).b[j]; }, x[j], sigma, b_error);
      const Derivative dl =
          derivative([&](double xj) { return log_density(p.data, s, t, moved(xj)).value; }, x[j], sigma, l_error);
      residual += db.value + v.b[j] * dl.value;
      magnitude += std::abs(db.value) + std::abs(v.b[j] * dl.value);
      tol += db.error + std::abs(v.b[j]) * dl.error;
    }
    worst = worse(worst, ratio(std::abs(residual), tol + 64 * kUnit * magnitude));
  }
  return worst;
}

void continuity_property(const Impl& impl) { RC_ASSERT(continuity_excess(impl, *continuity_gen()) <= 1.0); }

RC_GTEST_PROP(OracleContinuity, ContinuityEquationHolds, ()) { continuity_property(oracle_impl); }

TEST(OracleContinuity, RejectsFlippedRateSign) {
  EXPECT_FALSE(rc::check("mutant: flipped sigma'/sigma term", [] { continuity_property(mutant(Fault::flipped_rate)); }));
}

// s* = grad log rho_t, against the same finite differences of log rho; s itself is accurate to
// 64 u scale(r) / sigma^2.
double score_excess(const Impl& impl, const ContinuitySetting& c) {
  const Pointwise p = pointwise(c);
  const Eval eval = impl(p.data, p.schedule);
  const Schedule& s = *p.schedule;
  const double sigma = s.sigma(p.t);
  double worst = 0;
  for (const Vec& x : p.points) {
    const FieldValue v = eval(p.t, x);
    const double s_error = 64 * kUnit * residual_scale(p.data, s.alpha(p.t), v, sigma) / (sigma * sigma);
    for (int j = 0; j < c.spec.d; ++j) {
      const Derivative dl = derivative(
          [&](double xj) { Vec y = x; y[j] = xj; return log_density(p.data, s, p.t, y).value; }, x[j], sigma,
          log_density(p.data, s, p.t, x).error);
      worst = worse(worst, ratio(std::abs(v.s[j] - dl.value), dl.error + s_error));
    }
  }
  return worst;
}

void score_property(const Impl& impl) { RC_ASSERT(score_excess(impl, *continuity_gen()) <= 1.0); }

RC_GTEST_PROP(OracleContinuity, ScoreIsGradientOfLogDensity, ()) { score_property(oracle_impl); }

TEST(OracleContinuity, RejectsScoreSign) {
  EXPECT_FALSE(rc::check("mutant: score sign", [] { score_property(mutant(Fault::score_sign)); }));
}

// ---------------------------------------------------------------------------------------------
// b*(t, .) = E[x_t' | x_t] with x_t = alpha y + sigma z, x_t' = alpha' y + sigma' z (y uniform on
// Y, z ~ N(0, I)). Equivalently E[(x_t' - b*(t, x_t)) phi(x_t)] = 0 for every test function phi.
// Monte Carlo over N joint draws with phi = 1 and, around two centres x0 drawn from rho_t, a
// Gaussian bump of width sigma and the bump times (x - x0)_j / sigma: localised kernel estimates
// whose bias is zero because b* is subtracted at the sample, not at x0. Each component of each
// sample mean is compared with its standard error (normal approximation, N = 20000), Bonferroni
// over the M comparisons of a case at a false-alarm level of 1e-7 per case. Rounding of b adds a
// bias of at most 64 u (|alpha' y| + |sigma' z| + |alpha' m| + |sigma sigma' s|) per sample (weighted
// by |phi|), which matters when x_t' - b* vanishes identically (n = 1).
// x_t' - b*(x_t) = kappa (y - m(x_t)) is tiny except where a sample lands between centres; when
// that is a rare event (centres many sigma apart) the sample mean is dominated by the typical
// tiny values and the normal approximation fails. So the training set is scaled so that every
// point's nearest neighbour lies within 2 sigma (the one-hot regime is covered by the accuracy and
// continuity checks).

constexpr int kMcSamples = 20000;
constexpr double kMcFalseAlarm = 1e-7;

struct McSetting {
  ContinuitySetting base;
  double closeness;  // largest nearest-neighbour distance / sigma(t)
};

void showValue(const McSetting& c, std::ostream& os) {
  showValue(c.base, os);
  os << " closeness=" << c.closeness;
}

rc::Gen<McSetting> mc_gen() {
  return rc::gen::apply([](ContinuitySetting base, double closeness) { return McSetting{base, closeness}; },
                        continuity_gen(), gen::log_uniform(0.25, 2.0));
}

double mc_worst_z(const Impl& impl, const McSetting& c) {
  Pointwise p = pointwise(c.base);
  const Schedule& s = *p.schedule;
  const double t = p.t, alpha = s.alpha(t), dalpha = s.dalpha(t), sigma = s.sigma(t), dsigma = s.dsigma(t);
  const int n = c.base.spec.n, d = c.base.spec.d, centres = 2, functions = 1 + centres * (1 + d);
  double farthest = 0;  // largest nearest-neighbour distance
  for (int k = 0; k < n && n > 1; ++k) {
    double nearest = kInf;
    for (int j = 0; j < n; ++j)
      if (j != k) nearest = std::min(nearest, (p.data.row(j) - p.data.row(k)).stableNorm());
    farthest = std::max(farthest, nearest);
  }
  if (farthest > 0) p.data *= c.closeness * sigma / farthest;
  const Eval eval = impl(p.data, p.schedule);
  Rng rng(c.base.seed, 3);
  std::vector<Vec> x0;
  for (int q = 0; q < centres; ++q) x0.push_back(alpha * p.data.row(rng.index(n)).transpose() + sigma * rng.normal_vector(d));
  Mat sum = Mat::Zero(functions, d), sum_sq = Mat::Zero(functions, d);
  Vec bias = Vec::Zero(functions), phi(functions);
  for (int i = 0; i < kMcSamples; ++i) {
    const Vec y = p.data.row(rng.index(n)).transpose(), z = rng.normal_vector(d);
    const Vec x = alpha * y + sigma * z;
    const FieldValue v = eval(t, x);
    const Vec g = dalpha * y + dsigma * z - v.b;
    const double rounding = 64 * kUnit *
                            (std::abs(dalpha) * (y.stableNorm() + v.m.stableNorm()) + std::abs(dsigma) * z.stableNorm() +
                             std::abs(s.sigma_dsigma(t)) * v.s.stableNorm());
    phi[0] = 1;
    for (int q = 0; q < centres; ++q) {
      const Vec u = (x - x0[q]) / sigma;
      const double bump = std::exp(-0.5 * u.squaredNorm());
      phi[1 + q * (1 + d)] = bump;
      phi.segment(2 + q * (1 + d), d) = bump * u;
    }
    const Mat terms = phi * g.transpose();
    sum += terms;
    sum_sq += terms.cwiseProduct(terms);
    bias += rounding * phi.cwiseAbs();
  }
  const double comparisons = static_cast<double>(functions) * d;
  const double z_crit = boost::math::quantile(
      boost::math::complement(boost::math::normal(), kMcFalseAlarm / (2 * comparisons)));
  double worst = 0;
  for (int f = 0; f < functions; ++f)
    for (int j = 0; j < d; ++j) {
      const double mean = sum(f, j) / kMcSamples;
      const double var = std::max(0.0, sum_sq(f, j) / kMcSamples - mean * mean) / (kMcSamples - 1);
      worst = worse(worst, ratio(std::abs(mean), z_crit * std::sqrt(var) + bias[f] / kMcSamples));
    }
  return worst;
}

void mc_property(const Impl& impl) { RC_ASSERT(mc_worst_z(impl, *mc_gen()) <= 1.0); }

RC_GTEST_PROP(OracleMonteCarlo, VelocityIsConditionalExpectation, ()) { mc_property(oracle_impl); }

TEST(OracleMonteCarlo, RejectsWideKernel) {
  EXPECT_FALSE(rc::check("mutant: weights at variance 2 sigma^2", [] { mc_property(mutant(Fault::wide_kernel)); }));
}

// ---------------------------------------------------------------------------------------------
// Symmetries.

// |a - b|, 0 when equal (also for equal infinities).
double gap(double a, double b) { return a == b ? 0 : std::abs(a - b); }

// Permutation invariance. Reordering Y only reorders the sums over j != k in the oracle: each term
// e_j (y_j - y_k) is the same number, so the offset m - y_k moves by at most 2 (n + 3) u D (1 - w_k)
// (D = max_j |y_j - y_k|), r = x - alpha m by alpha times that, and the log of the sum of the e_j by
// (n + 3) u. The logits and the margin are computed identically and must agree exactly, and so
// must the nearest centre (relabelled) unless the top logit is tied (margin 0, e.g. alpha = 0).
// Tolerances use 4 (n + d + 3) u to cover norms.
double permutation_excess(const Impl& impl, const Setting& c) {
  const Instance in = instantiate(c);
  const int n = c.spec.n;
  Rng rng(c.seed, 4);
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  for (int i = n - 1; i > 0; --i) std::swap(order[i], order[rng.index(i + 1)]);
  Mat permuted(in.data.rows(), in.data.cols());
  for (int i = 0; i < n; ++i) permuted.row(i) = in.data.row(order[i]);
  const Eval original = impl(in.data, in.schedule), reordered = impl(permuted, in.schedule);
  const Schedule& s = *in.schedule;
  const double t = in.t, alpha = s.alpha(t), sigma = s.sigma(t);
  const double rel = 4.0 * (n + c.spec.d + 3) * kUnit;
  double worst = 0;
  for (const Vec& x : in.points) {
    const FieldValue a = original(t, x), b = reordered(t, x);
    if (a.nearest < 0 || a.nearest >= n || b.nearest < 0 || b.nearest >= n || gap(a.margin, b.margin) != 0 ||
        (a.margin > 0 && order[b.nearest] != a.nearest))
      return kInf;
    const double spread = (in.data.rowwise() - in.data.row(a.nearest)).rowwise().stableNorm().maxCoeff();
    const double defect = 1 - a.wmax;
    const double tol_m = rel * (spread * defect + a.m.stableNorm());
    const double tol_r = rel * (std::abs(alpha) * spread * defect + sigma * sigma * a.s.stableNorm());
    const double tol_b = std::abs(s.dalpha(t)) * tol_m + std::abs(s.log_sigma_rate(t)) * tol_r + rel * a.b.stableNorm();
    const double tol_s = tol_r / (sigma * sigma) + rel * a.s.stableNorm();
    worst = worse(worst, ratio((a.m - b.m).stableNorm(), tol_m));
    worst = worse(worst, ratio((a.b - b.b).stableNorm(), tol_b));
    worst = worse(worst, ratio((a.s - b.s).stableNorm(), tol_s));
    worst = worse(worst, ratio(gap(a.wmax, b.wmax), rel * defect + kUnit));
    worst = worse(worst, ratio(gap(a.log_deficit, b.log_deficit), rel * (1 + std::abs(a.log_deficit))));
  }
  return worst;
}

void permutation_property(const Impl& impl) { RC_ASSERT(permutation_excess(impl, *setting_gen(64, 16)) <= 1.0); }

RC_GTEST_PROP(OracleSymmetry, PermutationInvariant, ()) { permutation_property(oracle_impl); }

TEST(OracleSymmetry, PermutationRejectsShiftedPairing) {
  EXPECT_FALSE(rc::check("mutant: weight k paired with y_{k+1}", [] { permutation_property(mutant(Fault::shifted_pairing)); }));
}

// Translation covariance. With Y + c and x + alpha c every difference is unchanged:
// (x + alpha c) - alpha (y_k + c) = x - alpha y_k, so w and r = x - alpha m are invariant, m moves
// by c, and
//   b*(t, x + alpha c; Y + c) = alpha' (m + c) + (sigma'/sigma) r = b*(t, x; Y) + alpha' c,
//   s*(t, x + alpha c; Y + c) = -r / sigma^2                      = s*(t, x; Y).
// Checked with inputs on dyadic grids (Y, c on 2^-10 with |.| < 2^10, alpha = 1 - t with t on
// 2^-30, x on 2^-40 with |x| < 2^11) so that Y + c and x + alpha c are exact. The oracle forms all
// it needs from the differences x - alpha y_k and y_j - y_k, which are then bitwise identical: s,
// the weights, margin and deficit must be equal; only m = y_k + offset and b round differently,
// by a few u (|m| + |m'|) and u (|alpha'| (|m| + |m'|) + |b| + |b'|).
struct ShiftSetting {
  TrainingSetSpec spec;
  std::string schedule;  // one with alpha = 1 - t
  double t;
  std::uint64_t seed;
};

void showValue(const ShiftSetting& c, std::ostream& os) {
  os << c.spec << " schedule=" << c.schedule << " t=" << c.t << " seed=" << c.seed;
}

double to_grid(double v, int bits) { return std::ldexp(std::round(std::ldexp(v, bits)), -bits); }

rc::Gen<ShiftSetting> shift_gen() {
  return rc::gen::apply(
      [](TrainingSetSpec spec, std::string schedule, double t, std::uint64_t seed) {
        return ShiftSetting{spec, std::move(schedule), std::max(to_grid(t, 30), std::ldexp(1.0, -30)), seed};
      },
      gen::training_set_spec(64, 16),
      rc::gen::element<std::string>("linear", "bridge:2", "bridge:0.5", "power:0.25", "power:0.5", "power:0.75"),
      gen::log_uniform(1e-9, 1.0), rc::gen::arbitrary<std::uint64_t>());
}

double translation_excess(const Impl& impl, const ShiftSetting& c) {
  const Setting base{c.spec, 0.0, c.schedule, 1.0, c.seed};
  Instance in = instantiate(base);  // points are regenerated below for the grid time
  const SchedulePtr schedule = make_schedule(c.schedule);
  const Schedule& s = *schedule;
  const double t = c.t, alpha = s.alpha(t), sigma = s.sigma(t), dalpha = s.dalpha(t);
  const int n = c.spec.n, d = c.spec.d;
  const Mat data = in.data.unaryExpr([](double v) { return to_grid(v, 10); });
  Rng rng(c.seed, 5);
  Vec shift(d);
  for (int j = 0; j < d; ++j) shift[j] = to_grid(1024 * (rng.uniform() - 0.5), 10);
  const Mat shifted = data.rowwise() + shift.transpose();
  std::vector<Vec> points;
  for (int i = 0; i < 3; ++i) points.push_back(alpha * data.row(rng.index(n)).transpose() + sigma * rng.normal_vector(d));
  points.push_back(alpha * data.colwise().mean().transpose() + rng.normal_vector(d));
  const Eval original = impl(data, schedule), moved = impl(shifted, schedule);
  double worst = 0;
  for (Vec& x : points) {
    x = x.unaryExpr([](double v) { return to_grid(v, 40); });
    const FieldValue a = original(t, x), b = moved(t, x + alpha * shift);
    if (a.nearest != b.nearest || gap(a.margin, b.margin) != 0 || gap(a.wmax, b.wmax) != 0 ||
        gap(a.log_deficit, b.log_deficit) != 0)
      return kInf;
    worst = worse(worst, ratio((b.s - a.s).stableNorm(), 0));
    worst = worse(worst, ratio((b.m - shift - a.m).stableNorm(), 4 * kUnit * (a.m.stableNorm() + b.m.stableNorm())));
    worst = worse(worst, ratio((b.b - dalpha * shift - a.b).stableNorm(),
                               8 * kUnit * (std::abs(dalpha) * (a.m.stableNorm() + b.m.stableNorm()) + a.b.stableNorm() + b.b.stableNorm())));
  }
  return worst;
}

void translation_property(const Impl& impl) { RC_ASSERT(translation_excess(impl, *shift_gen()) <= 1.0); }

RC_GTEST_PROP(OracleSymmetry, TranslationCovariant, ()) { translation_property(oracle_impl); }

TEST(OracleSymmetry, TranslationRejectsMissingAlpha) {
  EXPECT_FALSE(rc::check("mutant: residual x - m", [] { translation_property(mutant(Fault::missing_alpha)); }));
}

// ---------------------------------------------------------------------------------------------
// Score-velocity affine relation. From b* = alpha' m + (sigma'/sigma)(x - alpha m) and
// s* = -(x - alpha m) / sigma^2: x - alpha m = -sigma^2 s*, so b* = alpha' m - sigma sigma' s*.
// The oracle forms b and s from the same m and r with a few roundings each, so the two sides agree
// to 8 u (|alpha' m| + |sigma sigma' s|).
double affine_excess(const Impl& impl, const Setting& c) {
  const Instance in = instantiate(c);
  const Eval eval = impl(in.data, in.schedule);
  const Schedule& s = *in.schedule;
  const double dalpha = s.dalpha(in.t), ss = s.sigma_dsigma(in.t);
  double worst = 0;
  for (const Vec& x : in.points) {
    const FieldValue v = eval(in.t, x);
    worst = worse(worst, ratio((v.b - (dalpha * v.m - ss * v.s)).stableNorm(),
                               8 * kUnit * (std::abs(dalpha) * v.m.stableNorm() + std::abs(ss) * v.s.stableNorm())));
  }
  return worst;
}

void affine_property(const Impl& impl) { RC_ASSERT(affine_excess(impl, *setting_gen(64, 16)) <= 1.0); }

RC_GTEST_PROP(OracleAffine, VelocityIsAffineInScore, ()) { affine_property(oracle_impl); }

TEST(OracleAffine, RejectsScoreSign) {
  EXPECT_FALSE(rc::check("mutant: score sign", [] { affine_property(mutant(Fault::score_sign)); }));
}

// ---------------------------------------------------------------------------------------------
// Margin and weight deficit.

// 1 - w_k = w_k sum_{j != k} e^{l_j - l_k} <= (n - 1) e^{-u}, i.e. log_deficit <= log(n - 1) - margin.
// Rounding: each e^{l_j - l_k} <= e^{-u} (1 + 2u) (the exponent rounds monotonically), the sum of
// n - 1 terms gains (n - 2) u, the logs u (1 + |log|): slack (n + 4) u (1 + |log_deficit| + u).
// Below e^-708 exp underflows gradually and each term is accurate only to 2^-1075 absolute, so the
// bound becomes (n - 1)(e^-u + 2^-1074). n = 1: margin +inf, deficit 0 (log -inf), wmax 1.
double bound_excess(const Impl& impl, const Setting& c) {
  const Instance in = instantiate(c);
  const Eval eval = impl(in.data, in.schedule);
  const int n = c.spec.n;
  double worst = 0;
  for (const Vec& x : in.points) {
    const FieldValue v = eval(in.t, x);
    if (n == 1) {
      if (!(v.margin == kInf && v.log_deficit == -kInf && v.wmax == 1 && v.nearest == 0)) return kInf;
      continue;
    }
    const double subnormal = -1074 * std::numbers::ln2, top = std::max(-v.margin, subnormal);
    const double bound = std::log(n - 1.0) + top + std::log(std::exp(-v.margin - top) + std::exp(subnormal - top));
    const double slack = v.log_deficit - bound;
    worst = worse(worst, slack <= 0 ? 0 : slack / ((n + 4) * kUnit * (1 + std::abs(v.log_deficit) + v.margin)));
  }
  return worst;
}

void bound_property(const Impl& impl) { RC_ASSERT(bound_excess(impl, *setting_gen(64, 16)) <= 1.0); }

RC_GTEST_PROP(OracleMargin, DeficitBoundedByMargin, ()) { bound_property(oracle_impl); }

TEST(OracleMargin, BoundRejectsFarthestMargin) {
  EXPECT_FALSE(rc::check("mutant: margin to the farthest centre", [] { bound_property(mutant(Fault::farthest_margin)); }));
}

// exp(log_deficit) = 1 - wmax where that is representable (wmax < 1): wmax = 1 / (1 + e) rounds
// once and 1 - wmax is then exact, log_deficit carries a few u (1 + |log_deficit|) absolute, so
// they agree to 2u + 8u (1 + |log_deficit|)(1 - wmax). wmax == 1 means e <= u, log_deficit <= log u.
double deficit_excess(const Impl& impl, const Setting& c) {
  const Instance in = instantiate(c);
  const Eval eval = impl(in.data, in.schedule);
  double worst = 0;
  for (const Vec& x : in.points) {
    const FieldValue v = eval(in.t, x);
    if (v.wmax == 1) {
      worst = worse(worst, v.log_deficit <= std::log(kUnit) * (1 - 1e-12) ? 0 : kInf);
      continue;
    }
    const double defect = 1 - v.wmax;
    worst = worse(worst, ratio(std::abs(std::exp(v.log_deficit) - defect),
                               2 * kUnit + 8 * kUnit * (1 + std::abs(v.log_deficit)) * defect));
  }
  return worst;
}

void deficit_property(const Impl& impl) { RC_ASSERT(deficit_excess(impl, *setting_gen(64, 16)) <= 1.0); }

RC_GTEST_PROP(OracleMargin, LogDeficitMatchesWeight, ()) { deficit_property(oracle_impl); }

TEST(OracleMargin, LogDeficitRejectsMissingNormaliser) {
  EXPECT_FALSE(rc::check("mutant: log deficit without log1p", [] { deficit_property(mutant(Fault::no_log1p)); }));
}

TEST(OracleMargin, SinglePointIsOneHot) {
  const Mat data = (Mat(1, 3) << 0.5, -2.0, 3.0).finished();
  const SchedulePtr schedule = make_schedule("trig");
  const OracleField field(data, schedule);
  const double t = 0.3, alpha = schedule->alpha(t), sigma = schedule->sigma(t);
  const Vec x = (Vec(3) << 1.0, 2.0, -1.0).finished();
  FieldValue v;
  field.evaluate(t, x, v);
  EXPECT_EQ(v.nearest, 0);
  EXPECT_EQ(v.margin, kInf);
  EXPECT_EQ(v.log_deficit, -kInf);
  EXPECT_EQ(v.wmax, 1.0);
  EXPECT_EQ(v.m, data.row(0).transpose());
  const Vec r = x - alpha * data.row(0).transpose();
  // One-hot: b = alpha' y + (sigma'/sigma) r and s = -r / sigma^2 up to a few roundings.
  EXPECT_LE((v.b - (schedule->dalpha(t) * v.m + schedule->log_sigma_rate(t) * r)).stableNorm(), 8 * kUnit * (v.b.stableNorm() + r.stableNorm() / sigma));
  EXPECT_LE((v.s + r / (sigma * sigma)).stableNorm(), 8 * kUnit * v.s.stableNorm());
}

// nearest_point: argmin of the squared distances |x - y_k|^2 over the columns, lowest index on
// ties, and that distance (its square root: (d + 2) u relative).
TEST(OracleMargin, NearestPointIsArgminWithLowestIndexOnTies) {
  const auto gen = setting_gen(64, 16);
  for (std::uint64_t i = 0; i < 200; ++i) {
    const Instance in = instantiate(draw(gen, i));
    Mat columns = in.data.transpose();
    const int n = static_cast<int>(columns.cols());
    columns.conservativeResize(Eigen::NoChange, n + 1);
    columns.col(n) = columns.col(0);  // a duplicate of y_0: a tie that must resolve to index 0
    for (const Vec& x : in.points) {
      const auto [k, distance] = nearest_point(columns, x);
      ASSERT_GE(k, 0);
      ASSERT_LT(k, n);
      const double best = (x - columns.col(k)).squaredNorm();
      ASSERT_LE(std::abs(distance - std::sqrt(best)), (columns.rows() + 2) * kUnit * distance) << "case " << i;
      for (int j = 0; j <= n; ++j) ASSERT_LE(best, (x - columns.col(j)).squaredNorm()) << "case " << i;
      for (int j = 0; j < k; ++j) ASSERT_LT(best, (x - columns.col(j)).squaredNorm()) << "case " << i;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Entry points: evaluate, velocity, score and posterior_at run the same arithmetic, so they must
// agree bit for bit; evaluate_batch is evaluate_columns transposed.
TEST(OracleEntryPoints, AgreeExactly) {
  const auto gen = setting_gen(64, 16);
  for (std::uint64_t i = 0; i < 200; ++i) {
    const Instance in = instantiate(draw(gen, i));
    const OracleField field(in.data, in.schedule);
    Mat batch(static_cast<Eigen::Index>(in.points.size()), field.dim());
    for (std::size_t r = 0; r < in.points.size(); ++r) batch.row(r) = in.points[r].transpose();
    FieldBatch out;
    field.evaluate_batch(in.t, batch, out);
    ColumnBatch columns;
    field.evaluate_columns(in.t, batch.transpose(), columns);
    ASSERT_EQ(out.b, columns.b.transpose());
    ASSERT_EQ(out.s, columns.s.transpose());
    ASSERT_EQ(out.m, columns.m.transpose());
    ASSERT_EQ(out.nearest, columns.nearest);
    ASSERT_EQ(out.wmax, columns.wmax);
    ASSERT_EQ(out.log_deficit, columns.log_deficit);
    ASSERT_EQ(out.margin, columns.margin);
    for (std::size_t r = 0; r < in.points.size(); ++r) {
      const Vec& x = in.points[r];
      FieldValue v;
      field.evaluate(in.t, x, v);
      Vec b(field.dim()), sc(field.dim());
      field.velocity(in.t, x, b);
      field.score(in.t, x, sc);
      Posterior p;
      field.posterior_at(in.t, x, p);
      ASSERT_EQ(b, v.b) << "case " << i;
      ASSERT_EQ(sc, v.s) << "case " << i;
      ASSERT_EQ(p.m, v.m) << "case " << i;
      ASSERT_EQ(p.nearest, v.nearest) << "case " << i;
    }
  }
}

// The batched kernel over a batch larger than a chunk, at a time where weights spread (GEMM logits
// and the GEMM mean) and where they are one-hot (direct differences): bit-identical for 1, 2 and 3
// threads; where every kept logit was recomputed directly it equals the direct kernel bit for bit,
// and the certificate of the left-out centres is below the double range.
TEST(OracleBatch, ThreadCountInvariantAndDirectWhereRecomputed) {
  const Mat data = test::random_data(300, 24, 1.0, 7);
  const OracleField field(data, make_schedule("trig"));
  Rng rng(11, 2);
  for (double t : {0.9, 0.3, 0.02}) {
    const double alpha = field.schedule().alpha(t), sigma = field.schedule().sigma(t);
    Mat x(24, 150);
    for (Eigen::Index i = 0; i < x.cols(); ++i)
      x.col(i) = alpha * field.points().col(rng.index(300)) + sigma * rng.normal_vector(24);
    ColumnBatch one, two, three;
    field.evaluate_columns(t, x, one, 1);
    field.evaluate_columns(t, x, two, 2);
    field.evaluate_columns(t, x, three, 3);
    ASSERT_EQ(one.b, two.b);
    ASSERT_EQ(one.b, three.b);
    ASSERT_EQ(one.s, three.s);
    ASSERT_EQ(one.margin, three.margin);
    int compared = 0;
    for (Eigen::Index i = 0; i < x.cols(); ++i) {
      EXPECT_LT(one.log_skipped[i], std::log(std::numeric_limits<double>::denorm_min()));
      if (one.direct[i] < one.candidates[i] || one.gemm_mean[i]) continue;
      FieldValue v;
      field.evaluate(t, x.col(i), v);
      ASSERT_EQ(one.nearest[i], v.nearest) << "t=" << t << " column " << i;
      ASSERT_EQ(one.b.col(i), v.b) << "t=" << t << " column " << i;
      // The single-point kernel forms logits relative to the nearest centre, the batch absolute
      // ones: the margins agree to the rounding of the two logits subtracted.
      const double sigma = field.schedule().sigma(t);
      const double top = (x.col(i) - field.schedule().alpha(t) * field.points().col(v.nearest))
                             .squaredNorm() / (2 * sigma * sigma);
      const double eps = std::numeric_limits<double>::epsilon();
      ASSERT_LE(std::abs(one.margin[i] - v.margin), 4 * eps * (2 * top + std::abs(v.margin)))
          << "t=" << t << " column " << i;
      ++compared;
    }
    if (t == 0.02) {
      EXPECT_GT(compared, 0);
    }
  }
}

// A non-finite point goes through the direct kernel and stays non-finite, without touching the
// other columns.
TEST(OracleBatch, NonFiniteColumnStaysNonFinite) {
  const Mat data = test::random_data(20, 3, 1.0, 3);
  const OracleField field(data, make_schedule("linear"));
  Mat x = Mat::Zero(3, 2);
  x(1, 0) = std::nan("");
  ColumnBatch out;
  field.evaluate_columns(0.5, x, out);
  EXPECT_FALSE(out.b.col(0).allFinite());
  EXPECT_TRUE(out.b.col(1).allFinite());
  FieldValue v;
  field.evaluate(0.5, x.col(1), v);
  EXPECT_LE((out.b.col(1) - v.b).norm(), 1e-14 * v.b.norm());
}

TEST(OracleEntryPoints, RejectInvalidInput) {
  const SchedulePtr linear = make_schedule("linear");
  EXPECT_THROW(OracleField(Mat(0, 2), linear), std::invalid_argument);
  EXPECT_THROW(OracleField(Mat(2, 0), linear), std::invalid_argument);
  EXPECT_THROW(OracleField((Mat(1, 2) << 0.0, std::nan("")).finished(), linear), std::invalid_argument);
  EXPECT_THROW(OracleField((Mat(1, 2) << 0.0, kInf).finished(), linear), std::invalid_argument);
  EXPECT_THROW(OracleField(Mat::Zero(1, 2), nullptr), std::invalid_argument);
  const OracleField field(Mat::Zero(3, 2), linear);
  FieldBatch out;
  EXPECT_THROW(field.evaluate_batch(0.5, Mat::Zero(4, 3), out), std::invalid_argument);
}

}  // namespace
}  // namespace siv
