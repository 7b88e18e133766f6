// Convergence studies: errors over a ladder of step counts, and the rate fitted by least squares
// in log(error) = c + rate log(h), h = 1 / steps, on an asymptotic window.
//
// Window rule: sort the ladder from coarse to fine h. Points whose error is at or below the floor
// (a machine-precision level the caller passes in; exact zeros included) are "at floor"; NaN,
// infinite or negative errors are unusable. The candidates are the run of usable points above the
// floor that ends at the finest such point. The window starts as the finest min_window candidates
// and grows toward coarser h while each new local slope (between neighbouring points) lies within
// the range of the window's local slopes widened by their spread (max - min), or by
// slope_tolerance when that is larger: the asymptotic regime is at fine h, and the slopes of
// pre-asymptotic points drift out of that range.
// Why the default slope_tolerance is 0: with common random numbers the errors are a smooth
// function of h, e = C h^p (1 + a h + ...), and the local slopes drift monotonically (p + k h).
// The rule then keeps the finest 3 points; their fit is biased by 1.5 delta (delta = difference of
// the two local slopes) while its t(1 dof) 95% interval has half-width 12.7 delta / sqrt(12)
// = 3.7 delta, so the interval still covers p (for a drift k h^q, ratio-2 ladders: whenever
// q > 0.4). Longer windows shrink the interval faster than the bias and would exclude p. With
// independent noise per rung the slopes scatter, the spread is large and the window grows.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "theory/stats.hpp"

namespace siv {

struct ConvergenceOptions {
  double floor = 0;              // errors <= floor are at the precision floor, never fitted
  double confidence = 0.95;      // of the rate and constant intervals
  int min_window = 3;            // fewest points fitted
  double slope_tolerance = 0;    // least widening of the window's slope range (see above)
};

enum class ConvergenceStatus {
  fitted,          // a window of >= min_window points was fitted
  at_floor,        // every usable error sits at or below the floor: nothing to fit
  too_few_points,  // fewer than min_window usable points above the floor
};
std::string to_string(ConvergenceStatus s);

struct ConvergencePoint {
  int steps = 0;
  double h = 0;
  double error = 0;
  bool at_floor = false;
};

struct ConvergenceStudy {
  std::vector<ConvergencePoint> points;  // sorted by h, coarse to fine
  std::vector<double> local_slopes;      // [i]: between points i and i + 1 (NaN if unusable)
  ConvergenceStatus status = ConvergenceStatus::too_few_points;
  std::size_t window_begin = 0, window_end = 0;  // fitted points are [begin, end)
  LineFit fit;              // log(error) against log(h) on the window
  double rate = 0;          // fit.slope
  Interval rate_ci;         // Student-t interval at options.confidence
  Interval log_constant_ci; // of the intercept c
  double r2 = 0;
};

// Evaluates error(steps) once per rung (steps >= 1, distinct), then fits.
ConvergenceStudy convergence_study(const std::vector<int>& steps,
                                   const std::function<double(int)>& error,
                                   const ConvergenceOptions& options = {});
ConvergenceStudy fit_convergence(const std::vector<int>& steps, const std::vector<double>& errors,
                                 const ConvergenceOptions& options = {});

}  // namespace siv
