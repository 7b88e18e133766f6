#include "theory/oracle.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace siv {
namespace {

// x - alpha y_k without forming alpha * y_k rounded: at sigma ~ 1e-8 the difference is ~1e-8 while
// the rounding of alpha * y_k alone would be ~1e-16 |y_k|, costing eight digits.
void centred(const Mixture& mix, const ConstVecRef& x, const ConstVecRef& y, Vec& out) {
  out.resize(x.size());
  for (Eigen::Index j = 0; j < x.size(); ++j) out[j] = centred_coordinate(mix, x[j], y[j]);
}

// Per-thread scratch so that evaluations allocate nothing after the first call on a thread.
struct Scratch {
  Vec logits, diff, residual;
  Posterior post;
};
Scratch& scratch() {
  thread_local Scratch s;
  return s;
}

}  // namespace

Mixture Mixture::at(const Schedule& s, double t) {
  Mixture m;
  m.alpha = s.alpha(t);
  m.complement = s.complement(t);
  m.sigma = s.sigma(t);
  m.use_complement = m.complement < 0.5;
  return m;
}

OracleField::OracleField(const Mat& data, SchedulePtr schedule)
    : points_(data.transpose()), schedule_(std::move(schedule)) {
  if (data.rows() < 1 || data.cols() < 1)
    throw std::invalid_argument("training set is empty");
  if (!data.allFinite()) throw std::invalid_argument("training set has non-finite values");
  if (!schedule_) throw std::invalid_argument("no schedule");
  squared_norms_ = points_.colwise().squaredNorm().transpose();
  norms_ = squared_norms_.cwiseSqrt();
}

void OracleField::fill_posterior(const Mixture& mix, const ConstVecRef& x, Posterior& out) const {
  const double sigma = mix.sigma;
  const int n = size();
  Scratch& sc = scratch();
  Vec& logits = sc.logits;
  logits.resize(n);
  const double inv_two_var = 0.5 / (sigma * sigma);
  // Logits relative to the best centre, -(d2_k - d2_best) / (2 sigma^2): finite for the best one
  // even where every -d2_k / (2 sigma^2) would overflow (small sigma, far points).
  for (int k = 0; k < n; ++k) {
    centred(mix, x, points_.col(k), sc.diff);
    logits[k] = sc.diff.squaredNorm();
  }
  int best = 0;
  for (int k = 1; k < n; ++k)
    if (logits[k] < logits[best]) best = k;
  const double nearest_d2 = logits[best];
  for (int k = 0; k < n; ++k) logits[k] = -(logits[k] - nearest_d2) * inv_two_var;
  const double top = logits[best];

  out.m.resize(dim());
  out.offset.setZero(dim());
  double others = 0;  // sum_{j != best} exp(l_j - top)
  double second = -std::numeric_limits<double>::infinity();
  for (int j = 0; j < n; ++j) {
    if (j == best) continue;
    second = std::max(second, logits[j]);
    const double e = std::exp(logits[j] - top);
    others += e;
    // A weight that underflowed adds exact zeros: skipping it saves a pass over the data.
    if (e != 0) out.offset += e * (points_.col(j) - points_.col(best));
  }
  const double total = 1.0 + others;
  out.offset /= total;
  out.m = points_.col(best) + out.offset;
  out.nearest = best;
  out.wmax = 1.0 / total;
  // A NaN state must stay NaN here, never read as "one-hot".
  out.log_deficit = others == 0 ? -std::numeric_limits<double>::infinity()
                                : std::log(others) - std::log1p(others);
  out.margin = top - second;
}

// x - alpha m = (x - alpha y_k) - alpha (m - y_k), after fill_posterior filled p.
const Vec& OracleField::residual(const Mixture& mix, const ConstVecRef& x, const Posterior& p) const {
  Scratch& sc = scratch();
  centred(mix, x, points_.col(p.nearest), sc.residual);
  sc.residual -= mix.alpha * p.offset;
  return sc.residual;
}

void OracleField::posterior(double alpha, double sigma, const ConstVecRef& x,
                            Posterior& out) const {
  fill_posterior(Mixture::of(alpha, sigma), x, out);
}

void OracleField::posterior_at(double t, const ConstVecRef& x, Posterior& out) const {
  fill_posterior(Mixture::at(*schedule_, t), x, out);
}

void OracleField::evaluate(double t, const ConstVecRef& x, FieldValue& out) const {
  Posterior& p = scratch().post;
  const Schedule& s = *schedule_;
  const Mixture mix = Mixture::at(s, t);
  const double sigma = mix.sigma;
  fill_posterior(mix, x, p);
  const Vec& residual = this->residual(mix, x, p);
  out.m = p.m;
  out.b = s.dalpha(t) * p.m + s.log_sigma_rate(t) * residual;
  out.s = -residual / (sigma * sigma);
  out.nearest = p.nearest;
  out.wmax = p.wmax;
  out.log_deficit = p.log_deficit;
  out.margin = p.margin;
}

void OracleField::velocity(double t, const ConstVecRef& x, VecRef b) const {
  Posterior& p = scratch().post;
  const Schedule& s = *schedule_;
  const Mixture mix = Mixture::at(s, t);
  fill_posterior(mix, x, p);
  b.noalias() = s.log_sigma_rate(t) * residual(mix, x, p) + s.dalpha(t) * p.m;
}

void OracleField::score(double t, const ConstVecRef& x, VecRef out) const {
  Posterior& p = scratch().post;
  const Schedule& s = *schedule_;
  const Mixture mix = Mixture::at(s, t);
  const double sigma = mix.sigma;
  fill_posterior(mix, x, p);
  out.noalias() = -residual(mix, x, p) / (sigma * sigma);
}

void OracleField::evaluate_batch(double t, const ConstMatRef& x, FieldBatch& out) const {
  if (x.cols() != dim())
    throw std::invalid_argument("batch has " + std::to_string(x.cols()) + " columns, field has d = " +
                                std::to_string(dim()));
  ColumnBatch columns;
  evaluate_columns(t, x.transpose(), columns);
  out.b = columns.b.transpose();
  out.s = columns.s.transpose();
  out.m = columns.m.transpose();
  out.nearest = columns.nearest;
  out.wmax = columns.wmax;
  out.log_deficit = columns.log_deficit;
  out.margin = columns.margin;
}

std::pair<int, double> nearest_point(const Mat& points, const ConstVecRef& x) {
  int best = 0;
  double best_d2 = std::numeric_limits<double>::infinity();
  for (Eigen::Index k = 0; k < points.cols(); ++k) {
    const double d2 = (x - points.col(k)).squaredNorm();
    if (d2 < best_d2) { best_d2 = d2; best = static_cast<int>(k); }
  }
  if (best_d2 <= std::numeric_limits<double>::max()) return {best, std::sqrt(best_d2)};
  // Every squared distance overflowed: compare the norms, scaled against overflow.
  double best_norm = std::numeric_limits<double>::infinity();
  for (Eigen::Index k = 0; k < points.cols(); ++k) {
    const double norm = (x - points.col(k)).stableNorm();
    if (norm < best_norm) { best_norm = norm; best = static_cast<int>(k); }
  }
  return {best, best_norm};
}

}  // namespace siv
