// What every generation run returns, and the observer type passed to solvers.
#pragma once

#include <functional>
#include <string>

#include "theory/oracle.hpp"

namespace siv {

enum class Ending {
  settled,      // basin certified for the state and its error bound: finished in closed form (exact y_k)
  reached_end,  // integrated down to the final time
  step_limit,   // the step-count guard fired (singular or stiff field)
  non_finite,   // the state or field became NaN or infinite
  undecidable,  // double precision or the tolerance cannot tell which of two nearby points the
                // path ends at, or it ends at a point the data holds more than once: Z_0 is the
                // current leader y_k, the index is not trustworthy
};
std::string to_string(Ending e);

struct Endpoint {
  Vec z;                  // Z_0
  int nearest = -1;       // nearest training point (0-based row of Y)
  double dist = 0;        // |Z_0 - y_nearest|
  long evaluations = 0;   // field evaluations
  long steps = 0;         // accepted steps
  Ending ending = Ending::reached_end;
  double t_end = 0;       // time at which integration stopped (0 unless settled earlier)
};

// Called as observer(t, z) after every accepted step, starting with (1, z1).
using Observer = std::function<void(double, const Vec&)>;
// The batched solvers' observer: z is d x M, column i the state of sample i.
using BatchObserver = std::function<void(double, const Mat&)>;

// Throws std::invalid_argument unless z1 has dim entries, all finite.
void require_start(int dim, const ConstVecRef& z1);

// The Endpoint of state z against the training points (d x n): nearest point and distance when z
// is finite; nearest = -1 and dist = +inf otherwise.
Endpoint make_endpoint(const Mat& points, Vec z, Ending ending, double t_end, long evaluations,
                       long steps);

}  // namespace siv
