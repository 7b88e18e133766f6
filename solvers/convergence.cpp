#include "solvers/convergence.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace siv {
namespace {

// Exact zeros count as at the floor (an exact method); negative or non-finite errors are unusable.
bool at_floor(double error, double floor) { return error >= 0 && error <= floor; }
bool above_floor(const ConvergencePoint& p) {
  return std::isfinite(p.error) && p.error > 0 && !p.at_floor;
}

}  // namespace

std::string to_string(ConvergenceStatus s) {
  switch (s) {
    case ConvergenceStatus::fitted: return "fitted";
    case ConvergenceStatus::at_floor: return "at_floor";
    case ConvergenceStatus::too_few_points: return "too_few_points";
  }
  return "unknown";
}

ConvergenceStudy convergence_study(const std::vector<int>& steps,
                                   const std::function<double(int)>& error,
                                   const ConvergenceOptions& options) {
  std::vector<double> errors;
  errors.reserve(steps.size());
  for (int s : steps) errors.push_back(error(s));
  return fit_convergence(steps, errors, options);
}

ConvergenceStudy fit_convergence(const std::vector<int>& steps, const std::vector<double>& errors,
                                 const ConvergenceOptions& options) {
  if (steps.size() != errors.size())
    throw std::invalid_argument("fit_convergence: steps and errors differ in length");
  if (options.min_window < 3) throw std::invalid_argument("fit_convergence: min_window must be >= 3");
  ConvergenceStudy out;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (steps[i] < 1) throw std::invalid_argument("fit_convergence: steps must be >= 1");
    const double h = 1.0 / steps[i];
    out.points.push_back({steps[i], h, errors[i], at_floor(errors[i], options.floor)});
  }
  std::sort(out.points.begin(), out.points.end(),
            [](const auto& a, const auto& b) { return a.h > b.h; });
  for (std::size_t i = 1; i < out.points.size(); ++i)
    if (out.points[i].h == out.points[i - 1].h)
      throw std::invalid_argument("fit_convergence: repeated step count");

  const auto& pts = out.points;
  const auto above = [&](std::size_t i) { return above_floor(pts[i]); };
  for (std::size_t i = 0; i + 1 < pts.size(); ++i)
    out.local_slopes.push_back(above(i) && above(i + 1)
                                   ? std::log(pts[i + 1].error / pts[i].error) /
                                         std::log(pts[i + 1].h / pts[i].h)
                                   : std::numeric_limits<double>::quiet_NaN());

  // Candidate run: ends at the finest point above the floor, extends coarser while usable.
  std::size_t end = pts.size();
  while (end > 0 && !above(end - 1)) --end;
  if (end == 0) {
    const bool any_floor = std::any_of(pts.begin(), pts.end(), [](auto& p) { return p.at_floor; });
    out.status = any_floor ? ConvergenceStatus::at_floor : ConvergenceStatus::too_few_points;
    return out;
  }
  std::size_t run_begin = end - 1;
  while (run_begin > 0 && above(run_begin - 1)) --run_begin;
  const auto min_window = static_cast<std::size_t>(options.min_window);
  if (end - run_begin < min_window) {
    out.status = ConvergenceStatus::too_few_points;
    return out;
  }

  // Local slopes of window [begin, end) are local_slopes[begin .. end - 2].
  std::size_t begin = end - min_window;
  const auto [first_lo, first_hi] =
      std::minmax_element(out.local_slopes.begin() + static_cast<std::ptrdiff_t>(begin),
                          out.local_slopes.begin() + static_cast<std::ptrdiff_t>(end - 1));
  double lo = *first_lo, hi = *first_hi;
  while (begin > run_begin) {
    const double allowance = std::max(hi - lo, options.slope_tolerance);
    const double next = out.local_slopes[begin - 1];
    if (!(next >= lo - allowance && next <= hi + allowance)) break;
    lo = std::min(lo, next);
    hi = std::max(hi, next);
    --begin;
  }
  out.window_begin = begin;
  out.window_end = end;

  std::vector<double> log_h, log_e;
  for (std::size_t i = begin; i < end; ++i) {
    log_h.push_back(std::log(pts[i].h));
    log_e.push_back(std::log(pts[i].error));
  }
  out.fit = fit_line(log_h, log_e);
  out.rate = out.fit.slope;
  out.rate_ci = out.fit.slope_interval(options.confidence);
  out.log_constant_ci = out.fit.intercept_interval(options.confidence);
  out.r2 = out.fit.r2;
  out.status = ConvergenceStatus::fitted;
  return out;
}

}  // namespace siv
