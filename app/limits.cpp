#include "app/limits.hpp"

#include <unistd.h>

#include <cfloat>
#include <cmath>
#include <cstdio>
#include <thread>

namespace siv::app {
namespace {

double physical_bytes() {
  const long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && size > 0 ? static_cast<double>(pages) * static_cast<double>(size) : 4e9;
}

// Three significant digits: the figures of a refusal are estimates.
std::string rough(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3g", v);
  return buffer;
}

}  // namespace

double evaluation_cost(long n, long d) {
  return static_cast<double>(n) * static_cast<double>(d + 8) + 64;
}

void require_affordable(const std::string& what, double work, double bytes, double max_work) {
  if (!(work <= max_work))
    throw InputError(what + " is estimated at " + rough(work) +
                     " field-term operations, over the limit --max-work " + rough(max_work) +
                     " (about " + rough(max_work / kWorkPerSecond) +
                     " s of one core); reduce the request or raise --max-work");
  const double memory = physical_bytes() / 2;
  if (!(bytes <= memory))
    throw InputError(what + " needs about " + rough(bytes / 1e9) +
                     " GB of memory for its result, over the limit of half this machine's memory (" +
                     rough(memory / 1e9) + " GB); reduce the request");
}

int worker_threads(const std::string& command, int requested, long items) {
  const int cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  int threads = requested == 0 ? cores : requested;
  if (threads > cores) {
    std::fprintf(stderr,
                 "siverify %s: warning: --threads %d exceeds the %d cores of this machine; using "
                 "%d (the output does not depend on it)\n",
                 command.c_str(), requested, cores, cores);
    threads = cores;
  }
  return static_cast<int>(std::max<long>(1, std::min<long>(threads, items)));
}

double max_coordinate(long d) { return std::sqrt(DBL_MAX / (16.0 * static_cast<double>(d))); }

void require_moderate(const data::Dataset& set) {
  const double limit = max_coordinate(set.rows.cols());
  for (Eigen::Index i = 0; i < set.rows.rows(); ++i)
    for (Eigen::Index j = 0; j < set.rows.cols(); ++j)
      if (!(std::abs(set.rows(i, j)) <= limit))
        throw InputError(set.where(i) + ": column " + std::to_string(j + 1) + ": " +
                         format_number(set.rows(i, j)) + " exceeds " + format_number(limit) +
                         " in magnitude, where squared distances in d = " +
                         std::to_string(set.rows.cols()) + " would overflow double precision");
}

}  // namespace siv::app
