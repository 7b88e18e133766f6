// Cases and groups shared by the estimation-error claims (C4-C7): an error model on a schedule.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "properties/error_path.hpp"

namespace siv {

// "<error model spec> on <schedule spec>".
std::string error_group(const std::string& model, const std::string& schedule);
std::pair<std::string, std::string> split_error_group(const std::string& group);

// Well-separated sets (a singular shift of 0.3 stays inside its Voronoi cell), the error model
// and schedule of the group, the profile's starts.
rc::Gen<Case> error_cases(const std::string& group, const Profile& profile);

// The case's error model on its own oracle; its random draws come from the case seed.
class ErrorScene {
 public:
  explicit ErrorScene(const Case& c);
  const Scene& scene() const { return scene_; }
  const EstimatedField& field() const { return *field_; }

 private:
  Scene scene_;
  std::unique_ptr<EstimatedField> field_;
};

// Marks obs as a failure when the path hit the step guard or a non-finite state.
void record_path_failure(const ErrorPath& path, Observation& obs);

// Endpoints of the estimated ODE stop here: sigma(t) <= 1.5e-4 for every schedule with p >= 1/2,
// so the exact remainder of error_path.hpp is small against O(0.1) shifts; going lower costs
// ~ln(1/t) / tol^(1/5) steps for nothing the bounds need.
inline constexpr double kErrorPathEnd = 1e-8;
inline constexpr double kErrorPathTolerance = 1e-8;

}  // namespace siv
