#include "theory/error_models.hpp"

#include <charconv>
#include <cmath>
#include <map>
#include <numbers>
#include <stdexcept>

#include "theory/learned.hpp"
#include "theory/random.hpp"

namespace siv {
namespace {

// Seed streams: each kind of draw gets its own, so models with the same seed stay independent.
constexpr std::uint64_t kRffStream = 0x72666665ull;
constexpr std::uint64_t kDirectionStream = 0x64697265ull;
constexpr std::uint64_t kExcessStream = 0x65786373ull;

std::string format_number(double v) {
  char buffer[32];
  auto end = std::to_chars(buffer, buffer + sizeof buffer, v).ptr;
  return std::string(buffer, end);
}

std::string format_vector(const Vec& v) {
  std::string out = "[";
  for (Eigen::Index i = 0; i < v.size(); ++i) out += (i ? ", " : "") + format_number(v[i]);
  return out + "]";
}

// Uniform direction on the unit sphere (a standard normal vector is nonzero with probability 1).
Vec unit_direction(int d, std::uint64_t seed) {
  Rng rng(seed, kDirectionStream);
  Vec v = rng.normal_vector(d);
  return v / v.norm();
}

// Parsing of "kind:field:field...".
class SpecParser {
 public:
  explicit SpecParser(std::string_view spec) : spec_(spec) {
    std::size_t start = 0;
    while (true) {
      const std::size_t colon = spec.find(':', start);
      fields_.push_back(spec.substr(start, colon - start));
      if (colon == std::string_view::npos) break;
      start = colon + 1;
    }
  }
  std::string_view kind() const { return fields_[0]; }
  void arity(std::size_t min_args, std::size_t max_args, const char* grammar) const {
    const std::size_t args = fields_.size() - 1;
    if (args < min_args || args > max_args)
      fail(std::string("expected ") + grammar + ", got " + std::to_string(args) + " field(s)");
  }
  bool has(std::size_t i) const { return i < fields_.size(); }
  double number(std::size_t i, const char* what) const {
    const std::string_view text = fields_[i];
    double value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value))
      fail(std::string(what) + " '" + std::string(text) + "' is not a finite number");
    return value;
  }
  int count(std::size_t i, const char* what) const {
    const std::string_view text = fields_[i];
    int value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < 1)
      fail(std::string(what) + " '" + std::string(text) + "' is not an integer >= 1");
    return value;
  }
  [[noreturn]] void fail(const std::string& why) const {
    throw std::invalid_argument("error model '" + std::string(spec_) + "': " + why);
  }

 private:
  std::string_view spec_;
  std::vector<std::string_view> fields_;
};

}  // namespace

void mixture_moments(const Mat& points, double alpha, double var, const ConstVecRef& x,
                     MixtureMoments& out) {
  const Eigen::Index n = points.cols(), d = points.rows();
  thread_local Vec logits, diff;
  logits.resize(n);
  diff.resize(d);
  // Differences rounded once (fma), as in the oracle: no cancellation at small var.
  for (Eigen::Index k = 0; k < n; ++k) {
    for (Eigen::Index j = 0; j < d; ++j) diff[j] = std::fma(-alpha, points(j, k), x[j]);
    logits[k] = -diff.squaredNorm() / (2 * var);
  }
  Eigen::Index best = 0;
  logits.maxCoeff(&best);
  const double top = logits[best];
  thread_local Vec offset;  // m - y_best, accurate near one-hot weights
  offset.setZero(d);
  double others = 0;
  for (Eigen::Index k = 0; k < n; ++k) {
    if (k == best) continue;
    const double w = std::exp(logits[k] - top);
    others += w;
    offset += w * (points.col(k) - points.col(best));
  }
  const double total = 1.0 + others;
  offset /= total;
  out.residual.resize(d);
  out.log_mean_kernel = top + std::log1p(others) - std::log(static_cast<double>(n));
  out.mean = points.col(best) + offset;
  for (Eigen::Index j = 0; j < d; ++j)
    out.residual[j] = std::fma(-alpha, points(j, best), x[j]) - alpha * offset[j];
  double spread = offset.squaredNorm() / total;
  for (Eigen::Index k = 0; k < n; ++k) {
    if (k == best) continue;
    spread += std::exp(logits[k] - top) / total *
              (points.col(k) - points.col(best) - offset).squaredNorm();
  }
  out.spread = spread;
}

