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
  TargetMoments out;
  out.centred = points.colwise() - mm.mean;
  out.weights = w / w.sum();
  out.scale = alpha * alpha / (var * var);
  out.score = -mm.residual / var;
  out.trace = out.scale * mm.spread;
  const double fourth = (out.weights.array() *
                         out.centred.colwise().squaredNorm().transpose().array().square()).sum();
  out.trace_variance = out.scale * out.scale * std::max(0.0, fourth - mm.spread * mm.spread);
  out.signal = alpha * alpha * mm.spread;
  out.residual = mm.residual.squaredNorm();
  out.fraction = out.signal / (out.signal + out.residual);
  return out;
}

Mat TargetMoments::covariance() const {
  return scale * (centred * weights.asDiagonal() * centred.transpose());
}

double TargetMoments::variance_along(const Vec& v) const {
  return scale * (weights.array() * (centred.transpose() * v).array().square()).sum();
}

double bisector_fraction(double b, double r) { return b * b / (b * b + 4 * r * r); }

}  // namespace siv
