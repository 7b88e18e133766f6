// Estimated fields b^ = b* + e on a training set (THEORY.md C4-C7).
//
// An EstimatedField is a Field built on an OracleField. Beyond the Field interface it exposes
//   | expression               | meaning                                                      |
//   | f.error(t, x, e)         | e(t, x) = b^(t, x) - b*(t, x)                                |
//   | f.error_divergence(t, x) | div_x e(t, x) (closed form per model)                        |
//   | f.name()                 | canonical spec that make_error_model parses back             |
//   | f.parameters()           | key/value pairs for reports (seed included where drawn)      |
// settled() is -1: an estimated path has no closed-form finish (only `none` keeps the oracle's).
//
// Score convention. b* = (sigma'/sigma) x + kappa m and s* = -(x - alpha m) / sigma^2 share the
// posterior mean m (kappa = alpha' - alpha sigma'/sigma, nonzero for every catalogue schedule).
// Unless a model says otherwise its score is the one implied by the same perturbed mean
// m^ = m + e / kappa:  s^ = s* + alpha e / (kappa sigma^2). Equivalently, for every t and x,
//   alpha b^ = alpha' x + kappa sigma^2 s^        (the oracle's affine relation, kept).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "theory/field.hpp"

namespace siv {

// Values are exact text: numbers in shortest round-trip form, seeds as full 64-bit integers.
struct ModelParameter {
  std::string key;
  std::string value;
};

// The mixture (1/n) sum_k N(alpha y_k, var I) at x, with weights w_k by log-sum-exp.
struct MixtureMoments {
  double log_mean_kernel = 0;  // log (1/n) sum_k exp(-|x - alpha y_k|^2 / 2 var)
                               //   = log density + (d/2) log(2 pi var)
  Vec mean;                    // posterior mean sum_k w_k y_k
  Vec residual;                // x - alpha mean = (x - alpha y_near) - alpha (mean - y_near)
  double spread = 0;           // trace of the posterior covariance, sum_k w_k |y_k - mean|^2
};
// points: d x n (column k is y_k); var > 0.
void mixture_moments(const Mat& points, double alpha, double var, const ConstVecRef& x,
                     MixtureMoments& out);

// div_x b*(t, x) = d sigma'/sigma + kappa div m, with dm/dx = (alpha / sigma^2) Cov_w(y).
double oracle_divergence(const OracleField& oracle, double t, const ConstVecRef& x);

class EstimatedField : public Field {
 public:
  explicit EstimatedField(const OracleField& oracle) : oracle_(oracle) {}
  int dim() const final { return oracle_.dim(); }
  const Schedule& schedule() const final { return oracle_.schedule(); }
  const Mat& points() const final { return oracle_.points(); }
  int settled(double, const ConstVecRef&) const override { return -1; }
  void velocity(double t, const ConstVecRef& x, VecRef b) const override;  // b* + e
  void score(double t, const ConstVecRef& x, VecRef s) const override;     // implied-mean score

  virtual void error(double t, const ConstVecRef& x, VecRef e) const = 0;
  virtual double error_divergence(double t, const ConstVecRef& x) const = 0;
  virtual std::string name() const = 0;
  virtual std::vector<ModelParameter> parameters() const = 0;
  const OracleField& oracle() const { return oracle_; }

 private:
  const OracleField& oracle_;
};

// e = 0: the oracle itself behind the EstimatedField interface; keeps the oracle's settled().
class ExactField final : public EstimatedField {
 public:
  using EstimatedField::EstimatedField;
  int settled(double t, const ConstVecRef& x) const override;
  void velocity(double t, const ConstVecRef& x, VecRef b) const override;
  void score(double t, const ConstVecRef& x, VecRef s) const override;
  void error(double, const ConstVecRef&, VecRef e) const override { e.setZero(); }
  double error_divergence(double, const ConstVecRef&) const override { return 0; }
  std::string name() const override { return "none"; }
  std::vector<ModelParameter> parameters() const override { return {}; }
};

// Bounded smooth random field (random Fourier features, J of them):
//   e(t, x) = sum_j a_j cos(w_j . x + c_j t + phi_j),  a_j = A g_j / sum_l |g_l|,
// g_j ~ N(0, I_d), w_j ~ N(0, I_d / ell^2), c_j ~ N(0, 1), phi_j ~ U[0, 2 pi), all from the seed.
// Since |cos| <= 1, |e| <= sum_j |a_j| = A everywhere (the l1 normalisation is what makes the bound
// provable; an l2 normalisation does not). Lipschitz in x with constant A max_j |w_j|.
class RandomFourierError final : public EstimatedField {
 public:
  RandomFourierError(const OracleField& oracle, double amplitude, int features, double length,
                     std::uint64_t seed);
  void error(double t, const ConstVecRef& x, VecRef e) const override;
  double error_divergence(double t, const ConstVecRef& x) const override;
  std::string name() const override;
  std::vector<ModelParameter> parameters() const override;

