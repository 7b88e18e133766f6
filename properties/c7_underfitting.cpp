// C7: underfitting (Theorem 7 of [M]). From the exact path identity of properties/error_path.hpp,
// Z_t - y_k = shift(t) + rho_k with |rho_k| <= remainder, and k nearest, so
//   dist(Z_t, Y) = |Z_t - y_k| >= |shift(t)| - remainder = ratio * A(t) - remainder
//                >= (1/2) A(t) - remainder   under no-cancellation (ratio >= 1/2),
// where ratio = |int e/sigma| / int |e|/sigma is the no-cancellation ratio: the published lower
// bound "dist >= lim A minus discretization terms" needs it comparable to 1. Cases whose ratio is
// below 1/2 are reported as assumption-not-met.
#include <algorithm>

#include "properties/claims.hpp"
#include "properties/error_cases.hpp"

namespace siv {
namespace {

constexpr double kMinRatio = 0.5;

class UnderfittingLowerBound final : public Check {
 public:
  std::string id() const override { return "C7.lower"; }
  std::string claim() const override { return "C7"; }
  std::string statement() const override {
    return "dist(Z_0, Y) >= lim A / 2 - remainder under no-cancellation: ratio = |int e/sigma| / "
           "int |e|/sigma >= 1/2 (measured; below it, assumption-not-met)";
  }
  std::vector<std::string> groups(const Profile&) const override {
    std::vector<std::string> g;
    for (const char* model : {"singular:0.3", "rotating:0.3:1", "rotating:0.3:3", "smooth:0.05",
                              "learned:1:64:1024"})
      for (const char* schedule : {"linear", "bridge:2"}) g.push_back(error_group(model, schedule));
    return g;
  }
  rc::Gen<Case> generator(const std::string& group, const Profile& profile) const override {
    return error_cases(group, profile);
  }
  // A turning error with w = 3 cancels to ratio 1/sqrt(10) < 1/2: not the regime of the theorem.
  Verdict expected(const std::string& group) const override {
    return split_error_group(group).first == "rotating:0.3:3" ? Verdict::not_met : Verdict::holds;
  }
  std::vector<Mutant> mutants() const override {
    return {{"ratio-ignored", error_group("rotating:0.3:1", "linear"),
             "dist >= lim A whatever the cancellation (the ratio left out)"}};
  }
  Observation observe(const Case& c) const override {
    ErrorScene es(c);
    Observation obs;
    obs.comparison = Comparison::lower;
    double worst_slack = 1e300, min_ratio = 1, worst_dist = 0, worst_bound = 0;
    const bool ignore_ratio = c.variant == "ratio-ignored";
    for (int i = 0; i < c.starts && obs.failure.empty(); ++i) {
      const ErrorPath p = integrate_error_path(es.field(), es.scene().start(i).z, kErrorPathEnd,
                                               kErrorPathTolerance);
      record_path_failure(p, obs);
      const double ratio = p.accumulated > 0 ? p.shift.norm() / p.accumulated : 1.0;
      min_ratio = std::min(min_ratio, ratio);
      // The theorem's form: the assumed no-cancellation constant, not the measured ratio (with
      // it the bound would be the triangle inequality of C4.shift).
      const double bound = (ignore_ratio ? 1.0 : kMinRatio) * p.accumulated - p.remainder - p.solver_error;
      if (!(p.dist - bound >= worst_slack)) {
        worst_slack = p.dist - bound;
        worst_dist = p.dist;
        worst_bound = bound;
      }
    }
    if (!ignore_ratio)
      obs.assume("no-cancellation: |int e/sigma| >= int |e|/sigma / 2", min_ratio >= kMinRatio,
                 min_ratio - kMinRatio);
    obs.detail("no_cancellation_ratio", min_ratio);
    obs.observed = worst_dist;
    obs.bound = worst_bound;
    return obs;
  }
};

}  // namespace

std::vector<std::unique_ptr<Check>> c7_checks() {
  std::vector<std::unique_ptr<Check>> out;
  out.push_back(std::make_unique<UnderfittingLowerBound>());
  return out;
}

}  // namespace siv
