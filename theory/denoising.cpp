#include "theory/denoising.hpp"

#include <cmath>

#include "theory/error_models.hpp"

namespace siv {

TargetMoments denoising_target(const Mat& points, double alpha, double sigma,
                               const ConstVecRef& x) {
  thread_local MixtureMoments mm;
  const double var = sigma * sigma;
  mixture_moments(points, alpha, var, x, mm);
  const Eigen::Index n = points.cols();
  thread_local Vec logits;
  logits.resize(n);
  for (Eigen::Index k = 0; k < n; ++k)
    logits[k] = -(x - alpha * points.col(k)).squaredNorm() / (2 * var);
  const Vec w = (logits.array() - logits.maxCoeff()).exp();
  const Mat centred = points.colwise() - mm.mean;
  TargetMoments out;
  const Vec p = w / w.sum();
  out.score = -mm.residual / var;
  out.covariance = (alpha * alpha / (var * var)) * (centred * p.asDiagonal() * centred.transpose());
  out.trace = alpha * alpha * mm.spread / (var * var);
  const double fourth =
      (p.array() * centred.colwise().squaredNorm().transpose().array().square()).sum();
  const double scale = alpha * alpha / (var * var);
  out.trace_variance = scale * scale * std::max(0.0, fourth - mm.spread * mm.spread);
  out.signal = alpha * alpha * mm.spread;
  out.residual = mm.residual.squaredNorm();
  out.fraction = out.signal / (out.signal + out.residual);
  return out;
}

double bisector_fraction(double b, double r) { return b * b / (b * b + 4 * r * r); }

}  // namespace siv