  double sup_bound() const { return amplitude_; }  // sup_{t,x} |e| <= A
  double max_frequency() const;                    // max_j |w_j|
  // sqrt(sum_j |a_j|^2 / 2): the root mean square of |e| over x for distinct frequencies, the
  // typical size (the l1 normalisation makes it about A / sqrt(J), far below the bound).
  double rms() const;
  const Mat& coefficients() const { return coeff_; }     // d x J, column j is a_j
  const Mat& frequencies() const { return freq_; }       // d x J, column j is w_j
  const Vec& time_frequencies() const { return rate_; }  // c_j
  const Vec& phases() const { return phase_; }           // phi_j

 private:
  double amplitude_, length_;
  std::uint64_t seed_;
  Mat coeff_, freq_;
  Vec rate_, phase_, coeff_dot_freq_;  // a_j . w_j, for the divergence
};

// The singular family e = c v sigma'/sigma, v a unit vector drawn uniformly from the seed.
// Endpoint shift (C4): in the one-hot regime on y_k, b* = alpha' y_k + (sigma'/sigma) D with
// D = Z - alpha y_k, so D' = (sigma'/sigma) D + e and (D/sigma)' = e/sigma. From t to t0,
//   D(t) = sigma(t) D(t0)/sigma(t0) - c v sigma(t) int_t^t0 sigma'/sigma^2
//        = sigma(t) (D(t0) + c v)/sigma(t0) - c v  ->  -c v  as t -> 0,
// so Z_0 = y_k - c v exactly, provided the weights stay one-hot on k along the way (as t -> 0 this
// needs y_k - c v strictly inside the Voronoi cell of y_k).
class SingularError final : public EstimatedField {
 public:
  SingularError(const OracleField& oracle, double c, std::uint64_t seed);
  void error(double t, const ConstVecRef& x, VecRef e) const override;
  double error_divergence(double, const ConstVecRef&) const override { return 0; }
  std::string name() const override;
  std::vector<ModelParameter> parameters() const override;
  double scale() const { return c_; }
  const Vec& direction() const { return v_; }  // v, |v| = 1
  Vec endpoint_shift() const { return -c_ * v_; }

 private:
  double c_;
  std::uint64_t seed_;
  Vec v_;
};

// A singular error whose direction turns with log sigma (the cancelling counterpart of the singular
// family): e = c (sigma'/sigma) (cos(w log sigma) u + sin(w log sigma) v), u, v orthonormal from the
// seed (v = 0 when d = 1). With s = log(1/sigma), sigma(t) int_t^1 e/sigma ds = c e^{-S} int^S e^s
// R(-s) ds, whose size tends to c / sqrt(1 + w^2) (d >= 2) while A -> c: the no-cancellation
// ratio of C7 is 1 / sqrt(1 + w^2), and the endpoint keeps turning as t -> 0.
class RotatingSingularError final : public EstimatedField {
 public:
  RotatingSingularError(const OracleField& oracle, double c, double omega, std::uint64_t seed);
  void error(double t, const ConstVecRef& x, VecRef e) const override;
  double error_divergence(double, const ConstVecRef&) const override { return 0; }
  std::string name() const override;
  std::vector<ModelParameter> parameters() const override;
  double no_cancellation_ratio() const { return 1.0 / std::sqrt(1.0 + omega_ * omega_); }

 private:
  double c_, omega_;
  std::uint64_t seed_;
  Vec u_, v_;
};

// Error inversely proportional to the mixture density, in units of its peak:
//   r(t, x) = (2 pi sigma^2)^(d/2) rho_t(x) = (1/n) sum_k exp(-|x - alpha y_k|^2 / 2 sigma^2),
//   e(t, x) = c v min(1/r, cap),   v a unit vector drawn from the seed.
// r lies in (0, 1], so |c| <= |e| <= |c| cap. e is exactly proportional to 1/rho_t wherever
// 1/r < cap; the cap (reported in parameters()) keeps it finite where r underflows. log r is a
// log-sum-exp. Where uncapped, rho_t e = c v (2 pi sigma^2)^(-d/2) does not depend on x, so
// div(rho_t e) = 0: the perturbed flow keeps the marginals rho_t (the density-ratio rate is 0).
class InverseDensityError final : public EstimatedField {
 public:
  InverseDensityError(const OracleField& oracle, double c, double cap, std::uint64_t seed);
  void error(double t, const ConstVecRef& x, VecRef e) const override;
  double error_divergence(double t, const ConstVecRef& x) const override;
  std::string name() const override;
  std::vector<ModelParameter> parameters() const override;
  double log_relative_density(double t, const ConstVecRef& x) const;  // log r
  bool capped(double t, const ConstVecRef& x) const;                  // 1/r >= cap
  const Vec& direction() const { return v_; }

