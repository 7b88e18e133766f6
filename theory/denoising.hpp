// The denoising score-matching target as a noisy proxy of the score (THEORY.md section 6, C9).
//
// With x_t = alpha y + sigma z, y uniform on Y and z ~ N(0, I), the target is -z/sigma =
// -(x_t - alpha y)/sigma^2. Given x_t = x, y is y_k with the posterior weights w_k(x) (Bayes), so
//   E[target | x] = -(x - alpha m)/sigma^2 = s*(t, x),
//   Cov[target | x] = (alpha^2 / sigma^4) Cov_w(y) =: C(t, x)      (x is fixed; y carries the law).
// Second-order Tweedie: grad_x s* = -(I - alpha dm/dx)/sigma^2 with dm/dx = (alpha/sigma^2) Cov_w,
// so C = grad s* + I/sigma^2 (a second, independent route to C).
// Variance fraction f = tr C / (tr C + |s*|^2)
//                    = alpha^2 tr Cov_w / (alpha^2 tr Cov_w + |x - alpha m|^2).
//
// n = 2, y_2 - y_1 = Delta, b = alpha |Delta|; write x = alpha (y_1 + y_2)/2 + a e + v with
// e = Delta/|Delta| and v perpendicular to e. The logit difference is a b / sigma^2, so
// w_2 = logistic(a b / sigma^2), Cov_w = w_1 w_2 Delta Delta^T and
//   f(a, v) = b^2 w_1 w_2 / (b^2 w_1 w_2 + (a - b (w_2 - 1/2))^2 + |v|^2).
// Since w_1 w_2 <= 1/4 with equality iff a = 0 and N/(N + Q) grows with N and falls with Q, on
// every line parallel to Delta (fixed v) f is largest where it crosses the bisector a = 0:
//   f(0, v) = b^2 / (b^2 + 4 |v|^2),  strictly larger than at every a != 0 when v != 0.
// (On the axis v = 0, f = 1 also wherever s* = 0: at the two modes of rho_t when b > 2 sigma.)
#pragma once

#include "theory/oracle.hpp"

namespace siv {

struct TargetMoments {
  Vec score;         // s* = E[target | x]
  Vec weights;       // posterior weights w_k(x)
  Mat centred;       // d x n: y_k - m
  double scale = 0;  // alpha^2 / sigma^4
  double trace = 0;  // tr C
  // Var(|target - s*|^2 | x) = (alpha^4 / sigma^8) (sum_k w_k |y_k - m|^4 - (tr Cov_w)^2): what a
  // test of E|target - s*|^2 = tr C normalises by (target - s* = alpha (y - m)/sigma^2).
  double trace_variance = 0;
  // The fraction's two terms without the common sigma^-4 factor (no overflow at small sigma):
  double signal = 0;    // alpha^2 tr Cov_w(y) = sigma^4 tr C
  double residual = 0;  // |x - alpha m|^2 = sigma^4 |s*|^2
  double fraction = 0;  // tr C / (tr C + |s*|^2) = signal / (signal + residual)

  // C = (alpha^2 / sigma^4) Cov_w(y): d x d, O(n d^2) (minutes over many draws at d = 784).
  Mat covariance() const;
  // v^T C v in O(n d).
  double variance_along(const Vec& v) const;
};

// points: d x n (column k is y_k); sigma > 0.
TargetMoments denoising_target(const Mat& points, double alpha, double sigma, const ConstVecRef& x);

// The n = 2 fraction on the bisector at distance r from the axis: b^2 / (b^2 + 4 r^2),
// b = alpha |Delta|.
double bisector_fraction(double b, double r);

}  // namespace siv
