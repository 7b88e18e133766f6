#include "theory/oracle.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace siv {
namespace {

// x - alpha y_k with a single rounding (fma): at sigma ~ 1e-8 the difference is ~1e-8 while the
// rounding of alpha * y_k alone would be ~1e-16 |y_k|, costing eight digits.
void centred(double alpha, const ConstVecRef& x, const ConstVecRef& y, Vec& out) {
  out.resize(x.size());
  for (Eigen::Index j = 0; j < x.size(); ++j) out[j] = std::fma(-alpha, y[j], x[j]);
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

OracleField::OracleField(const Mat& data, SchedulePtr schedule)
    : points_(data.transpose()), schedule_(std::move(schedule)) {
  if (data.rows() < 1 || data.cols() < 1)
    throw std::invalid_argument("training set is empty");
  if (!data.allFinite()) throw std::invalid_argument("training set has non-finite values");
  if (!schedule_) throw std::invalid_argument("no schedule");
}

void OracleField::fill_posterior(double alpha, double sigma, const ConstVecRef& x,
                                 Posterior& out) const {
  const int n = size();
  Scratch& sc = scratch();
  Vec& logits = sc.logits;
  logits.resize(n);
  const double inv_two_var = 0.5 / (sigma * sigma);
  // Logits relative to the best centre, -(d2_k - d2_best) / (2 sigma^2): finite for the best one
  // even where every -d2_k / (2 sigma^2) would overflow (small sigma, far points).
  for (int k = 0; k < n; ++k) {
    centred(alpha, x, points_.col(k), sc.diff);
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
    out.offset += e * (points_.col(j) - points_.col(best));
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
const Vec& OracleField::residual(double alpha, const ConstVecRef& x, const Posterior& p) const {
  Scratch& sc = scratch();
  centred(alpha, x, points_.col(p.nearest), sc.residual);
  sc.residual -= alpha * p.offset;
  return sc.residual;
}

void OracleField::posterior(double alpha, double sigma, const ConstVecRef& x,
                            Posterior& out) const {
  fill_posterior(alpha, sigma, x, out);
}

void OracleField::evaluate(double t, const ConstVecRef& x, FieldValue& out) const {
  Posterior& p = scratch().post;
  const Schedule& s = *schedule_;
  const double alpha = s.alpha(t), sigma = s.sigma(t);
  fill_posterior(alpha, sigma, x, p);
  const Vec& residual = this->residual(alpha, x, p);
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
  const double alpha = s.alpha(t);
  fill_posterior(alpha, s.sigma(t), x, p);
  b.noalias() = s.log_sigma_rate(t) * residual(alpha, x, p) + s.dalpha(t) * p.m;
}

void OracleField::score(double t, const ConstVecRef& x, VecRef out) const {
  Posterior& p = scratch().post;
  const Schedule& s = *schedule_;
  const double alpha = s.alpha(t), sigma = s.sigma(t);
  fill_posterior(alpha, sigma, x, p);
  out.noalias() = -residual(alpha, x, p) / (sigma * sigma);
}

void OracleField::evaluate_batch(double t, const ConstMatRef& x, FieldBatch& out) const {
  if (x.cols() != dim())
    throw std::invalid_argument("batch has " + std::to_string(x.cols()) + " columns, field has d = " +
                                std::to_string(dim()));
  const Eigen::Index rows = x.rows();
  out.b.resize(rows, dim());
  out.s.resize(rows, dim());
  out.m.resize(rows, dim());
  out.nearest.resize(rows);
  out.wmax.resize(rows);
  out.log_deficit.resize(rows);
  out.margin.resize(rows);
  const Schedule& s = *schedule_;
  const double alpha = s.alpha(t), sigma = s.sigma(t);
  const double dalpha = s.dalpha(t), rate = s.log_sigma_rate(t), var = sigma * sigma;
  Posterior& p = scratch().post;
  Vec xi(dim());
  for (Eigen::Index i = 0; i < rows; ++i) {
    xi = x.row(i).transpose();
    fill_posterior(alpha, sigma, xi, p);
    const Vec& residual = this->residual(alpha, xi, p);
    out.m.row(i) = p.m.transpose();
    out.b.row(i) = (dalpha * p.m + rate * residual).transpose();
    out.s.row(i) = (-residual / var).transpose();  // as in evaluate(): bitwise equal
    out.nearest[i] = p.nearest;
    out.wmax[i] = p.wmax;
    out.log_deficit[i] = p.log_deficit;
    out.margin[i] = p.margin;
  }
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
