// Resource limits of `field` and `sample`, decided from the sizes before any work starts, and the
// input-magnitude guard that keeps squared distances finite (README, "Limits").
#pragma once

#include <string>

#include "app/csv.hpp"
#include "data/dataset.hpp"

namespace siv::app {

// Work is counted in field-term operations: one evaluation of the oracle on n points of dimension
// d costs n (d + 8) + 64 (the exponential counted as 8, the per-evaluation overhead as 64). A
// core does ~3e8 of them per second; the default limit is about 15 seconds of one core, so that
// no option value can make a command run for minutes unasked (--max-work raises it).
inline constexpr double kDefaultMaxWork = 5e9;
inline constexpr double kWorkPerSecond = 3e8;

double evaluation_cost(long n, long d);

// Throws InputError unless `work` <= max_work and `bytes` fits in half the physical memory.
// `what` describes the request, e.g. "--count 1000000 x --steps 100 euler steps".
void require_affordable(const std::string& what, double work, double bytes, double max_work);

// Worker threads for `items` independent jobs: `requested` (0 = all cores), capped at the cores
// of this machine with a warning on standard error (more threads cannot be faster, and 1e5 of
// them exhaust the process limit), and at `items`.
int worker_threads(const std::string& command, int requested, long items);

// The largest |coordinate| for dimension d such that |x - alpha y|^2 <= 4 d max^2 stays below a
// quarter of the double range.
double max_coordinate(long d);
// Throws InputError naming the file and row of the first coordinate beyond max_coordinate (after
// any scaling: the oracle's view).
void require_moderate(const data::Dataset& set);

}  // namespace siv::app