double oracle_divergence(const OracleField& oracle, double t, const ConstVecRef& x) {
  const Schedule& s = oracle.schedule();
  const double alpha = s.alpha(t), var = s.sigma(t) * s.sigma(t);
  thread_local MixtureMoments mm;
  mixture_moments(oracle.points(), alpha, var, x, mm);
  return oracle.dim() * s.log_sigma_rate(t) + s.kappa(t) * alpha * mm.spread / var;
}

void EstimatedField::velocity(double t, const ConstVecRef& x, VecRef b) const {
  thread_local Vec e;
  e.resize(dim());
  oracle_.velocity(t, x, b);
  error(t, x, e);
  b += e;
}

void EstimatedField::score(double t, const ConstVecRef& x, VecRef s) const {
  thread_local Vec e;
  e.resize(dim());
  const Schedule& sc = schedule();
  const double sigma = sc.sigma(t);
  oracle_.score(t, x, s);
  error(t, x, e);
  s += (sc.alpha(t) / (sc.kappa(t) * sigma * sigma)) * e;
}

int ExactField::settled(double t, const ConstVecRef& x) const {
  return OracleVelocity(oracle()).settled(t, x);
}
void ExactField::velocity(double t, const ConstVecRef& x, VecRef b) const {
  oracle().velocity(t, x, b);
}
void ExactField::score(double t, const ConstVecRef& x, VecRef s) const { oracle().score(t, x, s); }

RandomFourierError::RandomFourierError(const OracleField& oracle, double amplitude, int features,
                                       double length, std::uint64_t seed)
    : EstimatedField(oracle), amplitude_(amplitude), length_(length), seed_(seed) {
  if (!(amplitude >= 0) || !std::isfinite(amplitude))
    throw std::invalid_argument("rff: amplitude must be finite and >= 0, got " +
                                format_number(amplitude));
  if (features < 1) throw std::invalid_argument("rff: need at least one feature");
  if (!(length > 0) || !std::isfinite(length))
    throw std::invalid_argument("rff: length must be finite and > 0, got " + format_number(length));
  const int d = oracle.dim();
  Rng rng(seed, kRffStream);
  coeff_.resize(d, features);
  freq_.resize(d, features);
  rate_.resize(features);
  phase_.resize(features);
  for (int j = 0; j < features; ++j) {
    coeff_.col(j) = rng.normal_vector(d);
    freq_.col(j) = rng.normal_vector(d) / length;
    rate_[j] = rng.normal();
    phase_[j] = 2 * std::numbers::pi * rng.uniform();
  }
  const double l1 = coeff_.colwise().norm().sum();  // > 0 with probability 1
  coeff_ *= amplitude / l1;
  coeff_dot_freq_ = (coeff_.array() * freq_.array()).colwise().sum().transpose();
}

void RandomFourierError::error(double t, const ConstVecRef& x, VecRef e) const {
  thread_local Vec angle;
  angle.noalias() = freq_.transpose() * x;
  angle += t * rate_ + phase_;
  angle = angle.array().cos();
  e.noalias() = coeff_ * angle;
}

double RandomFourierError::error_divergence(double t, const ConstVecRef& x) const {
  thread_local Vec angle;
  angle.noalias() = freq_.transpose() * x;
  angle += t * rate_ + phase_;
  return -coeff_dot_freq_.dot(angle.array().sin().matrix());
}

double RandomFourierError::rms() const { return std::sqrt(coeff_.squaredNorm() / 2); }

double RandomFourierError::max_frequency() const { return freq_.colwise().norm().maxCoeff(); }

std::string RandomFourierError::name() const {
  return "rff:" + format_number(amplitude_) + ":" + std::to_string(coeff_.cols()) + ":" +
         format_number(length_);
}

std::vector<ModelParameter> RandomFourierError::parameters() const {
  return {{"amplitude", format_number(amplitude_)},
          {"features", std::to_string(coeff_.cols())},
          {"length", format_number(length_)},
          {"sup_bound", format_number(sup_bound())},
          {"rms", format_number(rms())},
          {"lipschitz_bound", format_number(amplitude_ * max_frequency())},
          {"seed", std::to_string(seed_)}};
}

