// RapidCheck generators for claim checks and tests. Every generator shrinks toward small, simple,
// readable cases: n and d toward 1, separations and step sizes toward round values, seeds toward 0.
#pragma once

#include <cmath>
#include <ostream>
#include <string>

#include <rapidcheck.h>

#include "properties/training_set.hpp"

namespace siv::gen {

// 10^(k / steps_per_decade) for an integer k between log10(lo) and log10(hi) decades, shrinking
// toward 10^0 = 1 when 1 lies in [lo, hi], else toward the end nearer to 1.
inline rc::Gen<double> log_uniform(double lo, double hi, int steps_per_decade = 20) {
  const int kmin = static_cast<int>(std::ceil(std::log10(lo) * steps_per_decade - 1e-9));
  const int kmax = static_cast<int>(std::floor(std::log10(hi) * steps_per_decade + 1e-9));
  const int target = std::clamp(0, kmin, kmax);
  return rc::gen::map(
      rc::gen::pair(rc::gen::inRange(0, std::max(target - kmin, kmax - target) + 1),
                    rc::gen::arbitrary<bool>()),
      [=](std::pair<int, bool> p) {
        int k = p.second ? target - p.first : target + p.first;
        if (k < kmin || k > kmax) k = p.second ? target + p.first : target - p.first;
        k = std::clamp(k, kmin, kmax);
        return std::pow(10.0, static_cast<double>(k) / steps_per_decade);
      });
}

inline rc::Gen<TrainingSetSpec> training_set_spec(int max_n = 64, int max_d = 16,
                                                  double min_sep = 0.1, double max_sep = 10.0) {
  return rc::gen::apply(
      [](int n, int d, double sep, std::uint64_t seed) { return TrainingSetSpec{n, d, sep, seed}; },
      rc::gen::inRange(1, max_n + 1), rc::gen::inRange(1, max_d + 1),
      log_uniform(min_sep, max_sep), rc::gen::arbitrary<std::uint64_t>());
}

// Subsets of a user's data set: a size of the list (shrinking toward the first) and a seed; the
// separation is the subset's measured smallest distance.
inline rc::Gen<TrainingSetSpec> data_subset_spec(const DataSets& data) {
  return rc::gen::map(
      rc::gen::pair(rc::gen::elementOf(data.sizes), rc::gen::arbitrary<std::uint64_t>()),
      [data](std::pair<int, std::uint64_t> p) {
        TrainingSetSpec spec;
        spec.n = p.first;
        spec.seed = p.second;
        spec.data = data.source;
        spec.label = data.label;
        spec.scale = data.scale;
        const Mat points = build_training_set(spec);
        spec.d = static_cast<int>(points.cols());
        // One point has no pair (min_separation is +inf, which JSON records cannot hold): 0.
        spec.separation = points.rows() > 1 ? min_separation(points) : 0;
        return spec;
      });
}

// A catalogue schedule, or power:P with P = k/20 in (0, 1]; shrinks toward "linear".
inline rc::Gen<std::string> schedule_spec() {
  return rc::gen::oneOf(
      rc::gen::element<std::string>("linear", "trig", "bridge:2", "vp:0.1:20"),
      rc::gen::map(rc::gen::inRange(0, 20), [](int k) {
        const int twentieths = 20 - k;  // shrinks toward power:1
        return "power:" + std::to_string(twentieths / 20.0).substr(0, 4);
      }));
}

}  // namespace siv::gen

namespace rc {
template <>
struct Arbitrary<siv::TrainingSetSpec> {
  static Gen<siv::TrainingSetSpec> arbitrary() { return siv::gen::training_set_spec(); }
};
}  // namespace rc

namespace siv {
// Readable counterexamples: the spec that rebuilds the set, then the points themselves.
inline void showValue(const TrainingSetSpec& spec, std::ostream& os) {
  os << spec << "\n" << build_training_set(spec);
}
}  // namespace siv
