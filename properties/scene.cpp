#include "properties/scene.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

#include "properties/generators.hpp"

namespace siv {

Scene::Scene(const Case& c) : Scene(c, build_training_set(c.set)) {}

Scene::Scene(const Case& c, const Mat& points)
    : case_(c),
      oracle_(points, make_schedule(c.schedule)),
      field_(oracle_),
      scale_(oracle_.points().colwise().norm().maxCoeff()) {}

Start Scene::start(int i) const {
  Rng rng(case_.seed, static_cast<std::uint64_t>(i));
  return draw_start(oracle_, rng);
}

rc::Gen<Case> case_generator(const std::string& schedule, const Profile& profile, double min_sep,
                             double max_sep, int steps) {
  const rc::Gen<TrainingSetSpec> sets =
      profile.data.source.empty() ? gen::training_set_spec(profile.max_n, profile.max_d, min_sep, max_sep)
                                  : gen::data_subset_spec(profile.data);
  return rc::gen::map(
      rc::gen::pair(sets,
                    rc::gen::arbitrary<std::uint64_t>()),
      [=](const std::pair<TrainingSetSpec, std::uint64_t>& p) {
        Case c;
        c.schedule = schedule;
        c.set = p.first;
        c.seed = p.second;
        c.starts = profile.starts;
        c.steps = steps;
        // A ladder halves `steps` per rung: none without steps, at most bit_width(steps) rungs
        // (what parse_token accepts back).
        c.ladder = std::min(profile.ladder, static_cast<int>(std::bit_width(static_cast<unsigned>(steps))));
        return c;
      });
}

std::vector<int> step_ladder(int finest, int points) {
  std::vector<int> ladder;
  for (int i = points - 1; i >= 0; --i) ladder.push_back(finest >> i);
  return ladder;
}

}  // namespace siv