SingularError::SingularError(const OracleField& oracle, double c, std::uint64_t seed)
    : EstimatedField(oracle), c_(c), seed_(seed), v_(unit_direction(oracle.dim(), seed)) {
  if (!std::isfinite(c)) throw std::invalid_argument("singular: C must be finite");
}

void SingularError::error(double t, const ConstVecRef&, VecRef e) const {
  e = (c_ * schedule().log_sigma_rate(t)) * v_;
}

std::string SingularError::name() const { return "singular:" + format_number(c_); }

std::vector<ModelParameter> SingularError::parameters() const {
  return {{"c", format_number(c_)},
          {"v", format_vector(v_)},
          {"endpoint_shift", format_vector(endpoint_shift())},
          {"seed", std::to_string(seed_)}};
}

RotatingSingularError::RotatingSingularError(const OracleField& oracle, double c, double omega,
                                             std::uint64_t seed)
    : EstimatedField(oracle), c_(c), omega_(omega), seed_(seed), u_(unit_direction(oracle.dim(), seed)) {
  if (!std::isfinite(c) || !std::isfinite(omega))
    throw std::invalid_argument("rotating: C and OMEGA must be finite");
  v_ = Vec::Zero(oracle.dim());
  if (oracle.dim() > 1) {  // Gram-Schmidt on a second draw
    v_ = unit_direction(oracle.dim(), derive_seed(seed, 1));
    v_ -= v_.dot(u_) * u_;
    v_.normalize();
  }
}

void RotatingSingularError::error(double t, const ConstVecRef&, VecRef e) const {
  const double phase = omega_ * std::log(schedule().sigma(t));
  e = (c_ * schedule().log_sigma_rate(t)) * (std::cos(phase) * u_ + std::sin(phase) * v_);
}

std::string RotatingSingularError::name() const {
  return "rotating:" + format_number(c_) + ":" + format_number(omega_);
}

std::vector<ModelParameter> RotatingSingularError::parameters() const {
  return {{"c", format_number(c_)},
          {"omega", format_number(omega_)},
          {"no_cancellation_ratio", format_number(no_cancellation_ratio())},
          {"seed", std::to_string(seed_)}};
}

InverseDensityError::InverseDensityError(const OracleField& oracle, double c, double cap,
                                         std::uint64_t seed)
    : EstimatedField(oracle),
      c_(c),
      cap_(cap),
      seed_(seed),
      v_(unit_direction(oracle.dim(), seed)) {
  if (!std::isfinite(c)) throw std::invalid_argument("density: C must be finite");
  if (!(cap >= 1) || !std::isfinite(cap))
    throw std::invalid_argument("density: CAP must be finite and >= 1, got " + format_number(cap));
}

double InverseDensityError::log_relative_density(double t, const ConstVecRef& x) const {
  thread_local MixtureMoments mm;
  const Schedule& s = schedule();
  mixture_moments(points(), s.alpha(t), s.sigma(t) * s.sigma(t), x, mm);
  return mm.log_mean_kernel;
}

bool InverseDensityError::capped(double t, const ConstVecRef& x) const {
  return -log_relative_density(t, x) >= std::log(cap_);
}

void InverseDensityError::error(double t, const ConstVecRef& x, VecRef e) const {
  const double inverse = -log_relative_density(t, x);  // log(1/r) >= 0
  e = (c_ * (inverse < std::log(cap_) ? std::exp(inverse) : cap_)) * v_;
}

// Uncapped: grad(1/r) = -grad(log r)/r = -s*/r, so div e = -s* . e. Capped: e is locally constant.
double InverseDensityError::error_divergence(double t, const ConstVecRef& x) const {
  thread_local MixtureMoments mm;
  const Schedule& s = schedule();
  const double alpha = s.alpha(t), var = s.sigma(t) * s.sigma(t);
  mixture_moments(points(), alpha, var, x, mm);
  if (-mm.log_mean_kernel >= std::log(cap_)) return 0;
  const double size = c_ * std::exp(-mm.log_mean_kernel);
  return size * v_.dot(mm.residual) / var;
}

std::string InverseDensityError::name() const {
  return "density:" + format_number(c_) + ":" + format_number(cap_);
}

