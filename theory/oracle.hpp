// The closed-form optimal field of stochastic interpolation on a finite training set Y (n x d).
// rho_t = (1/n) sum_k N(alpha y_k, sigma^2 I); with weights w = softmax(-|x - alpha y_k|^2 / 2 sigma^2)
// and posterior mean m = sum_k w_k y_k:
//   velocity b*(t, x) = alpha' m + (sigma'/sigma) (x - alpha m),
//   score    s*(t, x) = -(x - alpha m) / sigma^2,
//   margin   u = min_{j != k} (|x - alpha y_j|^2 - |x - alpha y_k|^2) / (2 sigma^2), k nearest,
//   deficit  1 - w_k = sum_{j != k} w_j <= (n - 1) exp(-u).
// Logits come from the differences x - alpha y_k, each rounded once (fma; no expanded dot products:
// they cancel at small sigma), normalised by log-sum-exp, and m is formed as y_k + sum_{j != k} w_j (y_j - y_k) so that
// x - alpha m = (x - alpha y_k) - alpha (m - y_k) keeps full relative accuracy near one-hot weights.
#pragma once

#include <Eigen/Dense>

#include "theory/schedule.hpp"

namespace siv {

using Vec = Eigen::VectorXd;
using Mat = Eigen::MatrixXd;
using VecRef = Eigen::Ref<Vec>;
using ConstVecRef = Eigen::Ref<const Vec>;
using ConstMatRef = Eigen::Ref<const Mat>;

// Posterior summary at one point for given alpha and sigma > 0.
struct Posterior {
  Vec m;               // posterior mean
  Vec offset;          // m - y_nearest, accurate even when it is tiny
  int nearest = -1;    // argmax weight (lowest index on ties)
  double wmax = 0;     // weight of nearest
  double log_deficit = 0;  // log(1 - wmax), -inf when the weights are exactly one-hot
  double margin = 0;   // u (+inf when n = 1)
};

struct FieldValue {
  Vec b, s, m;
  int nearest = -1;
  double wmax = 0, log_deficit = 0, margin = 0;
};

// Row i of each matrix / entry i of each vector belongs to row i of the input batch.
struct FieldBatch {
  Mat b, s, m;
  Eigen::VectorXi nearest;
  Vec wmax, log_deficit, margin;
};

// Nearest column of points (d x n; lowest index on ties) and the Euclidean distance to it.
std::pair<int, double> nearest_point(const Mat& points, const ConstVecRef& x);

class OracleField {
 public:
  // data: n x d, one training point per row. Throws std::invalid_argument on empty or non-finite data.
  OracleField(const Mat& data, SchedulePtr schedule);

  int size() const { return static_cast<int>(points_.cols()); }
  int dim() const { return static_cast<int>(points_.rows()); }
  const Mat& points() const { return points_; }  // d x n: column k is y_k
  const Schedule& schedule() const { return *schedule_; }
  const SchedulePtr& schedule_ptr() const { return schedule_; }

  // Schedule-free posterior of the mixture with centres alpha y_k and scale sigma > 0.
  void posterior(double alpha, double sigma, const ConstVecRef& x, Posterior& out) const;

  // Everything at (t, x), t in (0, 1].
  void evaluate(double t, const ConstVecRef& x, FieldValue& out) const;
  void velocity(double t, const ConstVecRef& x, VecRef b) const;
  void score(double t, const ConstVecRef& x, VecRef s) const;

  // B x d points through one call; out is resized once, then reused without allocation.
  void evaluate_batch(double t, const ConstMatRef& x, FieldBatch& out) const;

 private:
  void fill_posterior(double alpha, double sigma, const ConstVecRef& x, Posterior& out) const;
  const Vec& residual(double alpha, const ConstVecRef& x, const Posterior& p) const;

  Mat points_;
  SchedulePtr schedule_;
};

}  // namespace siv
