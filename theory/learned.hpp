// A learned velocity: random-feature ridge regression trained on the interpolant loss over the
// finite training set (THEORY.md C4, C6-C7).
//
// Parametrisation. Every velocity of the form b = (sigma'/sigma) x + kappa m (kappa = alpha' -
// alpha sigma'/sigma) has the oracle's structure; b* is the case m = posterior mean. The model
// learns
//   m^(t, x) = ybar + Theta^T phi(t, x),   ybar the training mean, phi random Fourier features,
// and reassembles b^ = alpha' m^ + (sigma'/sigma)(x - alpha m^), s^ = -(x - alpha m^)/sigma^2 (the
// implied-mean score of error_models.hpp). Why: on a sample x_t = alpha y + sigma xi with the
// conditional velocity x_t' = alpha' y + sigma' xi, the residual is
//   b^(t, x_t) - x_t' = kappa Theta^T phi - (x_t' - (sigma'/sigma) x_t - kappa ybar)
// and x_t' - (sigma'/sigma) x_t = kappa y: the sigma' xi noise, which blows up like sigma'/sigma at
// t -> 0, cancels exactly. The interpolant loss is thus a least-squares problem in Theta with
// design rows kappa phi and noise-free targets. Training uses t ~ U[t_min, 1] only (the weight
// kappa^2 grows like (sigma'/sigma)^2). Below t_min the model extrapolates; m^(t, x) stays
// continuous down to t = 0 because the time input is sigma(t)/sigma(1), so e = kappa (m^ - m) is
// of the singular sigma'/sigma kind there unless m^ -> m. Heavy regularisation gives m^ -> ybar
// (endpoints collapse to the mean); light regularisation with many features approaches the
// empirical optimum of the draws.
//
// Features: phi_j = sqrt(2/J) cos(w_j . x + nu_j tau + beta_j), tau = sigma(t)/sigma(1),
// w_j ~ N(0, I / ell^2), nu_j ~ N(0, 16) (time length scale 1/4), beta_j ~ U[0, 2 pi), all
// drawn from the seed.
#pragma once

#include <cstdint>

#include "theory/error_models.hpp"

namespace siv {

class Rng;

// Random Fourier features cos(w_j . x + nu_j tau + beta_j) of (x, tau), shared by the learned
// estimators: w_j ~ N(0, I / length^2), nu_j ~ N(0, 4^2), beta_j ~ U[0, 2 pi), drawn in that order.
struct RandomFeatures {
  Mat freq;          // d x count, w_j
  Vec rate, phase;   // nu_j, beta_j
};
RandomFeatures draw_random_features(Rng& rng, int d, int count, double length);

struct LearnedOptions {
  double lambda = 1e-3;  // ridge penalty on |Theta|^2, relative to the mean loss over samples
  int features = 256;    // J
  int samples = 4096;    // M training draws (t, k, xi)
  double t_min = 0.01;   // training times t ~ U[t_min, 1]
  double length = 0;     // ell; 0 means half the smallest pairwise distance of Y (1 when n = 1)
};

// Ridge regression min_Theta |G Theta - R|_F^2 / M + lambda |Theta|_F^2 (M rows), accumulated in
// blocks of rows: Theta solves (G^T G + lambda M I) Theta = G^T R, by LDLT.
class RidgeProblem {
 public:
  explicit RidgeProblem(int features, int outputs);
  void add(const ConstMatRef& design, const ConstMatRef& targets);  // rows of G and R
  Mat solve(double lambda) const;                                   // J x outputs
  long rows() const { return rows_; }

 private:
  Mat gram_, cross_;  // G^T G (lower triangle), G^T R
  long rows_ = 0;
};

class LearnedField final : public EstimatedField {
 public:
  // Throws std::invalid_argument on lambda <= 0, features < 1, samples < 1, t_min outside (0, 1),
  // or a negative length.
  LearnedField(const OracleField& oracle, const LearnedOptions& options, std::uint64_t seed);

  void velocity(double t, const ConstVecRef& x, VecRef b) const override;
  void score(double t, const ConstVecRef& x, VecRef s) const override;
  void error(double t, const ConstVecRef& x, VecRef e) const override;  // kappa (m^ - m)
  double error_divergence(double t, const ConstVecRef& x) const override;
  std::string name() const override;
  std::vector<ModelParameter> parameters() const override;

  void mean(double t, const ConstVecRef& x, VecRef out) const;  // m^(t, x)
  // Mean interpolant loss (1/M) sum_i |b(t_i, x_i) - x_i'|^2 on the training draws, without the
  // penalty, for b^ and for b*. Their difference is the empirical excess loss (negative when the
  // model fits the draws better than the optimum does: overfitting).
  double training_loss() const { return training_loss_; }
  double oracle_training_loss() const { return oracle_training_loss_; }
  const LearnedOptions& options() const { return options_; }  // with the resolved length

 private:
  void features(double t, const ConstVecRef& x, Vec& phi, Vec& angle) const;

  LearnedOptions options_;
  std::uint64_t seed_;
  Vec ybar_;
  Mat freq_;            // d x J, w_j
  Vec rate_, phase_;    // nu_j, beta_j
  Mat theta_;           // J x d, row j is theta_j
  Vec freq_dot_theta_;  // w_j . theta_j, for the divergence
  double training_loss_ = 0, oracle_training_loss_ = 0;
};

}  // namespace siv
