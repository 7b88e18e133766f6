// What every claim check builds from a Case: the training set, its oracle and the starts.
#pragma once

#include <string>
#include <vector>

#include "properties/check.hpp"
#include "solvers/start.hpp"
#include "theory/field.hpp"

namespace siv {

class Scene {
 public:
  explicit Scene(const Case& c);
  Scene(const Case& c, const Mat& points);  // points (n x d) in place of the set c.set describes
  Scene(const Scene&) = delete;  // field_ refers to oracle_
  Scene& operator=(const Scene&) = delete;

  const Case& input() const { return case_; }
  const OracleField& oracle() const { return oracle_; }
  const OracleVelocity& field() const { return field_; }
  const Schedule& schedule() const { return oracle_.schedule(); }
  int n() const { return oracle_.size(); }
  int d() const { return oracle_.dim(); }
  double scale() const { return scale_; }  // max_k |y_k|

  // Start i of the case, an exact draw from rho_1 from the case seed's stream i.
  Start start(int i) const;

 private:
  Case case_;
  OracleField oracle_;
  OracleVelocity field_;
  double scale_;
};

// Cases of one schedule: training sets up to the profile's size with separations in
// [min_sep, max_sep], a 64-bit noise seed, profile.starts samples, `steps` finest steps and a
// ladder of profile.ladder rungs (fewer when `steps` has fewer halvings; none when steps = 0).
rc::Gen<Case> case_generator(const std::string& schedule, const Profile& profile, double min_sep,
                             double max_sep, int steps);

// finest / 2^(points-1), ..., finest / 2, finest.
std::vector<int> step_ladder(int finest, int points);

}  // namespace siv
