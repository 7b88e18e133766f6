#include "theory/basin.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace siv {
namespace {

constexpr double kEps = std::numeric_limits<double>::epsilon();
// Gaps beyond this are invisible in double precision (e^-40 < 2^-57): such a point may move by
// up to g_j - kInvisibleGap within one step without ever mattering to it.
constexpr double kInvisibleGap = 40.0;

// x - alpha y with one rounding per entry (as the oracle forms its logits).
double centred_sq(double alpha, const ConstVecRef& x, const ConstVecRef& y, Vec& out) {
  for (Eigen::Index i = 0; i < x.size(); ++i) out[i] = std::fma(-alpha, y[i], x[i]);
  return out.squaredNorm();
}

}  // namespace

BasinReading read_basin(const Mat& points, double alpha, double sigma, const ConstVecRef& x,
                        const BasinErrors& errors) {
  const Eigen::Index n = points.cols(), d = points.rows();
  thread_local Vec logits, diff, r, gdot, dist;
  logits.resize(n);
  diff.resize(d);
  const double inv_two_var = 0.5 / (sigma * sigma);
  for (Eigen::Index i = 0; i < n; ++i) logits[i] = -centred_sq(alpha, x, points.col(i), diff) * inv_two_var;
  Eigen::Index k = 0;
  for (Eigen::Index i = 1; i < n; ++i)
    if (logits[i] > logits[k]) k = i;

  BasinReading out;
  out.leader = static_cast<int>(k);
  out.max_step = std::numeric_limits<double>::infinity();
  const double lambda = alpha / sigma;
  const auto yk = points.col(k);
  double ymax = 0, total = 0, cluster = 0, reach = 0, closest = std::numeric_limits<double>::infinity();
  r.setZero(d);
  dist.resize(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    ymax = std::max(ymax, points.col(i).norm());
    dist[i] = (points.col(i) - yk).norm();
    const double w = std::exp(logits[i] - logits[k]);
    total += w;
    if (dist[i] == 0) {
      cluster += w;
      out.copies += i != k;
    } else {
      r += w * (points.col(i) - yk);
      reach = std::max(reach, dist[i]);
      closest = std::min(closest, dist[i]);
    }
  }
  r /= total;
  if (!(reach > 0)) {  // a single point, up to duplicates: nothing to decide
    out.certified = std::isfinite(total);
    return out;
  }
  // Rounding of u = x / sigma and of the centres alpha y_i, in standardized units.
  out.resolution = 2 * kEps * std::sqrt(static_cast<double>(d)) * (x.norm() / sigma + lambda * ymax);
  const double error = errors.state + out.resolution;

  // Gap rates dg_j/dlambda = delta . (u - lambda y_j + lambda r), and the rate of m.
  gdot.resize(n);
  double m_rate = 0;
  for (Eigen::Index j = 0; j < n; ++j) {
    if (dist[j] == 0) continue;
    double s = 0;
    for (Eigen::Index i = 0; i < d; ++i)
      s += (yk[i] - points(i, j)) * (std::fma(-alpha, points(i, j), x[i]) / sigma + lambda * r[i]);
    gdot[j] = s;
    m_rate += 2 * std::exp(logits[j] - logits[k]) / total * dist[j] * std::abs(s);
  }

  const double rho = closest / (2 * reach);
  double widest = 0;  // largest uncertainty of a gap over the error ball
  double odds = 0;  // sum over j outside the cluster of w_j / w_C, at the worst state of the ball
  for (Eigen::Index j = 0; j < n; ++j) {
    if (dist[j] == 0) continue;
    const double gap = logits[k] - logits[j];
    const double scaled = lambda * dist[j];
    const double uncertainty = scaled * error + errors.lambda * std::abs(gdot[j]) +
                               4 * kEps * (std::abs(logits[k]) + std::abs(logits[j]));
    const double robust = gap - uncertainty;
    if (!(robust > 0)) {
      out.ambiguous = true;
      if (scaled >= 1 && error >= scaled / 4) out.unresolvable = true;
    }
    odds += std::exp(-robust) / cluster;
    widest = std::max(widest, uncertainty);
    // Predicted |change of g_j| over a step h: |gdot| h + K h^2 / 2, K bounding d2g/dlambda2 =
    // |delta|^2 + 2 delta . r + lambda delta . dm/dlambda.
    const double a = std::abs(gdot[j]);
    const double curve = dist[j] * (dist[j] + 2 * r.norm() + lambda * m_rate);
    const double allowed = std::max(1.0, gap - kInvisibleGap);
    out.max_step = std::min(out.max_step, 2 * allowed / (a + std::sqrt(a * a + 2 * curve * allowed)));
  }
  // |dm/du| = lambda |Cov_w| <= lambda tr Cov_w; over the ball each weight ratio moves by at most
  // e^(2 widest).
  double variance = 0;
  for (Eigen::Index i = 0; i < n; ++i)
    variance += std::exp(logits[i] - logits[k]) / total * (points.col(i) - yk - r).squaredNorm();
  out.growth = lambda * variance * std::exp(std::min(2 * widest, 700.0));
  out.certified = !out.ambiguous && odds / (1 + odds) < rho;
  return out;
}

}  // namespace siv
