#include "solvers/euler_maruyama.hpp"

#include "solvers/grid.hpp"

#include <cmath>
#include <stdexcept>

namespace siv {

namespace {

void require_noise(const Field& field, int steps, const BrownianPath& noise) {
  if (steps < 1 || noise.finest_steps() % steps != 0)
    throw std::invalid_argument("solve_euler_maruyama: steps must divide the Brownian grid of " +
                                std::to_string(noise.finest_steps()));
  if (noise.dim() != field.dim())
    throw std::invalid_argument("solve_euler_maruyama: Brownian path has the wrong dimension");
}

}  // namespace

Endpoint solve_euler_maruyama(const Field& field, const ConstVecRef& z1, const Diffusion& eps,
                              int steps, const BrownianPath& noise, const Observer& observer) {
  require_start(field.dim(), z1);
  require_noise(field, steps, noise);
  const int d = field.dim();
  const Schedule& schedule = field.schedule();
  const double h = 1.0 / steps;
  long evaluations = 0;
  Vec drift(d), score(d), dw(d);
  return march_grid(field, z1, steps, observer, evaluations,
                    [&](int j, double t, double, Vec& z) {
                      const double e = eps(schedule, t);
                      field.velocity(t, z, drift);
                      ++evaluations;
                      // With e = 0 only the drift update runs, so the path equals solve_fixed's
                      // Euler bit for bit.
                      if (e != 0) {
                        field.score(t, z, score);
                        ++evaluations;
                        noise.increment(steps, j, dw);
                        drift -= e * score;
                        z.noalias() -= h * drift;
                        z.noalias() += std::sqrt(2 * e) * dw;
                      } else {
                        z.noalias() -= h * drift;
                      }
                    });
}

std::vector<Endpoint> solve_euler_maruyama_batch(const Field& field, const ConstMatRef& z1,
                                                 const Diffusion& eps, int steps,
                                                 const std::vector<const BrownianPath*>& noise,
                                                 const BatchObserver& observer) {
  if (noise.size() != static_cast<std::size_t>(z1.cols()))
    throw std::invalid_argument("solve_euler_maruyama_batch: one Brownian path per start needed");
  for (Eigen::Index i = 0; i < z1.cols(); ++i) {
    require_start(field.dim(), z1.col(i));
    require_noise(field, steps, *noise[i]);
  }
  const Eigen::Index d = field.dim(), m = z1.cols();
  const Schedule& schedule = field.schedule();
  const double h = 1.0 / steps;
  Mat drift(d, m), score(d, m);
  Vec dw(d);
  return march_grid_batch(
      field, z1, steps, observer,
      [&](int j) { return eps(schedule, static_cast<double>(j) / steps) != 0 ? 2L : 1L; },
      [&](int j, double t, double, Mat& z) {
        const double e = eps(schedule, t);
        field.velocity_score_batch(t, z, drift, score);
        // Column by column the arithmetic of solve_euler_maruyama.
        if (e != 0) {
          drift -= e * score;
          z.noalias() -= h * drift;
          for (Eigen::Index i = 0; i < m; ++i) {
            noise[i]->increment(steps, j, dw);
            z.col(i).noalias() += std::sqrt(2 * e) * dw;
          }
        } else {
          z.noalias() -= h * drift;
        }
      });
}

}  // namespace siv
