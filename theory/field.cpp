#include "theory/field.hpp"

#include "theory/basin.hpp"

namespace siv {

// The certificate for the exact state (x rounded as given): every gap is non-decreasing from here.
int OracleVelocity::settled(double t, const ConstVecRef& x) const {
  const Schedule& s = oracle_.schedule();
  const BasinReading b = read_basin(oracle_.points(), s.alpha(t), s.sigma(t), x);
  return b.certified ? b.leader : -1;
}

void Field::velocity_batch(double t, const ConstMatRef& x, Eigen::Ref<Mat> b) const {
  for (Eigen::Index i = 0; i < x.cols(); ++i) velocity(t, x.col(i), b.col(i));
}

void Field::velocity_score_batch(double t, const ConstMatRef& x, Eigen::Ref<Mat> b,
                                 Eigen::Ref<Mat> s) const {
  for (Eigen::Index i = 0; i < x.cols(); ++i) {
    velocity(t, x.col(i), b.col(i));
    score(t, x.col(i), s.col(i));
  }
}

namespace {
ColumnBatch& batch_scratch() {
  thread_local ColumnBatch out;
  return out;
}
}  // namespace

void OracleVelocity::velocity_batch(double t, const ConstMatRef& x, Eigen::Ref<Mat> b) const {
  ColumnBatch& out = batch_scratch();
  oracle_.evaluate_columns(t, x, out, threads_);
  b = out.b;
}

void OracleVelocity::velocity_score_batch(double t, const ConstMatRef& x, Eigen::Ref<Mat> b,
                                          Eigen::Ref<Mat> s) const {
  ColumnBatch& out = batch_scratch();
  oracle_.evaluate_columns(t, x, out, threads_);
  b = out.b;
  s = out.s;
}

}  // namespace siv
