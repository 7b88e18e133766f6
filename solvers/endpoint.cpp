#include "solvers/endpoint.hpp"

#include <limits>
#include <stdexcept>

namespace siv {

std::string to_string(Ending e) {
  switch (e) {
    case Ending::settled: return "settled";
    case Ending::reached_end: return "reached_end";
    case Ending::step_limit: return "step_limit";
    case Ending::non_finite: return "non_finite";
    case Ending::undecidable: return "undecidable";
  }
  return "unknown";
}

void require_start(int dim, const ConstVecRef& z1) {
  if (z1.size() != dim)
    throw std::invalid_argument("start has " + std::to_string(z1.size()) +
                                " entries, field has d = " + std::to_string(dim));
  if (!z1.allFinite()) throw std::invalid_argument("start is not finite");
}

Endpoint make_endpoint(const Mat& points, Vec z, Ending ending, double t_end, long evaluations,
                       long steps) {
  Endpoint out;
  if (z.allFinite()) {
    std::tie(out.nearest, out.dist) = nearest_point(points, z);
  } else {
    out.nearest = -1;
    out.dist = std::numeric_limits<double>::infinity();
  }
  out.z = std::move(z);
  out.evaluations = evaluations;
  out.steps = steps;
  out.ending = ending;
  out.t_end = t_end;
  return out;
}

}  // namespace siv
