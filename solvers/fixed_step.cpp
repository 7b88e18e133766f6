#include "solvers/fixed_step.hpp"

#include "solvers/grid.hpp"

#include <stdexcept>

namespace siv {

std::string to_string(Method m) {
  switch (m) {
    case Method::euler: return "euler";
    case Method::heun: return "heun";
    case Method::rk4: return "rk4";
  }
  return "unknown";
}

Endpoint solve_fixed(const Field& field, const ConstVecRef& z1, Method method, int steps,
                     const Observer& observer) {
  require_start(field.dim(), z1);
  if (steps < 1) throw std::invalid_argument("solve_fixed: steps must be >= 1");
  const int d = field.dim();
  const double h = 1.0 / steps;
  long evaluations = 0;
  const auto b = [&](double t, const ConstVecRef& x, VecRef out) {
    ++evaluations;
    field.velocity(t, x, out);
  };

  Vec k1(d), k2(d), k3(d), k4(d), probe(d);
  return march_grid(field, z1, steps, observer, evaluations,
                    [&](int j, double t, double t_next, Vec& z) {
                      const double t_mid = (j - 0.5) / steps;
                      b(t, z, k1);
                      if (method == Method::euler || j == 1) {
                        z.noalias() -= h * k1;
                      } else if (method == Method::heun) {
                        probe = z - h * k1;
                        b(t_next, probe, k2);
                        z.noalias() -= (0.5 * h) * (k1 + k2);
                      } else {
                        probe = z - (0.5 * h) * k1;
                        b(t_mid, probe, k2);
                        probe = z - (0.5 * h) * k2;
                        b(t_mid, probe, k3);
                        probe = z - h * k3;
                        b(t_next, probe, k4);
                        z.noalias() -= (h / 6) * (k1 + 2 * k2 + 2 * k3 + k4);
                      }
                    });
}

std::vector<Endpoint> solve_fixed_batch(const Field& field, const ConstMatRef& z1, Method method,
                                        int steps, const BatchObserver& observer) {
  for (Eigen::Index i = 0; i < z1.cols(); ++i) require_start(field.dim(), z1.col(i));
  if (steps < 1) throw std::invalid_argument("solve_fixed_batch: steps must be >= 1");
  const double h = 1.0 / steps;
  const Eigen::Index d = field.dim(), m = z1.cols();
  Mat k1(d, m), k2(d, m), k3(d, m), k4(d, m), probe(d, m);
  const long stages = method == Method::euler ? 1 : method == Method::heun ? 2 : 4;
  return march_grid_batch(
      field, z1, steps, observer, [&](int j) { return j == 1 ? 1L : stages; },
      [&](int j, double t, double t_next, Mat& z) {
        const double t_mid = (j - 0.5) / steps;
        field.velocity_batch(t, z, k1);
        if (method == Method::euler || j == 1) {
          z.noalias() -= h * k1;
        } else if (method == Method::heun) {
          probe = z - h * k1;
          field.velocity_batch(t_next, probe, k2);
          z.noalias() -= (0.5 * h) * (k1 + k2);
        } else {
          probe = z - (0.5 * h) * k1;
          field.velocity_batch(t_mid, probe, k2);
          probe = z - (0.5 * h) * k2;
          field.velocity_batch(t_mid, probe, k3);
          probe = z - h * k3;
          field.velocity_batch(t_next, probe, k4);
          z.noalias() -= (h / 6) * (k1 + 2 * k2 + 2 * k3 + k4);
        }
      });
}

}  // namespace siv
