// C4-C7 with a researcher's model as the estimated field, on the training set it was trained on
// (`verify --model`). Every case draws its own starts from rho_1 (seeded), integrates the model's
// path with the accumulated error A and the exact remainder (properties/error_path.hpp), and
//   C4.model.bound  dist(Z_0, Y) <= A + remainder + solver allowance + precision floor
//   C4.model.loss   E A(t) <= sigma(t) sqrt(C excess(t, 1) int_t^1 sigma^-2) at t = 0.05, with the
//                   concentrability C measured along the paths (needs the divergence by autograd)
//   C6.model        the diagnosis: every sample certified by A memorizes (gap criterion), with the
//                   observed memorization rates of both criteria and the excess loss as details
//   C7.model.lower  dist >= A/2 - remainder - allowance on paths whose no-cancellation ratio
//                   |shift| / A is at least 1/2
#include <algorithm>
#include <cmath>
#include <mutex>

#include "properties/model/memorization.hpp"
#include "properties/model/model_checks.hpp"
#include "properties/model/torch_loader.hpp"
#include "properties/training_set.hpp"
#include "solvers/start.hpp"
#include "theory/stats.hpp"

namespace siv {
namespace {

// The target's oracle and model, built once and shared by every case (forward calls serialise).
class Context {
 public:
  explicit Context(ModelTarget target) : target_(std::move(target)) {}
  const ModelTarget& target() const { return target_; }
  const OracleField& oracle() const {
    build();
    return *oracle_;
  }
  const EstimatedField& model() const {
    build();
    return *model_;
  }
  const ModelInfo& info() const {
    build();
    return info_;
  }
  // Start i of a case with seed S is that of sample i of `sample --seed S` (app/sample_command.cpp):
  // a case's paths are the samples a user generates with that seed.
  Vec start(const Case& c, int i) const {
    Rng rng(derive_seed(c.seed, static_cast<std::uint64_t>(i)), 0);
    return draw_start(oracle(), rng).z;
  }
  ModelPath path(const Case& c, int i, bool density_ratio = false) const {
    return model_path(model(), info().unit_roundoff, info().precision_floor, start(c, i),
                      density_ratio);
  }

 private:
  void build() const {
    std::call_once(once_, [this] {
      oracle_ = std::make_unique<OracleField>(target_.data, make_schedule(target_.schedule));
      const TorchApi& torch = require_torch("--model");
      model_ = torch.load_model(target_.spec, *oracle_);
      info_ = torch.model_info(*model_);
    });
  }
  ModelTarget target_;
  mutable std::once_flag once_;
  mutable std::unique_ptr<OracleField> oracle_;
  mutable std::unique_ptr<EstimatedField> model_;
  mutable ModelInfo info_;
};

void record_failure(const ModelPath& p, Observation& obs) {
  if (p.path.ending == Ending::step_limit || p.path.ending == Ending::non_finite)
    obs.failure = "the model's ODE path ended with " + to_string(p.path.ending);
}

class ModelCheck : public Check {
 public:
  explicit ModelCheck(std::shared_ptr<const Context> context) : context_(std::move(context)) {}
  std::vector<std::string> groups(const Profile&) const override {
    const ModelTarget& t = context_->target();
    return {t.spec.file + " (" + to_string(t.spec.output) + ", " + to_string(t.spec.time) +
            ") on " + t.data_name + " with " + t.schedule};
  }
  rc::Gen<Case> generator(const std::string& group, const Profile& profile) const override {
    const ModelTarget& t = context_->target();
    const int starts = profile.starts;
    const std::string schedule = t.schedule;
    // The target's sizes and measured separation, for coverage and a valid replay token; the set
    // itself is the target's data.
    const double separation = t.data.rows() > 1 ? min_separation(t.data) : 1.0;
    const TrainingSetSpec set{static_cast<int>(t.data.rows()), static_cast<int>(t.data.cols()), separation, 0};
    (void)group;
    return rc::gen::map(rc::gen::arbitrary<std::uint64_t>(), [=](std::uint64_t seed) {
      Case c;
      c.schedule = schedule;
      c.set = set;
      c.seed = seed;
      c.starts = starts;
      c.error_model = "model";
      return c;
    });
  }
  // Whether the model memorizes, or its paths cancel, is what the diagnosis finds out.
  bool premise_is_a_finding(const std::string&, const Profile&) const override { return true; }

