#include "theory/field.hpp"

#include "theory/basin.hpp"

namespace siv {

// The certificate for the exact state (x rounded as given): every gap is non-decreasing from here.
int OracleVelocity::settled(double t, const ConstVecRef& x) const {
  const Schedule& s = oracle_.schedule();
  const BasinReading b = read_basin(oracle_.points(), s.alpha(t), s.sigma(t), x);
  return b.certified ? b.leader : -1;
}

}  // namespace siv
