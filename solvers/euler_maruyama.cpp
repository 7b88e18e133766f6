#include "solvers/euler_maruyama.hpp"

#include "solvers/grid.hpp"

#include <cmath>
#include <stdexcept>

namespace siv {

Endpoint solve_euler_maruyama(const Field& field, const ConstVecRef& z1, const Diffusion& eps,
                              int steps, const BrownianPath& noise, const Observer& observer) {
  require_start(field.dim(), z1);
  if (steps < 1 || noise.finest_steps() % steps != 0)
    throw std::invalid_argument("solve_euler_maruyama: steps must divide the Brownian grid of " +
                                std::to_string(noise.finest_steps()));
  if (noise.dim() != field.dim())
    throw std::invalid_argument("solve_euler_maruyama: Brownian path has the wrong dimension");
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

}  // namespace siv
