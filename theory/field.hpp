// What a solver needs from a field, oracle or estimated.
//   | expression            | meaning                                                       |
//   | f.dim()               | dimension d                                                   |
//   | f.schedule()          | the interpolation schedule                                    |
//   | f.points()            | training points, d x n (column k is y_k)                      |
//   | f.velocity(t, x, b)   | writes b(t, x), t in (0, 1]                                   |
//   | f.score(t, x, s)      | writes s(t, x), t in (0, 1]                                   |
//   | f.settled(t, x)       | k when the rest of the path from (t, x) provably ends at y_k  |
//   |                       | (oracle: the basin certificate of theory/basin.hpp), else -1  |
//   | f.velocity_batch(t, X, B)        | B = b(t, X) column by column, X and B d x M        |
//   | f.velocity_score_batch(t, X, B, S) | the same, with S = s(t, X)                       |
// The batched calls default to a loop over columns; fields with a faster kernel override them,
// and must give results that do not depend on their thread count.
#pragma once

#include "theory/oracle.hpp"

namespace siv {

class Field {
 public:
  virtual ~Field() = default;
  virtual int dim() const = 0;
  virtual const Schedule& schedule() const = 0;
  virtual const Mat& points() const = 0;
  virtual void velocity(double t, const ConstVecRef& x, VecRef b) const = 0;
  virtual void score(double t, const ConstVecRef& x, VecRef s) const = 0;
  virtual int settled(double t, const ConstVecRef& x) const = 0;
  virtual void velocity_batch(double t, const ConstMatRef& x, Eigen::Ref<Mat> b) const;
  virtual void velocity_score_batch(double t, const ConstMatRef& x, Eigen::Ref<Mat> b,
                                    Eigen::Ref<Mat> s) const;
  // The oracle when this is the exact oracle field, whose paths the basin certificate describes
  // (the adaptive solvers then follow them in signal-to-noise time where t cannot resolve the
  // basin choice, and report `undecidable` where double precision cannot tell the basin).
  virtual const OracleField* exact_oracle() const { return nullptr; }
  bool certifies() const { return exact_oracle() != nullptr; }
};

// The exact field b*, s* of a training set; its batched calls use OracleField::evaluate_columns
// on `threads` threads (the result does not depend on the number).
class OracleVelocity final : public Field {
 public:
  explicit OracleVelocity(const OracleField& oracle, int threads = 1) : oracle_(oracle), threads_(threads) {}
  int dim() const override { return oracle_.dim(); }
  const Schedule& schedule() const override { return oracle_.schedule(); }
  const Mat& points() const override { return oracle_.points(); }
  void velocity(double t, const ConstVecRef& x, VecRef b) const override { oracle_.velocity(t, x, b); }
  void score(double t, const ConstVecRef& x, VecRef s) const override { oracle_.score(t, x, s); }
  int settled(double t, const ConstVecRef& x) const override;
  void velocity_batch(double t, const ConstMatRef& x, Eigen::Ref<Mat> b) const override;
  void velocity_score_batch(double t, const ConstMatRef& x, Eigen::Ref<Mat> b,
                            Eigen::Ref<Mat> s) const override;
  const OracleField* exact_oracle() const override { return &oracle_; }
  const OracleField& oracle() const { return oracle_; }

 private:
  const OracleField& oracle_;
  int threads_;
};

}  // namespace siv
