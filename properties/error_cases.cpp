#include "properties/error_cases.hpp"

namespace siv {

std::string error_group(const std::string& model, const std::string& schedule) {
  return model + " on " + schedule;
}

std::pair<std::string, std::string> split_error_group(const std::string& group) {
  const auto on = group.find(" on ");
  return {group.substr(0, on), group.substr(on + 4)};
}

rc::Gen<Case> error_cases(const std::string& group, const Profile& profile) {
  const auto [model, schedule] = split_error_group(group);
  Profile small = profile;
  small.max_n = std::min(profile.max_n, 8);
  small.starts = std::max(4, profile.starts / 6);  // each start is a full estimated path
  return rc::gen::map(case_generator(schedule, small, 1.0, 4.0, 0), [model = model](Case c) {
    c.error_model = model;
    return c;
  });
}

void record_path_failure(const ErrorPath& path, Observation& obs) {
  if (path.ending == Ending::step_limit || path.ending == Ending::non_finite)
    obs.failure = "estimated ODE ended with " + to_string(path.ending);
}

ErrorScene::ErrorScene(const Case& c)
    : scene_(c), field_(make_error_model(c.error_model, scene_.oracle(), derive_seed(c.seed, 0xe440))) {}

}  // namespace siv
