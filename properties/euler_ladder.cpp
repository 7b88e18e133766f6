#include "properties/euler_ladder.hpp"

#include <cmath>
#include <limits>

#include "solvers/fixed_step.hpp"

namespace siv {

EulerLadder run_euler_ladder(const Scene& scene, const std::vector<int>& ladder) {
  EulerLadder out;
  const int m = scene.input().starts;
  // A distance is computed from coordinates of size ~scale with a few roundings each.
  out.floor = 64 * std::numeric_limits<double>::epsilon() * (1.0 + scene.scale());
  const Schedule& s = scene.schedule();
  Posterior post;
  Mat starts(scene.d(), m);
  for (int i = 0; i < m; ++i) starts.col(i) = scene.start(i).z;
  for (int steps : ladder) {
    EulerRung rung;
    rung.steps = steps;
    rung.h = 1.0 / steps;
    const double alpha = s.alpha(rung.h), sigma = s.sigma(rung.h);
    // All starts through one batched field call per step; the state at t = h is kept.
    Mat at_h;
    const std::vector<Endpoint> ends =
        solve_fixed_batch(scene.field(), starts, Method::euler, steps, [&](double t, const Mat& z) {
          if (std::abs(t - rung.h) < 0.5 * rung.h) at_h = z;
        });
    const double need = required_margin(scene.n(), rung.h);
    double sum_err = 0, sum_xi = 0, sum_y = 0;
    int margin_ok = 0;
    rung.min_margin_slack = std::numeric_limits<double>::infinity();
    for (int i = 0; i < m; ++i) {
      const Endpoint& end = ends[static_cast<std::size_t>(i)];
      if (end.ending == Ending::non_finite || at_h.cols() == 0) { rung.finite = false; continue; }
      scene.oracle().posterior_at(rung.h, at_h.col(i), post);
      const Vec y = scene.oracle().points().col(post.nearest);
      sum_err += end.dist * end.dist;
      sum_xi += ((at_h.col(i) - alpha * y) / sigma).squaredNorm();
      sum_y += y.squaredNorm();
      const double slack = post.margin - need;
      margin_ok += slack >= 0;
      rung.min_margin_slack = std::min(rung.min_margin_slack, slack);
    }
    rung.error = std::sqrt(sum_err / m);
    rung.xi_rms = std::sqrt(sum_xi / m);
    rung.margin_fraction = static_cast<double>(margin_ok) / m;
    out.y_rms = std::sqrt(sum_y / m);
    out.rungs.push_back(rung);
  }
  return out;
}

}  // namespace siv
