#include "theory/learned.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>

#include "theory/random.hpp"

namespace siv {
namespace {

constexpr std::uint64_t kFeatureStream = 0x6c666561ull;
constexpr std::uint64_t kSampleStream = 0x6c73616dull;
// nu_j ~ N(0, 4^2): time length scale 1/4 on the input sigma(t)/sigma(1) in [0, 1].
constexpr double kTimeFrequency = 4.0;
constexpr Eigen::Index kBlock = 512;  // rows per accumulation block

std::string format_number(double v) {
  char buffer[32];
  auto end = std::to_chars(buffer, buffer + sizeof buffer, v).ptr;
  return std::string(buffer, end);
}

// Half the smallest positive pairwise distance of the columns; 1 when there is none.
double default_length(const Mat& points) {
  double best = std::numeric_limits<double>::infinity();
  for (Eigen::Index i = 0; i < points.cols(); ++i)
    for (Eigen::Index j = i + 1; j < points.cols(); ++j) {
      const double dist = (points.col(i) - points.col(j)).norm();
      if (dist > 0) best = std::min(best, dist);
    }
  return std::isfinite(best) ? best / 2 : 1.0;
}

}  // namespace

RandomFeatures draw_random_features(Rng& rng, int d, int count, double length) {
  RandomFeatures f{Mat(d, count), Vec(count), Vec(count)};
  for (int j = 0; j < count; ++j) {
    f.freq.col(j) = rng.normal_vector(d) / length;
    f.rate[j] = kTimeFrequency * rng.normal();
    f.phase[j] = 2 * std::numbers::pi * rng.uniform();
  }
  return f;
}

RidgeProblem::RidgeProblem(int features, int outputs)
    : gram_(Mat::Zero(features, features)), cross_(Mat::Zero(features, outputs)) {}

void RidgeProblem::add(const ConstMatRef& design, const ConstMatRef& targets) {
  gram_.selfadjointView<Eigen::Lower>().rankUpdate(design.transpose());
  cross_.noalias() += design.transpose() * targets;
  rows_ += design.rows();
}

Mat RidgeProblem::solve(double lambda) const {
  if (!(lambda > 0) || rows_ < 1) throw std::invalid_argument("ridge: need lambda > 0 and rows");
  Mat normal = gram_;
  normal.diagonal().array() += lambda * static_cast<double>(rows_);
  const Eigen::LDLT<Mat, Eigen::Lower> ldlt(normal);
  if (ldlt.info() != Eigen::Success || !ldlt.isPositive())
    throw std::runtime_error(
        "ridge: normal equations are not positive definite (non-finite data?)");
  return ldlt.solve(cross_);
}

LearnedField::LearnedField(const OracleField& oracle, const LearnedOptions& options,
                           std::uint64_t seed)
    : EstimatedField(oracle), options_(options), seed_(seed) {
  if (!(options.lambda > 0) || !std::isfinite(options.lambda))
    throw std::invalid_argument("learned: LAMBDA must be finite and > 0");
  if (options.features < 1 || options.samples < 1)
    throw std::invalid_argument("learned: FEATURES and SAMPLES must be >= 1");
  if (!(options.t_min > 0 && options.t_min < 1))
    throw std::invalid_argument("learned: TMIN must lie in (0, 1)");
  if (!(options.length >= 0) || !std::isfinite(options.length))
    throw std::invalid_argument("learned: LENGTH must be finite and >= 0 (0: automatic)");
  if (!(oracle.schedule().sigma(1.0) > 0))
    throw std::invalid_argument("learned: the schedule needs sigma(1) > 0");
  if (options_.length == 0) options_.length = default_length(oracle.points());

  const int d = dim(), n = oracle.size(), J = options_.features, M = options_.samples;
  ybar_ = oracle.points().rowwise().mean();
  Rng feature_rng(seed, kFeatureStream);
  RandomFeatures drawn = draw_random_features(feature_rng, d, J, options_.length);
  freq_ = std::move(drawn.freq);
  rate_ = std::move(drawn.rate);
  phase_ = std::move(drawn.phase);

  // Training draws (t_i, k_i, xi_i), kept so the second pass sees the same rows.
  Rng sample_rng(seed, kSampleStream);
  Vec times(M);
  Eigen::VectorXi centres(M);
  Mat noise(d, M);
  for (int i = 0; i < M; ++i) {
    times[i] = options_.t_min + (1 - options_.t_min) * sample_rng.uniform();
    centres[i] = sample_rng.index(n);
    noise.col(i) = sample_rng.normal_vector(d);
  }

  // Block of design rows kappa phi(t_i, x_i) and targets x_i' - (sigma'/sigma) x_i - kappa ybar
  // (= kappa (y_k - ybar) in exact arithmetic), plus the oracle's interpolant loss on those rows.
  const Schedule& s = schedule();
  Mat design, targets;
  Vec x(d), xdot(d), phi(J), angle(J), bstar(d);
  auto build = [&](Eigen::Index start, Eigen::Index rows, double* oracle_loss) {
    design.resize(rows, J);
    targets.resize(rows, d);
    for (Eigen::Index r = 0; r < rows; ++r) {
      const double t = times[start + r];
      const auto y = oracle.points().col(centres[start + r]);
      const auto xi = noise.col(start + r);
      const double kappa = s.kappa(t);
      x = s.alpha(t) * y + s.sigma(t) * xi;
      xdot = s.dalpha(t) * y + s.dsigma(t) * xi;
      features(t, x, phi, angle);
      design.row(r) = kappa * phi.transpose();
      targets.row(r) = (xdot - s.log_sigma_rate(t) * x - kappa * ybar_).transpose();
      if (oracle_loss) {
        oracle.velocity(t, x, bstar);
        *oracle_loss += (bstar - xdot).squaredNorm();
      }
    }
  };
  RidgeProblem ridge(J, d);
  for (Eigen::Index start = 0; start < M; start += kBlock) {
    build(start, std::min<Eigen::Index>(kBlock, M - start), nullptr);
    ridge.add(design, targets);
  }
  theta_ = ridge.solve(options_.lambda);
  freq_dot_theta_ = (freq_.array() * theta_.transpose().array()).colwise().sum().transpose();

  double loss = 0, oracle_loss = 0;
  for (Eigen::Index start = 0; start < M; start += kBlock) {
    build(start, std::min<Eigen::Index>(kBlock, M - start), &oracle_loss);
    loss += (design * theta_ - targets).squaredNorm();
  }
  training_loss_ = loss / M;
  oracle_training_loss_ = oracle_loss / M;
}

void LearnedField::features(double t, const ConstVecRef& x, Vec& phi, Vec& angle) const {
  const Schedule& s = schedule();
  angle.noalias() = freq_.transpose() * x;
  angle += (s.sigma(t) / s.sigma(1.0)) * rate_ + phase_;
  phi = std::sqrt(2.0 / static_cast<double>(rate_.size())) * angle.array().cos().matrix();
}

void LearnedField::mean(double t, const ConstVecRef& x, VecRef out) const {
  thread_local Vec phi, angle;
  features(t, x, phi, angle);
  out.noalias() = ybar_ + theta_.transpose() * phi;
}

void LearnedField::velocity(double t, const ConstVecRef& x, VecRef b) const {
  thread_local Vec m;
  m.resize(dim());
  mean(t, x, m);
  const Schedule& s = schedule();
  b.noalias() = s.dalpha(t) * m + s.log_sigma_rate(t) * (x - s.alpha(t) * m);
}

void LearnedField::score(double t, const ConstVecRef& x, VecRef out) const {
  thread_local Vec m;
  m.resize(dim());
  mean(t, x, m);
  const Schedule& s = schedule();
  out.noalias() = -(x - s.alpha(t) * m) / (s.sigma(t) * s.sigma(t));
}

void LearnedField::error(double t, const ConstVecRef& x, VecRef e) const {
  thread_local Posterior post;
  const Schedule& s = schedule();
  oracle().posterior(s.alpha(t), s.sigma(t), x, post);
  mean(t, x, e);
  e = s.kappa(t) * (e - post.m);
}

// div m^ = sum_j theta_j . grad phi_j = -sqrt(2/J) sum_j sin(angle_j) (w_j . theta_j).
double LearnedField::error_divergence(double t, const ConstVecRef& x) const {
  thread_local Vec phi, angle;
  thread_local MixtureMoments mm;
  features(t, x, phi, angle);
  const double div_learned = -std::sqrt(2.0 / static_cast<double>(rate_.size())) *
                             angle.array().sin().matrix().dot(freq_dot_theta_);
  const Schedule& s = schedule();
  const double alpha = s.alpha(t), var = s.sigma(t) * s.sigma(t);
  mixture_moments(points(), alpha, var, x, mm);
  return s.kappa(t) * (div_learned - alpha * mm.spread / var);
}

std::string LearnedField::name() const {
  return "learned:" + format_number(options_.lambda) + ":" + std::to_string(options_.features) +
         ":" + std::to_string(options_.samples) + ":" + format_number(options_.t_min) + ":" +
         format_number(options_.length);
}

std::vector<ModelParameter> LearnedField::parameters() const {
  return {{"lambda", format_number(options_.lambda)},
          {"features", std::to_string(options_.features)},
          {"samples", std::to_string(options_.samples)},
          {"t_min", format_number(options_.t_min)},
          {"length", format_number(options_.length)},
          {"training_loss", format_number(training_loss_)},
          {"oracle_training_loss", format_number(oracle_training_loss_)},
          {"seed", std::to_string(seed_)}};
}

}  // namespace siv
