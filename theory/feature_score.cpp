#include "theory/feature_score.hpp"

#include <cmath>
#include <numbers>
#include <stdexcept>

#include "theory/learned.hpp"
#include "theory/random.hpp"

namespace siv {
namespace {

constexpr std::uint64_t kFeatureStream = 0xfea7;
constexpr std::uint64_t kDrawStream = 0xd4a3;

}  // namespace

FeatureScoreModels::FeatureScoreModels(const OracleField& oracle,
                                       const FeatureScoreOptions& options, std::uint64_t seed)
    : oracle_(oracle), options_(options) {
  const std::vector<int>& ladder = options.features;
  if (ladder.empty() || ladder.front() < 1)
    throw std::invalid_argument("feature score: need a ladder of feature counts >= 1");
  for (std::size_t r = 1; r < ladder.size(); ++r)
    if (ladder[r] <= ladder[r - 1])
      throw std::invalid_argument("feature score: the feature ladder must increase");
  if (options.samples < 1) throw std::invalid_argument("feature score: need samples >= 1");
  if (!(options.t_min > 0 && options.t_min < 1))
    throw std::invalid_argument("feature score: t_min must lie in (0, 1)");
  if (!(options.lambda > 0) || !(options.length > 0))
    throw std::invalid_argument("feature score: lambda and length must be > 0");

  const int d = oracle.dim(), n = oracle.size(), J = ladder.back(), P = options.samples;
  const Schedule& s = oracle.schedule();
  Rng feature_rng(seed, kFeatureStream);
  RandomFeatures drawn = draw_random_features(feature_rng, d, J, options.length);
  freq_ = std::move(drawn.freq);
  rate_ = std::move(drawn.rate);
  phase_ = std::move(drawn.phase);

  Rng draw_rng(seed, kDrawStream);
  times_.resize(P);
  positions_.resize(d, P);
  noisy_targets_.resize(d, P);
  zero_targets_.resize(d, P);
  Mat design(P, J);  // all J features; rung r uses the first F_r columns
  Vec score(d);
  for (int i = 0; i < P; ++i) {
    const double t = options.t_min + (1 - options.t_min) * draw_rng.uniform();
    const int k = draw_rng.index(n);
    const Vec z = draw_rng.normal_vector(d);
    times_[i] = t;
    positions_.col(i) = s.alpha(t) * oracle.points().col(k) + s.sigma(t) * z;
    noisy_targets_.col(i) = z;
    oracle.score(t, positions_.col(i), score);
    zero_targets_.col(i) = -s.sigma(t) * score;
    const double tau = s.sigma(t) / s.sigma(1.0);
    design.row(i) = ((freq_.transpose() * positions_.col(i)).array() + tau * rate_.array() +
                     phase_.array())
                        .cos()
                        .transpose();
  }
  // Both targets share the rows: one ridge problem with 2d outputs, noisy then zero-variance.
  Mat targets(P, 2 * d);
  targets << noisy_targets_.transpose(), zero_targets_.transpose();
  for (int F : ladder) {
    // The rung's features carry sqrt(2/F). Ridge: Theta = (Phi^T Phi + lambda P I)^-1 Phi^T T
    // = Phi^T (Phi Phi^T + lambda P I)^-1 T (push-through identity); the second form solves a
    // P x P system, cheaper when F > P.
    const Mat phi = std::sqrt(2.0 / F) * design.leftCols(F);
    Mat theta;
    if (F <= P) {
      RidgeProblem ridge(F, 2 * d);
      ridge.add(phi, targets);
      theta = ridge.solve(options.lambda);
    } else {
      Mat gram = phi * phi.transpose();
      gram.diagonal().array() += options.lambda * P;
      const Eigen::LDLT<Mat> ldlt(gram);
      if (ldlt.info() != Eigen::Success || !ldlt.isPositive())
        throw std::runtime_error("feature score: the kernel system is not positive definite");
      theta = phi.transpose() * ldlt.solve(targets);
    }
    noisy_.push_back(theta.leftCols(d));
    zero_.push_back(theta.rightCols(d));
  }
}

Mat FeatureScoreModels::eps(int rung, bool noisy, double t, const ConstMatRef& x) const {
  const int F = options_.features.at(static_cast<std::size_t>(rung));
  const Schedule& s = oracle_.schedule();
  const double tau = s.sigma(t) / s.sigma(1.0);
  Mat angle = freq_.leftCols(F).transpose() * x;  // F x M
  angle.colwise() += tau * rate_.head(F) + phase_.head(F);
  const Mat phi = std::sqrt(2.0 / F) * angle.array().cos().matrix();
  return theta(rung, noisy).transpose() * phi;
}

Mat FeatureScoreModels::sample(int rung, bool noisy, const ConstMatRef& starts, double t_start,
                               double t_end, int steps) const {
  if (steps < 1 || !(t_end > 0) || !(t_start > t_end) || !(t_start <= 1))
    throw std::invalid_argument("feature score: need steps >= 1 and 0 < t_end < t_start <= 1");
  const Schedule& s = oracle_.schedule();
  const auto velocity = [&](double t, const Mat& x) {
    const Mat e = eps(rung, noisy, t, x);
    const Mat m = (x - s.sigma(t) * e) / s.alpha(t);
    return Mat(s.dalpha(t) * m + s.dsigma(t) * e);
  };
  Mat x = starts;
  const double h = (t_start - t_end) / steps;
  for (int j = 0; j < steps; ++j) {
    const double t = t_start - j * h, t_next = t_start - (j + 1) * h;
    const Mat k1 = velocity(t, x);
    const Mat k2 = velocity(t_next, x - h * k1);
    x -= 0.5 * h * (k1 + k2);
  }
  return x;
}

}  // namespace siv