std::vector<ModelParameter> InverseDensityError::parameters() const {
  return {{"c", format_number(c_)},
          {"cap", format_number(cap_)},
          {"v", format_vector(v_)},
          {"seed", std::to_string(seed_)}};
}

SmoothedField::SmoothedField(const OracleField& oracle, double width)
    : EstimatedField(oracle), width_(width) {
  if (!(width >= 0) || !std::isfinite(width))
    throw std::invalid_argument("smooth: W must be finite and >= 0, got " + format_number(width));
}

double SmoothedField::variance(double t) const {
  const double sigma = schedule().sigma(t);
  return sigma * sigma + width_ * width_;
}

void SmoothedField::velocity(double t, const ConstVecRef& x, VecRef b) const {
  thread_local MixtureMoments mm;
  const Schedule& s = schedule();
  const double alpha = s.alpha(t), var = variance(t);
  mixture_moments(points(), alpha, var, x, mm);
  b.noalias() = s.dalpha(t) * mm.mean + (s.sigma_dsigma(t) / var) * mm.residual;
}

void SmoothedField::score(double t, const ConstVecRef& x, VecRef out) const {
  thread_local MixtureMoments mm;
  mixture_moments(points(), schedule().alpha(t), variance(t), x, mm);
  out.noalias() = -mm.residual / variance(t);
}

void SmoothedField::error(double t, const ConstVecRef& x, VecRef e) const {
  thread_local Vec exact;
  exact.resize(dim());
  velocity(t, x, e);
  oracle().velocity(t, x, exact);
  e -= exact;
}

// div b_W = alpha' div m_V + (sigma sigma'/V)(d - alpha div m_V), div m_V = alpha spread_V / V.
double SmoothedField::error_divergence(double t, const ConstVecRef& x) const {
  thread_local MixtureMoments mm;
  const Schedule& s = schedule();
  const double alpha = s.alpha(t), var = variance(t);
  mixture_moments(points(), alpha, var, x, mm);
  const double div_mean = alpha * mm.spread / var;
  const double div_b =
      s.dalpha(t) * div_mean + (s.sigma_dsigma(t) / var) * (dim() - alpha * div_mean);
  return div_b - oracle_divergence(oracle(), t, x);
}

std::string SmoothedField::name() const { return "smooth:" + format_number(width_); }

std::vector<ModelParameter> SmoothedField::parameters() const {
  return {{"width", format_number(width_)}};
}

std::map<std::string, ErrorModelFactory, std::less<>>& registered_error_models() {
  static std::map<std::string, ErrorModelFactory, std::less<>> kinds;
  return kinds;
}

void register_error_model(const std::string& kind, ErrorModelFactory factory) {
  for (const char* built_in : {"none", "rff", "singular", "rotating", "density", "smooth", "learned"})
    if (kind == built_in) throw std::invalid_argument("error model kind '" + kind + "' is built in");
  if (kind.empty() || kind.find(':') != std::string::npos || !factory)
    throw std::invalid_argument("error model kind '" + kind +
                                "': needs a name without ':' and a factory");
  if (!registered_error_models().emplace(kind, std::move(factory)).second)
    throw std::invalid_argument("error model kind '" + kind + "' registered twice");
}

