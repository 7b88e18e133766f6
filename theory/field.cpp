#include "theory/field.hpp"

namespace siv {

int OracleVelocity::settled(double t, const ConstVecRef& x) const {
  thread_local Posterior p;
  const Schedule& s = oracle_.schedule();
  oracle_.posterior(s.alpha(t), s.sigma(t), x, p);
  return p.log_deficit < kSettledLogDeficit ? p.nearest : -1;
}

}  // namespace siv
