// The closed-form optimal field of stochastic interpolation on a finite training set Y (n x d).
// rho_t = (1/n) sum_k N(alpha y_k, sigma^2 I); with weights w = softmax(-|x - alpha y_k|^2 / 2 sigma^2)
// and posterior mean m = sum_k w_k y_k:
//   velocity b*(t, x) = alpha' m + (sigma'/sigma) (x - alpha m),
//   score    s*(t, x) = -(x - alpha m) / sigma^2,
//   margin   u = min_{j != k} (|x - alpha y_j|^2 - |x - alpha y_k|^2) / (2 sigma^2), k nearest,
//   deficit  1 - w_k = sum_{j != k} w_j <= (n - 1) exp(-u).
// Logits come from the differences x - alpha y_k (no expanded dot products: they cancel at small
// sigma), normalised by log-sum-exp. At a time t with alpha > 1/2 the difference is formed as
// (x - y_k) + (1 - alpha) y_k from the schedule's accurate complement 1 - alpha(t): the rounding of
// alpha itself would cost eps |y_k| / sigma; otherwise as x - alpha y_k rounded once (fma), and m is formed as y_k + sum_{j != k} w_j (y_j - y_k) so that
// x - alpha m = (x - alpha y_k) - alpha (m - y_k) keeps full relative accuracy near one-hot weights.
#pragma once

#include <cmath>

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

// The mixture's coefficients: alpha, 1 - alpha and sigma, and which form of x - alpha y is accurate.
struct Mixture {
  double alpha = 1, complement = 0, sigma = 1;
  bool use_complement = false;  // (x - y) + (1 - alpha) y instead of x - alpha y
  // At time t of a schedule: the complement form where alpha > 1/2.
  static Mixture at(const Schedule& s, double t);
  // alpha and sigma given as exact inputs: x - alpha y rounded once.
  static Mixture of(double alpha, double sigma) { return {alpha, 1 - alpha, sigma, false}; }
};

// x - alpha y for one coordinate, in the form m selects.
inline double centred_coordinate(const Mixture& m, double x, double y) {
  return m.use_complement ? std::fma(m.complement, y, x - y) : std::fma(-m.alpha, y, x);
}

// Column i of each matrix / entry i of each vector belongs to column i of the input (d x B).
struct ColumnBatch {
  Mat b, s, m;  // d x B
  Eigen::VectorXi nearest;
  Vec wmax, log_deficit, margin;
  // Certificate for the centres left out of the weighted mean: log of an upper bound on their
  // total weight relative to the nearest centre's (-inf when none was left out). Below
  // log(denorm_min) = -744.4 they could not change a double.
  Vec log_skipped;
  Eigen::VectorXi candidates;  // centres kept (weight not provably below the double range)
  Eigen::VectorXi direct;      // of those, centres whose logit needed direct differences
  Eigen::VectorXi gemm_mean;   // 1 when the weighted mean came from the second GEMM
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
  // The posterior at time t of the schedule, accurate relative to t (see Mixture::at).
  void posterior_at(double t, const ConstVecRef& x, Posterior& out) const;

  // Everything at (t, x), t in (0, 1].
  void evaluate(double t, const ConstVecRef& x, FieldValue& out) const;
  void velocity(double t, const ConstVecRef& x, VecRef b) const;
  void score(double t, const ConstVecRef& x, VecRef s) const;

  // B x d points through one call (rows are points); the column kernel below, transposed.
  void evaluate_batch(double t, const ConstMatRef& x, FieldBatch& out) const;

  // d x B points (columns) through the batched kernel: squared distances from one GEMM with a
  // rigorous rounding bound, centres the bound cannot rule out recomputed from direct differences,
  // weights provably below the double range left out (certificate in out.log_skipped), the weighted
  // mean from a second GEMM where its rounding bound is within a factor 2 of the direct sum's.
  // Columns go in fixed chunks of kBatchChunk split over `threads` threads, so the result does not
  // depend on the thread count. Accuracy: the direct kernel's error model (tests/theory).
  void evaluate_columns(double t, const ConstMatRef& x, ColumnBatch& out, int threads = 1) const;

 private:
  void fill_posterior(const Mixture& mix, const ConstVecRef& x, Posterior& out) const;
  const Vec& residual(const Mixture& mix, const ConstVecRef& x, const Posterior& p) const;

  struct Chunk;
  void evaluate_chunk(const Mixture& mix, const ConstMatRef& x, Eigen::Index first, ColumnBatch& out,
                      Chunk& scratch) const;

  Mat points_;
  Vec norms_;  // |y_k|
  Vec squared_norms_;  // |y_k|^2
  SchedulePtr schedule_;
};

inline constexpr Eigen::Index kBatchChunk = 64;

}  // namespace siv
