#include "properties/training_set.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <vector>

#include "data/dataset.hpp"
#include "theory/random.hpp"

namespace siv {

Mat build_training_set(const TrainingSetSpec& spec) {
  if (!spec.data.empty())
    return data::load_dataset(spec.data, {spec.n, spec.label, data::parse_scale(spec.scale), spec.seed}).rows;
  if (spec.n < 1 || spec.d < 1 || !(spec.separation > 0) || !std::isfinite(spec.separation))
    throw std::invalid_argument("training set needs n >= 1, d >= 1 and a finite separation > 0");
  // Smallest side m with m^d >= n, plus one so that the layout is random for every n.
  long side = 1;
  while (std::pow(static_cast<double>(side), spec.d) < spec.n) ++side;
  ++side;
  const long cells = static_cast<long>(std::min(std::pow(static_cast<double>(side), spec.d), 1e15));

  Rng rng(spec.seed, /*stream=*/0x7a11);
  // n distinct cell indices by rejection on a set of at most n (cells >= 2^d n, so this is fast).
  std::vector<long> chosen;
  while (static_cast<int>(chosen.size()) < spec.n) {
    const long c = static_cast<long>(rng.uniform() * static_cast<double>(cells)) % cells;
    if (std::find(chosen.begin(), chosen.end(), c) == chosen.end()) chosen.push_back(c);
  }
  Mat points(spec.n, spec.d);
  const double spacing = 2.0 * spec.separation, centre = 0.5 * static_cast<double>(side - 1);
  for (int i = 0; i < spec.n; ++i) {
    long c = chosen[i];
    for (int j = 0; j < spec.d; ++j) {
      const double cell = static_cast<double>(c % side);
      c /= side;
      const double jitter = (rng.uniform() - 0.5) * spec.separation;
      points(i, j) = spacing * (cell - centre) + jitter;
    }
  }
  return points;
}

std::ostream& operator<<(std::ostream& os, const TrainingSetSpec& spec) {
  os << "n=" << spec.n << " d=" << spec.d << " separation=" << spec.separation
     << " set=" << spec.seed;
  if (!spec.data.empty()) {
    os << " data=" << spec.data << " scale=" << spec.scale;
    if (spec.label >= 0) os << " class=" << spec.label;
  }
  return os;
}

double min_separation(const Mat& points) {
  double best = std::numeric_limits<double>::infinity();
  const Mat columns = points.transpose();  // contiguous points: d = 784 data sets are large
  for (Eigen::Index i = 0; i < columns.cols(); ++i)
    for (Eigen::Index j = i + 1; j < columns.cols(); ++j)
      best = std::min(best, (columns.col(i) - columns.col(j)).norm());
  return best;
}

}  // namespace siv
