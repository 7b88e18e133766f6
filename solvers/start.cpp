#include "solvers/start.hpp"

namespace siv {

Start draw_start(const OracleField& oracle, Rng& rng) {
  const Schedule& s = oracle.schedule();
  Start out;
  out.k = rng.index(oracle.size());
  out.xi = rng.normal_vector(oracle.dim());
  out.z = s.alpha(1.0) * oracle.points().col(out.k) + s.sigma(1.0) * out.xi;
  return out;
}

}  // namespace siv
