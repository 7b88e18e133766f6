// Random-feature linear models of the score trained on the denoising target (THEORY.md section 6,
// C9's generalization claim; Vastola's linear models).
//
// Parametrisation: the noise predictor eps(t, x) = -sigma s(t, x) = Theta^T phi(t, x), with
// phi_j = sqrt(2/F) cos(w_j . x + nu_j tau + beta_j), tau = sigma(t)/sigma(1), w_j ~ N(0, I/ell^2),
// nu_j ~ N(0, 16), beta_j ~ U[0, 2 pi) (the features of theory/learned.hpp). Training draws
// (t_i, k_i, z_i), t_i ~ U[t_min, 1], x_i = alpha y_k + sigma z_i; two targets on the same rows:
//   noisy:          z_i                        (the denoising target -z/sigma, times -sigma),
//   zero-variance:  E[z | x_i] = (x_i - alpha m(x_i))/sigma = -sigma s*(t_i, x_i).
// Both are fitted by ridge with a tiny penalty (min |Phi Theta - T|^2/P + lambda |Theta|^2): the
// fit is linear in the targets, so the noisy model is the zero-variance model plus a zero-mean
// noise field Phi^+ (z - E[z | x]), whose covariance carries the target's C (denoising.hpp).
// A ladder of feature counts F_1 < F_2 < ... uses the first F_r features of one draw (nested).
//
// Sampling: the probability-flow ODE of a noise predictor is b = alpha' m^ + sigma' eps^ with
// m^ = (x - sigma eps^)/alpha (x_t = alpha y + sigma z, velocity alpha' y + sigma' z); it is
// integrated by Heun on a uniform grid from t_start down to t_end (alpha > 0 on the whole range).
#pragma once

#include <cstdint>
#include <vector>

#include "theory/oracle.hpp"

namespace siv {

struct FeatureScoreOptions {
  std::vector<int> features{16, 128};  // the ladder F_1 < F_2 < ...
  int samples = 32;                    // P training draws
  double t_min = 0.2;                  // training times t ~ U[t_min, 1]
  double lambda = 1e-8;                // ridge penalty relative to the mean loss
  double length = 1;                   // ell
};

class FeatureScoreModels {
 public:
  // Draws the features and the P training draws from seed and fits both targets at every rung.
  // Throws std::invalid_argument on an empty or non-increasing ladder, samples < 1, t_min outside
  // (0, 1), lambda <= 0 or length <= 0.
  FeatureScoreModels(const OracleField& oracle, const FeatureScoreOptions& options,
                     std::uint64_t seed);

  int rungs() const { return static_cast<int>(options_.features.size()); }
  // eps^(t, x) for every column of x (d x M) of the model at rung r, noisy or zero-variance.
  Mat eps(int rung, bool noisy, double t, const ConstMatRef& x) const;
  // Theta (F_r x d) of a rung.
  const Mat& theta(int rung, bool noisy) const { return (noisy ? noisy_ : zero_)[rung]; }
  // Heun on the probability-flow ODE of a model from every column of starts at t_start to t_end.
  Mat sample(int rung, bool noisy, const ConstMatRef& starts, double t_start, double t_end,
             int steps) const;

  // The training rows, for tests: times, positions (d x P), both targets (d x P).
  const Vec& times() const { return times_; }
  const Mat& positions() const { return positions_; }
  const Mat& targets(bool noisy) const { return noisy ? noisy_targets_ : zero_targets_; }
  const Mat& frequencies() const { return freq_; }
  const Vec& rates() const { return rate_; }
  const Vec& phases() const { return phase_; }

 private:
  const OracleField& oracle_;
  FeatureScoreOptions options_;
  Mat freq_;          // d x F_max
  Vec rate_, phase_;  // F_max
  Vec times_;
  Mat positions_, noisy_targets_, zero_targets_;
  std::vector<Mat> noisy_, zero_;  // per rung, F_r x d
};

}  // namespace siv
