#include "solvers/endpoint.hpp"

namespace siv {

std::string to_string(Ending e) {
  switch (e) {
    case Ending::settled: return "settled";
    case Ending::reached_end: return "reached_end";
    case Ending::step_limit: return "step_limit";
    case Ending::non_finite: return "non_finite";
  }
  return "unknown";
}

}  // namespace siv
