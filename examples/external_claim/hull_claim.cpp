// Claim X1 of an external project: the posterior mean recovered from the score by Tweedie's
// formula, m = (x + sigma^2 s*(t, x)) / alpha, is a convex combination of the training points, so
// |m - ybar| <= max_k |y_k - ybar| (ybar the training mean), at every t and x.
// Mutant: "the posterior mean is the nearest training point", false wherever several weights are
// comparable (t near 1).
#include <algorithm>

#include "properties/claims.hpp"
#include "properties/scene.hpp"
#include "theory/random.hpp"

namespace {

class HullCheck final : public siv::Check {
 public:
  std::string id() const override { return "X1.hull"; }
  std::string claim() const override { return "X1"; }
  std::string statement() const override {
    return "|m - ybar| <= max_k |y_k - ybar| for m = (x + sigma^2 s*) / alpha, x ~ rho_t, t ~ U(0, 1)";
  }
  std::vector<std::string> groups(const siv::Profile&) const override { return {"linear", "trig"}; }
  rc::Gen<siv::Case> generator(const std::string& group, const siv::Profile& profile) const override {
    return siv::case_generator(group, profile, 0.1, 10.0, 0);
  }
  std::vector<siv::Mutant> mutants() const override {
    return {{"nearest", "linear", "the posterior mean is the nearest training point"}};
  }
  siv::Observation observe(const siv::Case& c) const override {
    const siv::Scene scene(c);
    const siv::Mat& y = scene.oracle().points();
    const siv::Vec ybar = y.rowwise().mean();
    const double radius = (y.colwise() - ybar).colwise().norm().maxCoeff();
    siv::Observation obs;
    obs.comparison = siv::Comparison::upper;
    obs.observed = 0;
    // Rounding of Tweedie's formula is far below 1e-9 of the set's scale.
    const double slack = 1e-9 * (1 + scene.scale());
    obs.bound = c.variant == "nearest" ? slack : radius + slack;
    siv::Rng rng(c.seed, 1);
    siv::Vec s(scene.d());
    for (int i = 0; i < c.starts; ++i) {
      const double t = 0.01 + 0.98 * rng.uniform();
      const double alpha = scene.schedule().alpha(t), sigma = scene.schedule().sigma(t);
      const siv::Vec x = alpha * y.col(rng.index(scene.n())) + sigma * rng.normal_vector(scene.d());
      scene.oracle().score(t, x, s);
      const siv::Vec m = (x + sigma * sigma * s) / alpha;
      double size = (m - ybar).norm();
      if (c.variant == "nearest") size = (y.colwise() - m).colwise().norm().minCoeff();
      obs.observed = siv::nan_max(obs.observed, size);
    }
    obs.detail("radius", radius);
    return obs;
  }
};

std::vector<std::unique_ptr<siv::Check>> hull_checks() {
  std::vector<std::unique_ptr<siv::Check>> out;
  out.push_back(std::make_unique<HullCheck>());
  return out;
}

const siv::CheckRegistrar registrar{hull_checks};

}  // namespace