 protected:
  const Context& context() const { return *context_; }

 private:
  std::shared_ptr<const Context> context_;
};

class ModelBound final : public ModelCheck {
 public:
  using ModelCheck::ModelCheck;
  std::string id() const override { return "C4.model.bound"; }
  std::string claim() const override { return "C4"; }
  std::string statement() const override {
    return "with the model as b^: dist(Z_0, Y) <= A + remainder + solver allowance + precision "
           "floor along each generated path (t = 1e-8)";
  }
  Observation observe(const Case& c) const override {
    Observation obs;
    double worst = 0, max_a = 0, max_dist = 0;
    for (int i = 0; i < c.starts && obs.failure.empty(); ++i) {
      const ModelPath p = context().path(c, i);
      record_failure(p, obs);
      worst = nan_max(worst, p.path.dist / (p.path.accumulated + p.allowance));
      max_a = nan_max(max_a, p.path.accumulated);
      max_dist = nan_max(max_dist, p.path.dist);
    }
    obs.detail("max_A", max_a);
    obs.detail("max_dist", max_dist);
    obs.detail("precision_floor", context().info().precision_floor);
    obs.observed = worst;
    obs.bound = 1;
    return obs;
  }
};

constexpr double kLossTime = 0.05;

class ModelLoss final : public ModelCheck {
 public:
  using ModelCheck::ModelCheck;
  std::string id() const override { return "C4.model.loss"; }
  std::string claim() const override { return "C4"; }
  std::string statement() const override {
    return "with the model as b^: E A(t) <= sigma(t) sqrt(C excess(t,1) int_t^1 sigma^-2) at "
           "t = 0.05, C the largest density ratio met along the paths (divergence by autograd; "
           "not measurable for d > 64), excess exact in b* by Monte Carlo; one-sided bounds, each "
           "missing with half the case's level";
  }
  Observation observe(const Case& c) const override {
    Observation obs;
    const EstimatedField& model = context().model();
    const bool measurable = context().info().has_divergence && model.dim() <= 64;
    obs.assume("concentrability measurable (autograd divergence, d <= 64)", measurable,
               measurable ? 1.0 : 0.0);
    if (!measurable) {
      obs.observed = obs.bound = 0;
      return obs;
    }
    const Schedule& s = context().oracle().schedule();
    const int m = std::max(c.starts, 8);
    PathErrorSums a;
    const double tol = std::max(kErrorPathTolerance, 100 * context().info().unit_roundoff);
    for (int i = 0; i < m && obs.failure.empty(); ++i) {
      const ErrorPath p = integrate_error_path(model, context().start(c, i), kLossTime, tol, true, true);
      if (p.ending == Ending::step_limit || p.ending == Ending::non_finite)
        obs.failure = "the model's ODE path ended with " + to_string(p.ending);
      a.add(p);
    }
    const MonteCarloEstimate excess =
        excess_loss(model, context().oracle(), kLossTime, 2000, derive_seed(c.seed, 0x1055));
    judge_loss_bound(s, kLossTime, a, excess, integral_inverse_variance(s, kLossTime),
                     interval_level(c), obs);
    return obs;
  }
};

class ModelDiagnosis final : public ModelCheck {
 public:
  using ModelCheck::ModelCheck;
  std::string id() const override { return "C6.model"; }
  std::string claim() const override { return "C6"; }
  std::string statement() const override {
    return "with the model as b^: every sample whose accumulated error certifies memorization "
           "(A + allowance < gap/20) lands within gap/20 of its training point; observed rates of "
           "the gap and NN1/NN2 < 1/3 criteria, excess loss and both verdicts as details";
  }
  Observation observe(const Case& c) const override {
    Observation obs;
    long certified = 0, certified_missed = 0, memorized = 0, nn_memorized = 0, underfits = 0;
    double sum_a = 0, max_a = 0;
    for (int i = 0; i < c.starts && obs.failure.empty(); ++i) {
      const ModelPath p = context().path(c, i);
      record_failure(p, obs);
      certified += p.certified;
      certified_missed += p.certified && !p.memorized;
      memorized += p.memorized;
      nn_memorized += p.nn_memorized;
      // C7 with ratio >= 1/2 proves non-memorization when A/2 - allowance >= delta.
      const double ratio = p.path.accumulated > 0 ? p.path.shift.norm() / p.path.accumulated : 1.0;
      underfits += ratio >= 0.5 && 0.5 * p.path.accumulated - p.allowance >= p.delta;
      sum_a += p.path.accumulated;
      max_a = nan_max(max_a, p.path.accumulated);
    }
    const double m = c.starts;
    const EstimatedField& model = context().model();
    const MonteCarloEstimate excess =
        excess_loss(model, context().oracle(), 0.01, 1000, derive_seed(c.seed, 0xc6d));
    obs.detail("mean_A", sum_a / m);
    obs.detail("max_A", max_a);
    obs.detail("excess_loss", excess.mean);
    obs.detail("excess_loss_se", excess.std_error);
    obs.detail("memorized_gap", memorized / m);
    obs.detail("memorized_nn_ratio", nn_memorized / m);
    obs.detail("certified_overfit", certified / m);
    obs.detail("certified_underfit", underfits / m);
    obs.detail("precision_floor", context().info().precision_floor);
    obs.assume("some sample certified by its accumulated error", certified > 0,
               static_cast<double>(certified));
    obs.observed = static_cast<double>(certified_missed);
    obs.bound = 0;
    return obs;
  }
};

class ModelLowerBound final : public ModelCheck {
 public:
  using ModelCheck::ModelCheck;
  std::string id() const override { return "C7.model.lower"; }
  std::string claim() const override { return "C7"; }
  std::string statement() const override {
    return "with the model as b^: dist(Z_0, Y) >= A/2 - remainder - allowance on every path whose "
           "no-cancellation ratio |int e/sigma| / int |e|/sigma is at least 1/2";
  }
  Observation observe(const Case& c) const override {
    Observation obs;
    obs.comparison = Comparison::lower;
    double worst_slack = 1e300, min_ratio = 1;
    long eligible = 0;
    for (int i = 0; i < c.starts && obs.failure.empty(); ++i) {
      const ModelPath p = context().path(c, i);
      record_failure(p, obs);
      const double ratio = p.path.accumulated > 0 ? p.path.shift.norm() / p.path.accumulated : 1.0;
      min_ratio = std::min(min_ratio, ratio);
      if (ratio < 0.5) continue;
      ++eligible;
      worst_slack = std::min(worst_slack, p.path.dist - (0.5 * p.path.accumulated - p.allowance));
    }
    obs.assume("no-cancellation ratio >= 1/2 on some path", eligible > 0, static_cast<double>(eligible));
    obs.detail("min_ratio", min_ratio);
    obs.detail("eligible_paths", static_cast<double>(eligible));
    obs.observed = eligible > 0 ? worst_slack : 0;
    obs.bound = 0;
    return obs;
  }
};

}  // namespace

SampleImages model_case_samples(const ModelTarget& target, const Case& c, int count) {
  const Context context(target);
  SampleImages out{"model", {}, {}};
  for (int i = 0; i < std::min(count, c.starts); ++i) {
    const ModelPath p = context.path(c, i);
    if (p.path.nearest < 0) continue;  // a diverged path has no nearest image
    out.samples.push_back(p.path.z);
    out.nearest.push_back(context.oracle().points().col(p.path.nearest));
  }
  return out;
}

std::vector<std::unique_ptr<Check>> model_checks(const ModelTarget& target) {
  const auto context = std::make_shared<const Context>(target);
  std::vector<std::unique_ptr<Check>> out;
  out.push_back(std::make_unique<ModelBound>(context));
  out.push_back(std::make_unique<ModelLoss>(context));
  out.push_back(std::make_unique<ModelDiagnosis>(context));
  out.push_back(std::make_unique<ModelLowerBound>(context));
  return out;
}

}  // namespace siv
