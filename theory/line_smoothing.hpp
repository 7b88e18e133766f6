// Score smoothing along a line (THEORY.md section 6, claim C8).
//
// Smoothing. The empirical law is widened along a unit direction u only:
//   rho_0^W = (1/n) sum_k N(y_k, W^2 u u^T),  and at time t  q_t = (1/n) sum_k N(alpha y_k, S_t),
//   S_t = sigma^2 I + W^2 u u^T  (rho_t convolved with N(0, W^2 u u^T): the empirical score
// averaged over a Gaussian kernel of width W acting along u). Its score is s_W = -S^-1 (x - alpha m_S), m_S
// the posterior mean under the weights softmax_k(-|x - alpha y_k|^2_{S^-1} / 2), and
//   b_W = alpha' m_S + (1/2) S' S^-1 (x - alpha m_S)
//       = alpha' m_S + (sigma'/sigma) P (x - alpha m_S) + (sigma sigma'/V) u u^T (x - alpha m_S),
// P = I - u u^T, V = sigma^2 + W^2. Each component N(alpha y_k, S_t) is carried by
// alpha' y_k + (1/2) S' S^-1 (x - alpha y_k) (S_t commute), so the w-weighted sum carries q_t: b_W
// satisfies the continuity equation of q_t and the ODE from Z_1 ~ q_1 gives Z_t ~ q_t for every t.
//
// Points on a line, y_k = c + a_k u with u.c = 0: P y_k = c for every k, so
//   P b_W = alpha' c + (sigma'/sigma)(P x - alpha c)  and  N_t := P Z_t - alpha(t) c  obeys
//   N' = (sigma'/sigma) N:  N_t = (sigma(t)/sigma(1)) N_1  exactly, for every W (the
//   unsmoothed rate).
// The weights depend on x only through T = u.x (the normal parts of x - alpha y_k coincide), and
// T' = alpha' m_T + (sigma sigma'/V)(T - alpha m_T) is the 1-D oracle flow of the schedule
// (alpha, sqrt V): T_t ~ (1/n) sum_k N(alpha(t) a_k, sigma(t)^2 + W^2), at t = 0 N(a_k, W^2).
#pragma once

#include "theory/field.hpp"

namespace siv {

class LineSmoothedField final : public Field {
 public:
  // direction: any nonzero vector (normalised here); width W >= 0 and finite. Throws
  // std::invalid_argument otherwise, or when the direction's size is not the oracle's dimension.
  LineSmoothedField(const OracleField& oracle, const ConstVecRef& direction, double width);

  int dim() const override { return oracle_.dim(); }
  const Schedule& schedule() const override { return oracle_.schedule(); }
  const Mat& points() const override { return oracle_.points(); }
  void velocity(double t, const ConstVecRef& x, VecRef b) const override;
  void score(double t, const ConstVecRef& x, VecRef s) const override;
  int settled(double, const ConstVecRef&) const override { return -1; }

  const Vec& direction() const { return u_; }
  double width() const { return width_; }
  double tangent_variance(double t) const;  // V = sigma(t)^2 + W^2

 private:
  // m_S and r = x - alpha m_S, formed from the nearest centre (accurate near one-hot weights).
  void posterior(double t, const ConstVecRef& x, Vec& mean, Vec& residual) const;

  const OracleField& oracle_;
  Vec u_;
  double width_;
};

// CDF at x of the 1-D mixture (1/n) sum_k N(centres_k, var), var > 0.
double mixture_cdf(const Vec& centres, double var, double x);

// P[|X - c_j| < delta for some j] for X from that mixture: the mass of the windows of half-width
// delta around the centres (windows that overlap are counted once).
double window_mass(const Vec& centres, double var, double delta);

}  // namespace siv
