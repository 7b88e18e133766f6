// Error models: every property is checked on the model and on a mutant that the same check rejects.
#include "theory/error_models.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <string>

#include "theory/random.hpp"
#include "support.hpp"

namespace siv {
namespace {

constexpr double kEps = std::numeric_limits<double>::epsilon();
using ErrorFn = std::function<void(double, const Vec&, Vec&)>;
using ScalarFn = std::function<double(double, const Vec&)>;

using test::random_data;

ErrorFn error_of(const EstimatedField& f) {
  return [&f](double t, const Vec& x, Vec& e) {
    e.resize(f.dim());
    f.error(t, x, e);
  };
}

// Brute-force mixture density (1/n) sum_k N(x; alpha y_k, var I), no log-sum-exp: only for points
// where nothing underflows.
double direct_density(const Mat& points, double alpha, double var, const Vec& x) {
  double sum = 0;
  for (Eigen::Index k = 0; k < points.cols(); ++k)
    sum += std::exp(-(x - alpha * points.col(k)).squaredNorm() / (2 * var));
  return sum / points.cols() / std::pow(2 * std::numbers::pi * var, 0.5 * x.size());
}

// ---------------------------------------------------------------------------------------------
// Factory

TEST(ErrorModelFactory, ParsesEveryKindAndNamesRoundTrip) {
  const OracleField oracle(random_data(4, 2, 1.0, 1), make_schedule("linear"));
  const Vec x = Vec::LinSpaced(2, -0.3, 0.4);
  for (const std::string spec :
       {"none", "rff:0.5", "rff:0.5:16:0.7", "singular:0.3", "density:0.1", "density:-0.1:50",
        "smooth:0.2", "learned:0.001:16:256", "learned:1e-2:8:64:0.05:0.5"}) {
    SCOPED_TRACE(spec);
    const auto f = make_error_model(spec, oracle, 7);
    const auto g = make_error_model(f->name(), oracle, 7);
    EXPECT_EQ(g->name(), f->name());
    Vec e1(2), e2(2);
    f->error(0.3, x, e1);
    g->error(0.3, x, e2);
    EXPECT_EQ(e1, e2);
    EXPECT_EQ(f->dim(), 2);
    EXPECT_EQ(&f->oracle(), &oracle);
  }
}

TEST(ErrorModelFactory, RejectsBadSpecsNamingThem) {
  const OracleField oracle(random_data(3, 2, 1.0, 1), make_schedule("linear"));
  for (const std::string spec : {"",
                                 "bogus",
                                 "none:1",
                                 "rff",
                                 "rff:-1",
                                 "rff:x",
                                 "rff:1:0",
                                 "rff:1:2.5",
                                 "rff:1:8:0",
                                 "rff:1:8:1:9",
                                 "singular",
                                 "singular:inf",
                                 "singular:1:2",
                                 "density:1:0.5",
                                 "density:nan",
                                 "smooth:-0.1",
                                 "smooth:",
                                 "learned:0",
                                 "learned:1e-3:8:0",
                                 "learned:1e-3:8:16:1",
                                 "learned:1e-3:8:16:0.1:-1",
                                 "learned:1e-3:8:16:0.1:1:2"}) {
    SCOPED_TRACE(spec);
    try {
      make_error_model(spec, oracle, 0);
      ADD_FAILURE() << "accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("'" + spec + "'"), std::string::npos) << e.what();
    }
  }
}

TEST(ErrorModelFactory, OnlyTheExactModelSettles) {
  const OracleField oracle(random_data(1, 2, 1.0, 2), make_schedule("linear"));
  const double t = 1e-3;
  const Vec x = (1 - t) * oracle.points().col(0) + t * Vec::Ones(2);
  EXPECT_EQ(make_error_model("none", oracle, 0)->settled(t, x), 0);
  for (const char* spec : {"rff:0.1", "singular:0.1", "density:0.1", "smooth:0.1"})
    EXPECT_EQ(make_error_model(spec, oracle, 0)->settled(t, x), -1) << spec;
}

// ---------------------------------------------------------------------------------------------
// Shared pieces

TEST(MixtureMoments, MatchBruteForceWeights) {
  const Mat data = random_data(5, 3, 1.0, 3);
  const OracleField oracle(data, make_schedule("linear"));
  Rng rng(4);
  MixtureMoments mm;
  for (int trial = 0; trial < 50; ++trial) {
    const double alpha = rng.uniform(), var = 0.05 + rng.uniform();
    const Vec x = rng.normal_vector(3);
    mixture_moments(oracle.points(), alpha, var, x, mm);
    // Direct weights: fine at these moderate logits.
    Vec w(5);
    for (int k = 0; k < 5; ++k)
      w[k] = std::exp(-(x - alpha * oracle.points().col(k)).squaredNorm() / (2 * var));
    const double mean_kernel = w.mean();
    w /= w.sum();
    const Vec m = oracle.points() * w;
    double spread = 0;
    for (int k = 0; k < 5; ++k) spread += w[k] * (oracle.points().col(k) - m).squaredNorm();
    EXPECT_NEAR(mm.log_mean_kernel, std::log(mean_kernel),
                1e-13 * (1 + std::abs(std::log(mean_kernel))));
    EXPECT_LE((mm.mean - m).norm(), 1e-13 * (1 + m.norm()));
    EXPECT_LE((mm.residual - (x - alpha * m)).norm(), 1e-13 * (1 + x.norm()));
    EXPECT_NEAR(mm.spread, spread, 1e-12 * (1 + spread));
  }
}

// Central differences at h and h/2; Richardson gives a reference with O(h^4) error and
// |D(h) - D(h/2)| (about (3/4) C h^2) estimates the error of D(h) itself, independently of the
// code under test. Rounding of each evaluation adds about eps |f| / h.
struct FdDivergence {
  double value, tolerance;
};
FdDivergence fd_divergence(const ErrorFn& f, double t, const Vec& x, double h) {
  const auto central = [&](double step, double& size) {
    double div = 0;
    Vec plus, minus;
    for (Eigen::Index i = 0; i < x.size(); ++i) {
      Vec xp = x, xm = x;
      xp[i] += step;
      xm[i] -= step;
      f(t, xp, plus);
      f(t, xm, minus);
      div += (plus[i] - minus[i]) / (2 * step);
      size = std::max({size, plus.norm(), minus.norm()});
    }
    return div;
  };
  double size = 0;
  const double coarse = central(h, size), fine = central(h / 2, size);
  const double reference = (4 * fine - coarse) / 3;
  return {reference, 2 * std::abs(coarse - fine) + 1e3 * kEps * size * x.size() / h};
}

TEST(OracleDivergence, MatchesFiniteDifferences) {
  const OracleField oracle(random_data(4, 2, 1.0, 5), make_schedule("trig"));
  Rng rng(6);
  for (int trial = 0; trial < 30; ++trial) {
    const double t = 0.1 + 0.9 * rng.uniform();
    const Vec x = rng.normal_vector(2);
    const auto fd = fd_divergence(
        [&](double tt, const Vec& xx, Vec& b) {
          b.resize(2);
          oracle.velocity(tt, xx, b);
        },
        t, x, 1e-3);
    EXPECT_NEAR(oracle_divergence(oracle, t, x), fd.value, fd.tolerance) << "t " << t;
  }
}

// ---------------------------------------------------------------------------------------------
// Random Fourier features

// Points where |e| exceeds `bound` beyond the rounding of a sum of `terms` cosines; t covers (0, 1]
// and x a wide box.
int sup_violations(const ErrorFn& e, int d, double bound, int terms, std::uint64_t seed,
                   int points) {
  Rng rng(seed, 2);
  const double tolerance = bound * 4 * (terms + d) * kEps;
  Vec v;
  int bad = 0;
  for (int i = 0; i < points; ++i) {
    const double t = 1 - rng.uniform();
    const Vec x = 10 * rng.normal_vector(d);
    e(t, x, v);
    if (!(v.norm() <= bound + tolerance)) ++bad;
  }
  return bad;
}

RC_GTEST_PROP(RandomFourierError, SupNormBoundHolds, ()) {
  const int d = *rc::gen::inRange(1, 9);
  const int features = *rc::gen::inRange(1, 200);
  const double amplitude = std::pow(10.0, *rc::gen::inRange(-8, 9) / 2.0);
  const double length = std::pow(10.0, *rc::gen::inRange(-4, 5) / 2.0);
  const auto seed = *rc::gen::arbitrary<std::uint64_t>();
  const OracleField oracle(random_data(2, d, 1.0, seed), make_schedule("linear"));
  const RandomFourierError f(oracle, amplitude, features, length, seed);
  RC_ASSERT(f.sup_bound() == amplitude);
  RC_ASSERT(sup_violations(error_of(f), d, amplitude, features, seed, 300) == 0);
}

// Mutant: coefficients normalised by the l2 instead of the l1 norm of |g_j|, i.e. e scaled by
// sum_j |a_j| / sqrt(sum_j |a_j|^2) > 1.
TEST(RandomFourierError, SupCheckRejectsL2Normalisation) {
  for (std::uint64_t seed = 0; seed < 5; ++seed) {
    const OracleField oracle(random_data(3, 2, 1.0, seed), make_schedule("linear"));
    const RandomFourierError f(oracle, 0.5, 32, 1.0, seed);
    const Vec norms = f.coefficients().colwise().norm().transpose();
    const double scale = norms.sum() / norms.norm();
    const ErrorFn mutant = [&](double t, const Vec& x, Vec& e) {
      error_of(f)(t, x, e);
      e *= scale;
    };
    EXPECT_EQ(sup_violations(error_of(f), 2, 0.5, 32, seed, 3000), 0);
    EXPECT_GT(sup_violations(mutant, 2, 0.5, 32, seed, 3000), 0) << "seed " << seed;
  }
}

TEST(RandomFourierError, ReproducibleFromSeed) {
  const OracleField oracle(random_data(3, 3, 1.0, 8), make_schedule("vp"));
  const RandomFourierError a(oracle, 1.0, 16, 0.5, 42), b(oracle, 1.0, 16, 0.5, 42),
      c(oracle, 1.0, 16, 0.5, 43);
  Rng rng(9);
  Vec ea(3), eb(3), ec(3);
  for (int i = 0; i < 20; ++i) {
    const double t = rng.uniform();
    const Vec x = rng.normal_vector(3);
    a.error(t, x, ea);
    b.error(t, x, eb);
    c.error(t, x, ec);
    EXPECT_EQ(ea, eb);
    EXPECT_GT((ea - ec).norm(), 0);
  }
  EXPECT_EQ(a.parameters().back().key, "seed");
  EXPECT_EQ(a.parameters().back().value, "42");
}

// Over random pairs, the largest of |e(x + h u) - e(x)| / (L h) and
// |e(x + h u) - 2 e(x) + e(x - h u)| / (K h^2), rounding allowed for. A field with
// |de/dx| <= L and |d2e/dx2| <= K keeps both <= 1 (integral forms of Taylor's remainder).
double smoothness_ratio(const ErrorFn& e, int d, double lipschitz, double curvature, double h,
                        double rounding, std::uint64_t seed, int pairs) {
  Rng rng(seed, 3);
  Vec e0, ep, em;
  double worst = 0;
  for (int i = 0; i < pairs; ++i) {
    const double t = 1 - rng.uniform();
    const Vec x = 3 * rng.normal_vector(d);
    Vec u = rng.normal_vector(d);
    u /= u.norm();
    e(t, x, e0);
    e(t, x + h * u, ep);
    e(t, x - h * u, em);
    const double first = std::max((ep - e0).norm() - 2 * rounding, 0.0) / (lipschitz * h);
    const double second =
        std::max((ep - 2 * e0 + em).norm() - 4 * rounding, 0.0) / (curvature * h * h);
    if (!(first <= worst)) worst = first;  // NaN propagates as a failure
    if (!(second <= worst)) worst = second;
  }
  return worst;
}

TEST(RandomFourierError, SmoothWithProvableBoundsAndSquareWaveMutantFails) {
  const int d = 2, features = 32;
  const double amplitude = 0.8;
  const OracleField oracle(random_data(3, d, 1.0, 10), make_schedule("linear"));
  const RandomFourierError f(oracle, amplitude, features, 0.7, 11);
  const double omega = f.max_frequency();
  const double lipschitz = amplitude * omega, curvature = amplitude * omega * omega;
  const double h = 1e-3 / omega, rounding = amplitude * 4 * (features + d) * kEps;
  EXPECT_LE(smoothness_ratio(error_of(f), d, lipschitz, curvature, h, rounding, 12, 5000), 1.0);
  // Mutant: each cosine replaced by its sign, a bounded but discontinuous field.
  const ErrorFn square = [&](double t, const Vec& x, Vec& e) {
    const Vec angle = f.frequencies().transpose() * x + t * f.time_frequencies() + f.phases();
    e = f.coefficients() * angle.array().cos().sign().matrix();
  };
  EXPECT_GT(smoothness_ratio(square, d, lipschitz, curvature, h, rounding, 12, 5000), 1.0);
}

// ---------------------------------------------------------------------------------------------
// Singular family

// Largest |e - c v sigma'/sigma| / |c sigma'/sigma| over random (t, x), sigma' from dsigma.
double singular_deviation(const ErrorFn& e, const Schedule& s, double c, const Vec& v,
                          std::uint64_t seed) {
  Rng rng(seed, 4);
  Vec out;
  double worst = 0;
  for (int i = 0; i < 200; ++i) {
    const double t = std::pow(10.0, -6 * rng.uniform());
    const Vec x = rng.normal_vector(static_cast<int>(v.size()));
    e(t, x, out);
    const double rate = s.dsigma(t) / s.sigma(t);
    const double dev = (out - c * rate * v).norm() / std::abs(c * rate);
    if (!(dev <= worst)) worst = dev;
  }
  return worst;
}

TEST(SingularError, EqualsScaledLogSigmaRateAndWrongSignFails) {
  for (const std::string spec : {"linear", "trig", "bridge:2", "vp:0.1:20", "power:0.3"}) {
    SCOPED_TRACE(spec);
    const OracleField oracle(random_data(4, 3, 1.0, 13), make_schedule(spec));
    const SingularError f(oracle, -0.7, 14);
    EXPECT_NEAR(f.direction().norm(), 1.0, 4 * kEps);
    EXPECT_LE(singular_deviation(error_of(f), oracle.schedule(), -0.7, f.direction(), 15),
              8 * kEps);
    const ErrorFn flipped = [&](double t, const Vec& x, Vec& e) {
      error_of(f)(t, x, e);
      e = -e;
    };
    EXPECT_GT(singular_deviation(flipped, oracle.schedule(), -0.7, f.direction(), 15), 1.0);
  }
}

// With one training point the weights are one-hot, and the derivation in error_models.hpp gives the
// path Z(t) = alpha y + sigma(t) (D1 + c v) / sigma(1) - c v from Z(1) = alpha(1) y + D1. Check
// that it solves dZ/dt = b^(t, Z) with its exact derivative, so Z(0) = y - c v.
double singular_path_residual(const Field& f, const Vec& y, const Vec& d1, const Vec& shift,
                              const Schedule& s) {
  Vec b(y.size());
  double worst = 0;
  const Vec k = (d1 - shift) / s.sigma(1.0);  // shift = -c v
  for (int i = 0; i <= 100; ++i) {
    const double t = std::pow(10.0, -3.0 * i / 100);
    const Vec z = s.alpha(t) * y + s.sigma(t) * k + shift;
    const Vec dz = s.dalpha(t) * y + s.dsigma(t) * k;
    f.velocity(t, z, b);
    const double scale = (1 + s.log_sigma_rate(t)) * (y.norm() + k.norm() + shift.norm() + 1);
    const double dev = (b - dz).norm() / (64 * kEps * scale);
    if (!(dev <= worst)) worst = dev;
  }
  return worst;
}

TEST(SingularError, PathEndsShiftedByMinusCvAndWrongSignFails) {
  for (const std::string spec : {"linear", "trig", "bridge:2", "vp:0.1:20"}) {
    SCOPED_TRACE(spec);
    const OracleField oracle(random_data(1, 2, 2.0, 16), make_schedule(spec));
    const Vec y = oracle.points().col(0);
    const Vec d1 = Rng(17).normal_vector(2);
    const SingularError f(oracle, 0.4, 18), mutant(oracle, -0.4, 18);
    EXPECT_LE((f.endpoint_shift() + 0.4 * f.direction()).norm(), 0.0);
    EXPECT_LE(singular_path_residual(f, y, d1, f.endpoint_shift(), oracle.schedule()), 1.0);
    // Mutant: e with the wrong sign; the same path (shift -c v) no longer solves its ODE.
    EXPECT_GT(singular_path_residual(mutant, y, d1, f.endpoint_shift(), oracle.schedule()), 1e6);
  }
}

// ---------------------------------------------------------------------------------------------
// Inverse-density error

// Extreme but representable points: t down to 1e-100, |x| up to 1e6.
int non_finite_or_out_of_range(const ErrorFn& e, double c, double cap, int d) {
  Rng rng(19, 5);
  Vec out;
  int bad = 0;
  for (int i = 0; i < 2000; ++i) {
    const double t = std::pow(10.0, -100 * rng.uniform() * rng.uniform());
    const Vec x = std::pow(10.0, 6 * rng.uniform()) * rng.normal_vector(d);
    e(t, x, out);
    const double size = out.norm();
    if (!(size >= std::abs(c) * (1 - 4 * kEps) && size <= std::abs(c) * cap * (1 + 4 * kEps)))
      ++bad;
  }
  return bad;
}

TEST(InverseDensityError, FiniteAndBoundedEverywhereTestedAndUncappedMutantFails) {
  const OracleField oracle(random_data(5, 2, 1.0, 20), make_schedule("linear"));
  const InverseDensityError f(oracle, 0.3, 1e4, 21);
  EXPECT_EQ(non_finite_or_out_of_range(error_of(f), 0.3, 1e4, 2), 0);
  bool reports_cap = false;
  for (const auto& p : f.parameters()) reports_cap |= p.key == "cap" && p.value == "10000";
  EXPECT_TRUE(reports_cap);
  // Mutant: 1/r without the cap overflows (or leaves the stated range) far from the data.
  const ErrorFn uncapped = [&](double t, const Vec& x, Vec& e) {
    e = 0.3 * std::exp(-f.log_relative_density(t, x)) * f.direction();
  };
  EXPECT_GT(non_finite_or_out_of_range(uncapped, 0.3, 1e4, 2), 0);
}

// Largest relative deviation of |e(x1)| / |e(x2)| from rho(x2) / rho(x1) (brute-force densities)
// over uncapped pairs with clearly different densities.
double density_ratio_deviation(const ErrorFn& e, const InverseDensityError& f, std::uint64_t seed) {
  Rng rng(seed, 6);
  const Schedule& s = f.schedule();
  const int d = f.dim();
  Vec e1, e2;
  double worst = 0;
  int tested = 0;
  while (tested < 200) {
    const double t = 0.2 + 0.8 * rng.uniform();
    const double alpha = s.alpha(t), var = s.sigma(t) * s.sigma(t);
    const Vec x1 =
        alpha * f.points().col(rng.index(f.points().cols())) + s.sigma(t) * rng.normal_vector(d);
    const Vec x2 =
        alpha * f.points().col(rng.index(f.points().cols())) + s.sigma(t) * rng.normal_vector(d);
    if (f.capped(t, x1) || f.capped(t, x2)) continue;
    const double ratio =
        direct_density(f.points(), alpha, var, x2) / direct_density(f.points(), alpha, var, x1);
    if (std::abs(std::log(ratio)) < 0.01) continue;
    ++tested;
    e(t, x1, e1);
    e(t, x2, e2);
    const double dev = std::abs(e1.norm() / e2.norm() / ratio - 1);
    if (!(dev <= worst)) worst = dev;
  }
  return worst;
}

TEST(InverseDensityError, InverselyProportionalToDensityAndSqrtMutantFails) {
  const OracleField oracle(random_data(4, 3, 1.0, 22), make_schedule("trig"));
  const InverseDensityError f(oracle, -0.2, 1e3, 23);
  // Rounding: logits of size <= ~50 here each carry ~eps relative error, so log ratios ~1e-13.
  EXPECT_LE(density_ratio_deviation(error_of(f), f, 24), 1e-11);
  const ErrorFn sqrt_mutant = [&](double t, const Vec& x, Vec& e) {
    e = -0.2 * std::exp(-0.5 * f.log_relative_density(t, x)) * f.direction();
  };
  EXPECT_GT(density_ratio_deviation(sqrt_mutant, f, 24), 1e-3);
}

TEST(InverseDensityError, KeepsMarginalsWhereUncapped) {
  // rho e is constant in x, so div(rho e) / rho = div e + s* . e = 0; the cap breaks it.
  const OracleField oracle(random_data(3, 2, 1.0, 25), make_schedule("linear"));
  const InverseDensityError f(oracle, 0.5, 1e6, 26);
  Rng rng(27);
  for (int i = 0; i < 50; ++i) {
    const double t = 0.1 + 0.9 * rng.uniform();
    const Vec x = (1 - t) * oracle.points().col(rng.index(3)) + t * rng.normal_vector(2);
    ASSERT_FALSE(f.capped(t, x));
    const double div = f.error_divergence(t, x);
    EXPECT_NEAR(log_ratio_rate(f, t, x), 0.0, 1e-12 * (1 + std::abs(div)));
  }
}

// ---------------------------------------------------------------------------------------------
// Kernel-smoothed oracle

// dm/dV at V = sigma^2 and the W^2 coefficient of e, from scratch with long double weights.
Vec smoothing_coefficient(const OracleField& oracle, double t, const Vec& x) {
  const Schedule& s = oracle.schedule();
  const double alpha = s.alpha(t), sigma = s.sigma(t);
  const int n = oracle.size();
  std::vector<long double> w(n), q(n);
  long double top = -1e300L, total = 0;
  for (int k = 0; k < n; ++k) {
    q[k] = (x - alpha * oracle.points().col(k)).squaredNorm() / (2 * std::pow(sigma, 4));
    top = std::max(top, -q[k] * sigma * sigma);
  }
  for (int k = 0; k < n; ++k) total += w[k] = std::exp(-q[k] * sigma * sigma - top);
  long double qbar = 0;
  for (int k = 0; k < n; ++k) qbar += (w[k] /= total) * q[k];
  Vec dm = Vec::Zero(x.size()), m = Vec::Zero(x.size());
  for (int k = 0; k < n; ++k) {
    dm += static_cast<double>(w[k] * (q[k] - qbar)) * oracle.points().col(k);
    m += static_cast<double>(w[k]) * oracle.points().col(k);
  }
  return s.kappa(t) * dm - (s.dsigma(t) / std::pow(sigma, 3)) * (x - alpha * m);
}

using WidthErrorFn = std::function<void(double, double, const Vec&, Vec&)>;  // (W, t, x, e)

// |e(W) / W^2 - D| / |D| at W = W0 / 2^i, i = 0..3.
std::vector<double> smoothing_deviations(const WidthErrorFn& e, double t, const Vec& x,
                                         const Vec& coefficient, double w0) {
  std::vector<double> out;
  Vec v;
  for (int i = 0; i < 4; ++i) {
    const double w = w0 / (1 << i);
    e(w, t, x, v);
    out.push_back((v / (w * w) - coefficient).norm() / coefficient.norm());
  }
  return out;
}

// e = W^2 D + O(W^4): the deviations shrink by 4 + O(W^2) per halving and end small.
bool second_order(const std::vector<double>& dev) {
  for (std::size_t i = 0; i + 1 < dev.size(); ++i) {
    const double ratio = dev[i] / dev[i + 1];
    if (!(ratio > 3.5 && ratio < 4.5)) return false;
  }
  return dev.back() < 1e-2;
}

// The mutant widens with variance sigma^2 W^2 instead of sigma^2 + W^2.
void product_variance_error(const OracleField& oracle, double w, double t, const Vec& x, Vec& e) {
  const Schedule& s = oracle.schedule();
  const double alpha = s.alpha(t), var = s.sigma(t) * s.sigma(t) * w * w;
  MixtureMoments mm;
  mixture_moments(oracle.points(), alpha, var, x, mm);
  Vec exact(x.size());
  oracle.velocity(t, x, exact);
  e = s.dalpha(t) * mm.mean + (s.sigma_dsigma(t) / var) * mm.residual - exact;
}

TEST(SmoothedField, TendsToOracleAtSecondOrderAndProductVarianceMutantFails) {
  for (const std::string spec : {"linear", "vp:0.1:20", "bridge:2"}) {
    SCOPED_TRACE(spec);
    const OracleField oracle(random_data(4, 2, 1.0, 28), make_schedule(spec));
    const Schedule& s = oracle.schedule();
    const WidthErrorFn real = [&](double w, double t, const Vec& x, Vec& e) {
      e.resize(x.size());
      SmoothedField(oracle, w).error(t, x, e);
    };
    const WidthErrorFn mutant = [&](double w, double t, const Vec& x, Vec& e) {
      product_variance_error(oracle, w, t, x, e);
    };
    Rng rng(29);
    for (int trial = 0; trial < 5; ++trial) {
      const double t = 0.2 + 0.6 * rng.uniform();
      const Vec x =
          s.alpha(t) * oracle.points().col(rng.index(4)) + s.sigma(t) * rng.normal_vector(2);
      const Vec coefficient = smoothing_coefficient(oracle, t, x);
      const double w0 = 0.05 * s.sigma(t);
      const auto dev = smoothing_deviations(real, t, x, coefficient, w0);
      EXPECT_TRUE(second_order(dev)) << testing::PrintToString(dev);
      EXPECT_FALSE(second_order(smoothing_deviations(mutant, t, x, coefficient, w0)));
    }
  }
}

// log (rho_t * N(0, W^2 I))(x) in 2-D by the trapezoid rule over the kernel on [-10W, 10W]^2. The
// integrand is a product of Gaussians of width >= sigma W / sqrt(sigma^2 + W^2) ~ 0.26 here, far
// wider than the node spacing W / 12, so the rule is accurate to rounding; truncation ~exp(-50).
double brute_smoothed_log_density(const Mat& points, double alpha, double sigma, double w,
                                  const Vec& x) {
  const int nodes = 241;
  const double half = 10 * w, h = 2 * half / (nodes - 1);
  double sum = 0;
  Vec z(2);
  for (int i = 0; i < nodes; ++i)
    for (int j = 0; j < nodes; ++j) {
      z << -half + i * h, -half + j * h;
      const double kernel =
          std::exp(-z.squaredNorm() / (2 * w * w)) / (2 * std::numbers::pi * w * w);
      sum += direct_density(points, alpha, sigma * sigma, x - z) * kernel;
    }
  return std::log(sum * h * h);
}

// Largest |s(x) - grad log p(x)| / (1 + |grad log p|), the gradient of the brute-force density by
// central differences with step 1e-4 (truncation ~1e-8 |third derivative| ~ 1e-7 here, rounding
// ~1e-11).
double smoothed_score_deviation(const ErrorFn& score, const OracleField& oracle, double t,
                                double w) {
  const Schedule& s = oracle.schedule();
  Rng rng(30);
  const double step = 1e-4;
  double worst = 0;
  Vec out;
  for (int trial = 0; trial < 4; ++trial) {
    const Vec x = s.alpha(t) * oracle.points().col(rng.index(oracle.size())) +
                  s.sigma(t) * rng.normal_vector(2);
    Vec grad(2);
    for (int i = 0; i < 2; ++i) {
      Vec xp = x, xm = x;
      xp[i] += step;
      xm[i] -= step;
      grad[i] = (brute_smoothed_log_density(oracle.points(), s.alpha(t), s.sigma(t), w, xp) -
                 brute_smoothed_log_density(oracle.points(), s.alpha(t), s.sigma(t), w, xm)) /
                (2 * step);
    }
    score(t, x, out);
    const double dev = (out - grad).norm() / (1 + grad.norm());
    if (!(dev <= worst)) worst = dev;
  }
  return worst;
}

TEST(SmoothedField, ScoreIsBruteForceScoreOfWidenedMixtureAndProductVarianceMutantFails) {
  const OracleField oracle(random_data(4, 2, 1.0, 31), make_schedule("linear"));
  const double w = 0.3, t = 0.5;
  const SmoothedField f(oracle, w);
  const ErrorFn score = [&](double tt, const Vec& x, Vec& out) {
    out.resize(2);
    f.score(tt, x, out);
  };
  const ErrorFn mutant = [&](double tt, const Vec& x, Vec& out) {
    const Schedule& s = oracle.schedule();
    const double var = s.sigma(tt) * s.sigma(tt) * w * w;
    MixtureMoments mm;
    mixture_moments(oracle.points(), s.alpha(tt), var, x, mm);
    out = -mm.residual / var;
  };
  EXPECT_LE(smoothed_score_deviation(score, oracle, t, w), 1e-6);
  EXPECT_GT(smoothed_score_deviation(mutant, oracle, t, w), 1e-2);
}

// Residual of the continuity equation d/dt log p + div b + b . grad log p = 0 for the widened
// density p = rho_t * N(0, W^2 I), relative to the size of its terms. d/dt by central differences
// (step 1e-5: truncation ~1e-11, rounding ~1e-11 |log p|); grad log p = s_W, checked against brute
// force above.
double continuity_deviation(const ErrorFn& velocity, const ScalarFn& divergence,
                            const SmoothedField& f, std::uint64_t seed) {
  const Schedule& s = f.schedule();
  const int d = f.dim();
  const auto log_p = [&](double t, const Vec& x) {
    MixtureMoments mm;
    mixture_moments(f.points(), s.alpha(t), f.variance(t), x, mm);
    return mm.log_mean_kernel - 0.5 * d * std::log(2 * std::numbers::pi * f.variance(t));
  };
  Rng rng(seed, 7);
  double worst = 0;
  Vec b, score(d);
  for (int trial = 0; trial < 50; ++trial) {
    const double t = 0.05 + 0.9 * rng.uniform();
    const Vec x = s.alpha(t) * f.points().col(rng.index(f.points().cols())) +
                  std::sqrt(f.variance(t)) * rng.normal_vector(d);
    const double step = 1e-5;
    const double dt_log_p = (log_p(t + step, x) - log_p(t - step, x)) / (2 * step);
    velocity(t, x, b);
    f.score(t, x, score);
    const double div = divergence(t, x), transport = b.dot(score);
    const double dev = std::abs(dt_log_p + div + transport) /
                       (1 + std::abs(dt_log_p) + std::abs(div) + std::abs(transport));
    if (!(dev <= worst)) worst = dev;
  }
  return worst;
}

TEST(SmoothedField, VelocitySolvesContinuityOfSmoothedDensitiesAndUnwidenedRateMutantFails) {
  for (const std::string spec : {"linear", "trig", "vp:0.1:20"}) {
    SCOPED_TRACE(spec);
    const OracleField oracle(random_data(3, 2, 1.0, 32), make_schedule(spec));
    const Schedule& s = oracle.schedule();
    const SmoothedField f(oracle, 0.25);
    const ErrorFn velocity = [&](double t, const Vec& x, Vec& b) {
      b.resize(2);
      f.velocity(t, x, b);
    };
    const ScalarFn divergence = [&](double t, const Vec& x) {
      return f.error_divergence(t, x) + oracle_divergence(oracle, t, x);
    };
    EXPECT_LE(continuity_deviation(velocity, divergence, f, 33), 1e-6);
    // Mutant: the widened mean but the unwidened rate sigma'/sigma, with its own exact divergence.
    const auto moments = [&](double t, const Vec& x) {
      MixtureMoments mm;
      mixture_moments(oracle.points(), s.alpha(t), f.variance(t), x, mm);
      return mm;
    };
    const ErrorFn mutant_velocity = [&](double t, const Vec& x, Vec& b) {
      const auto mm = moments(t, x);
      b = s.dalpha(t) * mm.mean + s.log_sigma_rate(t) * mm.residual;
    };
    const ScalarFn mutant_divergence = [&](double t, const Vec& x) {
      const auto mm = moments(t, x);
      const double div_mean = s.alpha(t) * mm.spread / f.variance(t);
      return s.dalpha(t) * div_mean + s.log_sigma_rate(t) * (2 - s.alpha(t) * div_mean);
    };
    EXPECT_GT(continuity_deviation(mutant_velocity, mutant_divergence, f, 33), 1e-3);
  }
}

// ---------------------------------------------------------------------------------------------
// Score conventions

// Largest |alpha b - alpha' x - kappa_V V s| relative to its terms, V = sigma^2 + W^2 and
// kappa_V = alpha' - alpha sigma sigma' / V (W = 0: the oracle's relation between b* and s*).
double affine_deviation(const ErrorFn& velocity, const ErrorFn& score, const Schedule& s, double w,
                        int d, std::uint64_t seed) {
  Rng rng(seed, 8);
  Vec b, sc;
  double worst = 0;
  for (int i = 0; i < 200; ++i) {
    const double t = 0.02 + 0.98 * rng.uniform();
    const Vec x = 2 * rng.normal_vector(d);
    velocity(t, x, b);
    score(t, x, sc);
    const double var = s.sigma(t) * s.sigma(t) + w * w;
    const double kappa = s.dalpha(t) - s.alpha(t) * s.sigma_dsigma(t) / var;
    const Vec lhs = s.alpha(t) * b, rhs = s.dalpha(t) * x + kappa * var * sc;
    const double dev = (lhs - rhs).norm() / (64 * kEps * (lhs.norm() + rhs.norm() + 1));
    if (!(dev <= worst)) worst = dev;
  }
  return worst;
}

TEST(ScoreConvention, ImpliedMeanScoreKeepsAffineRelationAndUnperturbedScoreMutantFails) {
  const OracleField oracle(random_data(4, 2, 1.0, 34), make_schedule("trig"));
  for (const char* spec : {"rff:0.5:8", "singular:0.3", "density:0.2:100"}) {
    SCOPED_TRACE(spec);
    const auto f = make_error_model(spec, oracle, 35);
    const ErrorFn velocity = [&](double t, const Vec& x, Vec& b) {
      b.resize(2);
      f->velocity(t, x, b);
    };
    const ErrorFn score = [&](double t, const Vec& x, Vec& s) {
      s.resize(2);
      f->score(t, x, s);
    };
    const ErrorFn oracle_score = [&](double t, const Vec& x, Vec& s) {
      s.resize(2);
      oracle.score(t, x, s);
    };
    EXPECT_LE(affine_deviation(velocity, score, oracle.schedule(), 0, 2, 36), 1.0);
    EXPECT_GT(affine_deviation(velocity, oracle_score, oracle.schedule(), 0, 2, 36), 1e3);
  }
}

TEST(ScoreConvention, SmoothedPairIsTheWidenedOraclePair) {
  const OracleField oracle(random_data(4, 2, 1.0, 37), make_schedule("linear"));
  const SmoothedField f(oracle, 0.2);
  const ErrorFn velocity = [&](double t, const Vec& x, Vec& b) {
    b.resize(2);
    f.velocity(t, x, b);
  };
  const ErrorFn score = [&](double t, const Vec& x, Vec& s) {
    s.resize(2);
    f.score(t, x, s);
  };
  EXPECT_LE(affine_deviation(velocity, score, oracle.schedule(), 0.2, 2, 38), 1.0);
  // The unwidened relation (W = 0 in the check) does not hold for the smoothed pair.
  EXPECT_GT(affine_deviation(velocity, score, oracle.schedule(), 0, 2, 38), 1e3);
  // And the error is the velocity difference.
  Vec e(2), b(2), bstar(2);
  const Vec x = Vec::LinSpaced(2, 0.1, 0.7);
  f.error(0.4, x, e);
  f.velocity(0.4, x, b);
  oracle.velocity(0.4, x, bstar);
  EXPECT_EQ(e, b - bstar);
}

// ---------------------------------------------------------------------------------------------
// Divergences and the density-ratio rate

// Over random points: how often div disagrees with finite differences, and how often |div|
// exceeds 10 tolerances (there a wrong sign must show).
struct DivergenceCounts {
  int bad = 0, significant = 0;
};
DivergenceCounts check_divergence(const ErrorFn& e, const ScalarFn& div, const EstimatedField& f,
                                  double h, std::uint64_t seed) {
  const Schedule& s = f.schedule();
  Rng rng(seed, 9);
  DivergenceCounts out;
  for (int i = 0; i < 40; ++i) {
    const double t = 0.1 + 0.9 * rng.uniform();
    const Vec x = s.alpha(t) * f.points().col(rng.index(f.points().cols())) +
                  s.sigma(t) * rng.normal_vector(f.dim());
    const auto fd = fd_divergence(e, t, x, h);
    const double value = div(t, x);
    if (!(std::abs(value - fd.value) <= fd.tolerance)) ++out.bad;
    if (std::abs(fd.value) > 10 * fd.tolerance) ++out.significant;
  }
  return out;
}

TEST(ErrorDivergence, MatchesFiniteDifferencesAndSignMutantFails) {
  const OracleField oracle(random_data(4, 3, 1.0, 39), make_schedule("linear"));
  for (const char* spec : {"rff:0.5:16:0.7", "density:0.2:1e6", "smooth:0.3", "singular:0.5"}) {
    SCOPED_TRACE(spec);
    const auto f = make_error_model(spec, oracle, 40);
    const ScalarFn div = [&](double t, const Vec& x) { return f->error_divergence(t, x); };
    const ScalarFn flipped = [&](double t, const Vec& x) { return -f->error_divergence(t, x); };
    const auto real = check_divergence(error_of(*f), div, *f, 1e-3, 41);
    EXPECT_EQ(real.bad, 0);
    if (std::string(spec).rfind("singular", 0) == 0) continue;  // div e = 0: nothing to flip
    EXPECT_GT(real.significant, 20);
    EXPECT_GE(check_divergence(error_of(*f), flipped, *f, 1e-3, 41).bad, real.significant);
  }
}

// In 1-D the law of the estimated ODE path is explicit: p_t(Z_t(z)) = rho_1(z) / Z_t'(z). Integrate
// the flow by RK4 from t = 1 (4000 steps, error ~1e-14) for z and z +- delta (flow derivative by
// central differences, error ~delta^2 = 1e-8) together with L' = -rate, and compare
// log p_t - log rho_t at Z_t with L(t) = int_t^1 rate.
struct FlowLogRatio {
  double from_flow, from_rate;
};
FlowLogRatio flow_log_ratio(const EstimatedField& f, const ScalarFn& rate, double z, double t_end) {
  const Schedule& s = f.schedule();
  const int steps = 4000;
  const double delta = 1e-4, dt = -(1 - t_end) / steps;
  Eigen::Vector4d state(z - delta, z + delta, z, 0);
  const auto deriv = [&](double t, const Eigen::Vector4d& y) {
    Eigen::Vector4d out;
    Vec x(1), b(1);
    for (int i = 0; i < 3; ++i) {
      x[0] = y[i];
      f.velocity(t, x, b);
      out[i] = b[0];
    }
    x[0] = y[2];
    out[3] = -rate(t, x);
    return out;
  };
  double t = 1;
  for (int i = 0; i < steps; ++i) {
    const Eigen::Vector4d k1 = deriv(t, state), k2 = deriv(t + dt / 2, state + dt / 2 * k1),
                          k3 = deriv(t + dt / 2, state + dt / 2 * k2),
                          k4 = deriv(t + dt, state + dt * k3);
    state += dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4);
    t = 1 + (i + 1) * dt;
  }
  const Vec start = Vec::Constant(1, z), end = Vec::Constant(1, state[2]);
  const double log_p =
      std::log(direct_density(f.points(), s.alpha(1.0), s.sigma(1.0) * s.sigma(1.0), start)) -
      std::log((state[1] - state[0]) / (2 * delta));
  const double log_rho =
      std::log(direct_density(f.points(), s.alpha(t_end), s.sigma(t_end) * s.sigma(t_end), end));
  return {log_p - log_rho, state[3]};
}

TEST(LogRatioRate, IntegratesToTheFlowDensityRatioAndDropTermMutantFails) {
  Mat data(3, 1);
  data << -1.0, 0.5, 2.0;
  for (const std::string spec : {"linear", "vp:0.1:20"}) {
    SCOPED_TRACE(spec);
    const OracleField oracle(data, make_schedule(spec));
    for (const char* model : {"rff:1:8:1", "smooth:0.3"}) {
      SCOPED_TRACE(model);
      const auto f = make_error_model(model, oracle, 42);
      const ScalarFn rate = [&](double t, const Vec& x) { return log_ratio_rate(*f, t, x); };
      const ScalarFn div_only = [&](double t, const Vec& x) { return f->error_divergence(t, x); };
      for (const double z : {-1.3, 0.2, 0.9}) {
        const auto real = flow_log_ratio(*f, rate, z, 0.25);
        EXPECT_NEAR(real.from_flow, real.from_rate, 1e-6) << "z " << z;
        const auto mutant = flow_log_ratio(*f, div_only, z, 0.25);
        EXPECT_GT(std::abs(mutant.from_flow - mutant.from_rate), 1e-4) << "z " << z;
      }
    }
  }
}

}  // namespace
}  // namespace siv
