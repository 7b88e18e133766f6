// Which training point the oracle flow from a state ends at, how fast its weights are changing,
// and whether a given state error can change the answer (docs/claims.md, "Basin certificate").
//
// In signal-to-noise coordinates lambda = alpha/sigma, u = x/sigma every schedule's oracle ODE is
// du/dlambda = m(u, lambda) (THEORY.md section 3), lambda growing as t -> 0. For the leader k and
// any j with y_j != y_k, the log-weight gap g_j = l_k - l_j = (|u - lambda y_j|^2 - |u - lambda
// y_k|^2) / 2 obeys, with delta = y_k - y_j and r = m - y_k,
//   dg_j/dlambda = g_j/lambda + lambda |delta|^2 / 2 + lambda delta . r,  |r| <= (1 - w_C) D_k,
// where C is the cluster of points identical to y_k and D_k = max_i |y_i - y_k|. So when every
// gap is >= 0 and 1 - w_C < rho_k = min_{j not in C} |y_j - y_k| / (2 D_k), every gap is
// non-decreasing from here on, the deficit only shrinks, and the path ends exactly at y_k.
// g_j is affine in u with gradient lambda delta, so a state error e moves it by <= lambda |delta| e.
#pragma once

#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <utility>
#include <vector>

#include "theory/oracle.hpp"

namespace siv {

// What the caller knows about the uncertainty of its state, in standardized units.
struct BasinErrors {
  double state = 0;   // bound on |u_true - u| (u = x / sigma), beyond the rounding added here
  double lambda = 0;  // bound on the error of lambda itself (time rounding)
};

struct BasinReading {
  int leader = -1;         // lowest index of the top-weight cluster
  int copies = 1;          // training points identical to y_leader, itself included
  bool certified = false;  // every state within the error of u ends exactly at y_leader
  bool ambiguous = false;  // some state within the error has another leader (a gap <= its error)
  bool unresolvable = false;  // ambiguous, with the error ball wider than a quarter of the scaled
                              // distance lambda |y_j - y_k| to that competitor, past its decision
                              // scale lambda |y_j - y_k| >= 1: double precision or the tolerance
                              // cannot tell which of the two is nearer
  double growth = 0;       // bound on |dm/du| = lambda |Cov_w(y)| over the error ball
  double max_step = 0;     // lambda step over which no gap is predicted to move by more than
                           // max(1, g_j - 40) (+inf when n = 1 or all points coincide)
  double resolution = 0;   // rounding of the state, standardized, added to BasinErrors::state
};

// What read_basin needs of the training set alone, computed once and shared between threads:
// max_i |y_i| and, per leader k, the distances |y_i - y_k| (memoised for the most recent leaders,
// at most about 64 MB of them).
class BasinGeometry {
 public:
  explicit BasinGeometry(const Mat& points);  // d x n, column k is y_k; kept by reference
  BasinGeometry(const BasinGeometry&) = delete;
  BasinGeometry& operator=(const BasinGeometry&) = delete;

  const Mat& points() const { return points_; }
  double max_norm() const { return max_norm_; }
  // |y_i - y_k| for every i.
  std::shared_ptr<const Vec> distances_from(int k) const;

 private:
  const Mat& points_;
  double max_norm_ = 0;
  std::size_t memo_capacity_ = 1;
  mutable std::mutex mutex_;
  mutable std::deque<std::pair<int, std::shared_ptr<const Vec>>> memo_;  // most recent first
};

// The part of the reading that does not depend on BasinErrors, at one state: read() judges it for
// any errors (BasinWatch asks up to three times per state). Centres whose weight relative to the
// leader underflows to 0 enter only through bounds (Cauchy-Schwarz on the gap rates) unless a
// bound could change the result, so a reading costs one pass over the data at late times; every
// reading equals, bit for bit, the direct evaluation of every term (tests/theory/basin_test).
class BasinSnapshot {
 public:
  // The mixture of N(alpha y_k, sigma^2 I) at x, sigma > 0. Keeps a reference to geometry.
  BasinSnapshot(const BasinGeometry& geometry, double alpha, double sigma, const ConstVecRef& x);
  // The same from logits that basin_logits computed for x (one entry per centre).
  BasinSnapshot(const BasinGeometry& geometry, double alpha, double sigma, const ConstVecRef& x, Vec logits);
  BasinReading read(const BasinErrors& errors = {});
  // Snapshots of every column of x (d x m), each the same as one constructed alone, with each pass
  // over the data made block by block for all columns, so that it streams through memory once.
  static std::vector<BasinSnapshot> many(const BasinGeometry& geometry, double alpha, double sigma,
                                         const ConstMatRef& x);

 private:
  struct Phased {};
  // The passes, in order: the constructor (weights and geometry), add_offsets over every block of
  // centres (the mean offset r), prepare_rates, add_rates block after block (gap rates and squared
  // spreads where needed), finish (the ceiling and the variance).
  BasinSnapshot(Phased, const BasinGeometry& geometry, double alpha, double sigma, const ConstVecRef& x, Vec logits);
  void add_offsets(Eigen::Index first, Eigen::Index last);
  void prepare_rates();
  void add_rates(Eigen::Index last);  // the needed centres below last not yet done
  void finish();
  double gap_rate(Eigen::Index j) const;  // |dg_j/dlambda|, from direct differences
  // rate_[j] = gap_rate(j) for each j, and (*spread)[j] = |y_j - y_leader - r|^2 when asked.
  void fill_gap_rates(std::span<const Eigen::Index> js, Vec* spread = nullptr);
  void complete_gap_rates();

  const BasinGeometry& geometry_;
  double alpha_, sigma_, lambda_;
  Vec x_, logits_, weights_, r_, rate_;  // rate_[j] = |dg_j/dlambda|, -1 where not yet needed
  Vec spread_;                           // |y_j - y_leader - r|^2 where a rate was needed
  std::vector<Eigen::Index> needed_;     // centres whose rate the snapshot computes, ascending
  std::size_t next_needed_ = 0;
  std::shared_ptr<const Vec> dist_;
  Eigen::Index leader_ = 0;
  int copies_ = 1;
  double total_ = 0, cluster_ = 0, reach_ = 0, closest_ = 0, m_rate_ = 0, variance_ = 0;
  double max_step_ = 0, resolution_ = 0;
  bool lazy_ = false;  // every logit, |x| / sigma and lambda max|y| finite: bounds are safe
};

// The snapshots' logits -|x_j - alpha y_i|^2 / (2 sigma^2) of the columns of x (d x m) against
// every centre (n x m), the same bits as one snapshot's, with the centres taken in cache-sized
// blocks so that the data stream through memory once for all m columns.
Mat basin_logits(const BasinGeometry& geometry, double alpha, double sigma, const ConstMatRef& x);

// One reading at x (points: d x n, the mixture of N(alpha y_k, sigma^2 I), sigma > 0).
BasinReading read_basin(const BasinGeometry& geometry, double alpha, double sigma, const ConstVecRef& x,
                        const BasinErrors& errors = {});
// The same for a one-off reading (computes the geometry first).
BasinReading read_basin(const Mat& points, double alpha, double sigma, const ConstVecRef& x,
                        const BasinErrors& errors = {});

}  // namespace siv