 private:
  double c_, cap_;
  std::uint64_t seed_;
  Vec v_;
};

// Kernel-smoothed oracle of width W. rho_t convolved with N(0, W^2 I) is the mixture
// (1/n) sum_k N(alpha y_k, V I), V = sigma^2 + W^2 (variances of independent Gaussians add).
// Its own score and velocity replace the oracle's (not the implied-mean convention):
//   s_W = -(x - alpha m_V) / V,    b_W = alpha' m_V + (sigma sigma' / V)(x - alpha m_V),
// m_V the posterior mean at variance V. (alpha, sqrt V) is a schedule, with
// (sqrt V)' = sigma sigma' / sqrt V, so (b_W, s_W) is the oracle pair of the widened path: b_W
// satisfies the continuity equation of the smoothed densities, and
//   alpha b_W = alpha' x + kappa_V V s_W,   kappa_V = alpha' - alpha sigma sigma' / V.
// As W -> 0, e = b_W - b* = W^2 (kappa dm/dV - (sigma'/sigma^3)(x - alpha m)) + O(W^4), with
// dm/dV = Cov_w(y, q), q_k = |x - alpha y_k|^2 / (2 sigma^4).
class SmoothedField final : public EstimatedField {
 public:
  SmoothedField(const OracleField& oracle, double width);
  void velocity(double t, const ConstVecRef& x, VecRef b) const override;
  void score(double t, const ConstVecRef& x, VecRef s) const override;
  void error(double t, const ConstVecRef& x, VecRef e) const override;
  double error_divergence(double t, const ConstVecRef& x) const override;
  std::string name() const override;
  std::vector<ModelParameter> parameters() const override;
  double width() const { return width_; }
  double variance(double t) const;  // V = sigma(t)^2 + W^2

 private:
  double width_;
};

// Spec grammar (numbers in any from_chars form; the seed feeds every random draw):
//   none                                             e = 0
//   rff:AMP[:FEATURES[:LENGTH]]                      AMP >= 0, FEATURES >= 1 (32), LENGTH > 0 (1)
//   singular:C                                       any finite C
//   rotating:C:OMEGA                                 any finite C and OMEGA
//   density:C[:CAP]                                  any finite C, CAP >= 1 (1000)
//   smooth:W                                         W >= 0
//   learned:LAMBDA[:FEATURES[:SAMPLES[:TMIN[:LENGTH]]]]  see theory/learned.hpp for the defaults
// Throws std::invalid_argument naming the spec and the offending field.
std::unique_ptr<EstimatedField> make_error_model(std::string_view spec, const OracleField& oracle,
                                                 std::uint64_t seed);

// Adds an error-model kind that make_error_model builds with factory(spec, oracle, seed), spec the
// whole text ("kind:fields"); the factory throws std::invalid_argument for bad fields. Throws
// std::invalid_argument when the kind is built in or already registered. Not thread-safe:
// register before use.
using ErrorModelFactory = std::function<std::unique_ptr<EstimatedField>(
    std::string_view spec, const OracleField& oracle, std::uint64_t seed)>;
void register_error_model(const std::string& kind, ErrorModelFactory factory);

struct MonteCarloEstimate {
  double mean = 0;
  double std_error = 0;  // sample standard deviation / sqrt(samples)
  int samples = 0;
};

// Excess loss int_{t_min}^1 E_{x ~ rho_t} |b^(t, x) - b*(t, x)|^2 dt of any field against the
// oracle of the same training set and schedule: t ~ U[t_min, 1], k uniform, x = alpha y_k +
// sigma xi (rho_t sampled exactly), integrand (1 - t_min) |b^ - b*|^2.
// Needs 0 < t_min < 1 and samples >= 2.
MonteCarloEstimate excess_loss(const Field& estimate, const OracleField& oracle, double t_min,
                               int samples, std::uint64_t seed);

// Rate of the log density ratio between the law p_t of the estimated ODE path and rho_t.
// Along a characteristic dZ/dt = b^, the continuity equations give d/dt log p_t(Z_t) = -div b^ and
// d/dt log rho_t(Z_t) = -div b* + s* . e, so for Z_1 ~ rho_1
//   log (p_t / rho_t)(Z_t) = int_t^1 (div e + s* . e)(s, Z_s) ds = int_t^1 div(rho e)/rho ds.
// A solver integrating it as an extra state gets the concentrability C4 needs (sup or moments of
// p_t / rho_t along sampled paths). This returns the integrand div e + s* . e at (t, x).
double log_ratio_rate(const EstimatedField& f, double t, const ConstVecRef& x);

}  // namespace siv