std::unique_ptr<EstimatedField> make_error_model(std::string_view spec, const OracleField& oracle,
                                                 std::uint64_t seed) {
  const SpecParser p(spec);
  const std::string_view kind = p.kind();
  try {
    if (kind == "none") {
      p.arity(0, 0, "none");
      return std::make_unique<ExactField>(oracle);
    }
    if (kind == "rff") {
      p.arity(1, 3, "rff:AMP[:FEATURES[:LENGTH]]");
      const double amp = p.number(1, "AMP");
      if (amp < 0) p.fail("AMP must be >= 0");
      const int features = p.has(2) ? p.count(2, "FEATURES") : 32;
      const double length = p.has(3) ? p.number(3, "LENGTH") : 1.0;
      if (!(length > 0)) p.fail("LENGTH must be > 0");
      return std::make_unique<RandomFourierError>(oracle, amp, features, length, seed);
    }
    if (kind == "singular") {
      p.arity(1, 1, "singular:C");
      return std::make_unique<SingularError>(oracle, p.number(1, "C"), seed);
    }
    if (kind == "rotating") {
      p.arity(2, 2, "rotating:C:OMEGA");
      return std::make_unique<RotatingSingularError>(oracle, p.number(1, "C"), p.number(2, "OMEGA"),
                                                     seed);
    }
    if (kind == "density") {
      p.arity(1, 2, "density:C[:CAP]");
      const double cap = p.has(2) ? p.number(2, "CAP") : 1000.0;
      if (!(cap >= 1)) p.fail("CAP must be >= 1");
      return std::make_unique<InverseDensityError>(oracle, p.number(1, "C"), cap, seed);
    }
    if (kind == "smooth") {
      p.arity(1, 1, "smooth:W");
      const double width = p.number(1, "W");
      if (width < 0) p.fail("W must be >= 0");
      return std::make_unique<SmoothedField>(oracle, width);
    }
    if (kind == "learned") {
      p.arity(1, 5, "learned:LAMBDA[:FEATURES[:SAMPLES[:TMIN[:LENGTH]]]]");
      LearnedOptions o;
      o.lambda = p.number(1, "LAMBDA");
      if (!(o.lambda > 0)) p.fail("LAMBDA must be > 0");
      if (p.has(2)) o.features = p.count(2, "FEATURES");
      if (p.has(3)) o.samples = p.count(3, "SAMPLES");
      if (p.has(4)) o.t_min = p.number(4, "TMIN");
      if (!(o.t_min > 0 && o.t_min < 1)) p.fail("TMIN must lie in (0, 1)");
      if (p.has(5)) o.length = p.number(5, "LENGTH");
      if (!(o.length >= 0)) p.fail("LENGTH must be >= 0 (0: automatic)");
      return std::make_unique<LearnedField>(oracle, o, seed);
    }
  } catch (const std::invalid_argument& e) {
    // Constructor checks name the model kind but not the spec; add it once.
    const std::string what = e.what();
    if (what.rfind("error model '", 0) == 0) throw;
    p.fail(what);
  }
  const auto& registered = registered_error_models();
  if (const auto it = registered.find(kind); it != registered.end())
    return it->second(spec, oracle, seed);
  std::string known = "none, rff, singular, rotating, density, smooth, learned";
  for (const auto& entry : registered) known.append(", ").append(entry.first);
  p.fail("unknown kind (known: " + known + ")");
}

MonteCarloEstimate excess_loss(const Field& estimate, const OracleField& oracle, double t_min,
                               int samples, std::uint64_t seed) {
  if (estimate.dim() != oracle.dim() || estimate.points().cols() != oracle.points().cols() ||
      estimate.points() != oracle.points() ||
      estimate.schedule().name() != oracle.schedule().name())
    throw std::invalid_argument("excess_loss: field and oracle differ in training set or schedule");
  if (!(t_min > 0 && t_min < 1)) throw std::invalid_argument("excess_loss: need 0 < t_min < 1");
  if (samples < 2) throw std::invalid_argument("excess_loss: need at least 2 samples");
  const Schedule& s = oracle.schedule();
  const int d = oracle.dim();
  Rng rng(seed, kExcessStream);
  Vec x(d), bhat(d), bstar(d);
  double mean = 0, m2 = 0;  // Welford; a non-finite error propagates into the result
  for (int i = 0; i < samples; ++i) {
    const double t = t_min + (1 - t_min) * rng.uniform();
    const int k = rng.index(oracle.size());
    x = s.alpha(t) * oracle.points().col(k) + s.sigma(t) * rng.normal_vector(d);
    estimate.velocity(t, x, bhat);
    oracle.velocity(t, x, bstar);
    const double value = (1 - t_min) * (bhat - bstar).squaredNorm();
    const double delta = value - mean;
    mean += delta / (i + 1);
    m2 += delta * (value - mean);
  }
  return {mean, std::sqrt(m2 / (samples - 1) / samples), samples};
}

double log_ratio_rate(const EstimatedField& f, double t, const ConstVecRef& x) {
  thread_local Vec e, s;
  e.resize(f.dim());
  s.resize(f.dim());
  f.error(t, x, e);
  f.oracle().score(t, x, s);
  return f.error_divergence(t, x) + s.dot(e);
}

}  // namespace siv
