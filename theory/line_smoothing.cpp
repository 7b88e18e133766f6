#include "theory/line_smoothing.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace siv {

LineSmoothedField::LineSmoothedField(const OracleField& oracle, const ConstVecRef& direction,
                                     double width)
    : oracle_(oracle), u_(direction), width_(width) {
  if (direction.size() != oracle.dim() || !(direction.norm() > 0) || !direction.allFinite())
    throw std::invalid_argument(
        "line smoothing: the direction must be a finite nonzero vector of "
        "the data's dimension");
  if (!(width >= 0) || !std::isfinite(width))
    throw std::invalid_argument("line smoothing: W must be finite and >= 0");
  u_ /= u_.norm();
}

double LineSmoothedField::tangent_variance(double t) const {
  const double sigma = schedule().sigma(t);
  return sigma * sigma + width_ * width_;
}

void LineSmoothedField::posterior(double t, const ConstVecRef& x, Vec& mean, Vec& residual) const {
  const Mat& y = points();
  const Eigen::Index n = y.cols(), d = y.rows();
  const double alpha = schedule().alpha(t), sigma = schedule().sigma(t);
  const double var = tangent_variance(t);
  thread_local Vec logits, diff;
  logits.resize(n);
  diff.resize(d);
  // |r|^2_{S^-1} = |P r|^2 / sigma^2 + (u.r)^2 / V, P r formed explicitly (no |r|^2 - (u.r)^2
  // cancellation); differences rounded once, as in the oracle.
  for (Eigen::Index k = 0; k < n; ++k) {
    for (Eigen::Index j = 0; j < d; ++j) diff[j] = std::fma(-alpha, y(j, k), x[j]);
    const double along = u_.dot(diff);
    logits[k] = -((diff - along * u_).squaredNorm() / (sigma * sigma) + along * along / var) / 2;
  }
  Eigen::Index best = 0;
  const double top = logits.maxCoeff(&best);
  thread_local Vec offset;
  offset.setZero(d);
  double total = 1;
  for (Eigen::Index k = 0; k < n; ++k) {
    if (k == best) continue;
    const double w = std::exp(logits[k] - top);
    total += w;
    offset += w * (y.col(k) - y.col(best));
  }
  offset /= total;
  mean = y.col(best) + offset;
  residual.resize(d);
  for (Eigen::Index j = 0; j < d; ++j)
    residual[j] = std::fma(-alpha, y(j, best), x[j]) - alpha * offset[j];
}

void LineSmoothedField::velocity(double t, const ConstVecRef& x, VecRef b) const {
  thread_local Vec mean, residual;
  posterior(t, x, mean, residual);
  const Schedule& s = schedule();
  const double along = u_.dot(residual);
  b.noalias() = s.dalpha(t) * mean + s.log_sigma_rate(t) * (residual - along * u_) +
                (s.sigma_dsigma(t) / tangent_variance(t) * along) * u_;
}

void LineSmoothedField::score(double t, const ConstVecRef& x, VecRef out) const {
  thread_local Vec mean, residual;
  posterior(t, x, mean, residual);
  const double sigma = schedule().sigma(t);
  const double along = u_.dot(residual);
  out.noalias() = -(residual - along * u_) / (sigma * sigma) - (along / tangent_variance(t)) * u_;
}

double mixture_cdf(const Vec& centres, double var, double x) {
  const double scale = std::sqrt(2 * var);
  double sum = 0;
  for (Eigen::Index k = 0; k < centres.size(); ++k)
    sum += 0.5 * std::erfc(-(x - centres[k]) / scale);
  return sum / static_cast<double>(centres.size());
}

double window_mass(const Vec& centres, double var, double delta) {
  std::vector<double> c(centres.data(), centres.data() + centres.size());
  std::sort(c.begin(), c.end());
  double mass = 0;
  for (std::size_t i = 0; i < c.size();) {
    const double lo = c[i] - delta;
    double hi = c[i] + delta;
    while (++i < c.size() && c[i] - delta <= hi) hi = c[i] + delta;
    mass += mixture_cdf(centres, var, hi) - mixture_cdf(centres, var, lo);
  }
  return mass;
}

}  // namespace siv
