// solve_euler_maruyama: reproducibility, exact reduction to Euler when eps = 0, convergence to
// training points with the stable sigma^2-proportional diffusion, and instability reported (not
// thrown) for a constant diffusion on the linear schedule. Each check also runs on a mutant and
// the test asserts that the check rejects it.
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "properties/training_set.hpp"
#include "solvers/convergence.hpp"
#include "solvers/euler_maruyama.hpp"
#include "solvers/fixed_step.hpp"
#include "solvers/start.hpp"
#include "support.hpp"

namespace siv {
namespace {

using test::Problem;

Diffusion diffusion(Diffusion::Kind kind, double scale) {
  Diffusion d;
  d.kind = kind;
  d.scale = scale;
  return d;
}

// Same inputs twice give the same endpoint bit for bit.
std::string reproducibility_problem(const Endpoint& a, const Endpoint& b) {
  if (a.z != b.z || a.evaluations != b.evaluations || a.ending != b.ending) return "runs differ";
  return {};
}

TEST(EulerMaruyama, Reproducible) {
  const Problem p(build_training_set({6, 3, 1.0, 2}), "bridge:2");
  const Diffusion eps = diffusion(Diffusion::Kind::sigma2, 1.0);
  Rng rng(3);
  const Vec z1 = draw_start(*p.oracle, rng).z;
  const BrownianPath noise(99, 3, 512), same(99, 3, 512), other(100, 3, 512);
  const Endpoint a = solve_euler_maruyama(*p.field, z1, eps, 128, noise);
  EXPECT_EQ(reproducibility_problem(a, solve_euler_maruyama(*p.field, z1, eps, 128, same)), "");
  // Mutant: a run whose noise came from another seed.
  EXPECT_NE(reproducibility_problem(a, solve_euler_maruyama(*p.field, z1, eps, 128, other)), "");
}

// eps = 0: the update is Z - h b only, identical in floating point to solve_fixed's Euler.
std::string equals_euler_problem(const Field& field, const Vec& z1, const Diffusion& eps,
                                 int steps, const BrownianPath& noise) {
  const Endpoint em = solve_euler_maruyama(field, z1, eps, steps, noise);
  const Endpoint euler = solve_fixed(field, z1, Method::euler, steps);
  if (em.z != euler.z) return "endpoints differ by " + std::to_string((em.z - euler.z).norm());
  if (em.evaluations != euler.evaluations) return "evaluation counts differ";
  return {};
}

TEST(EulerMaruyama, ZeroDiffusionIsEulerExactly) {
  for (const char* schedule : {"linear", "bridge:2", "power:0.25", "vp:0.1:20"}) {
    const Problem p(build_training_set({7, 4, 0.5, 5}), schedule);
    Rng rng(6);
    const BrownianPath noise(1, 4, 300);
    for (int steps : {1, 3, 100, 300}) {
      const Vec z1 = draw_start(*p.oracle, rng).z;
      for (const auto kind : {Diffusion::Kind::constant, Diffusion::Kind::sigma2})
        EXPECT_EQ(equals_euler_problem(*p.field, z1, diffusion(kind, 0.0), steps, noise), "")
            << schedule << " " << steps;
      // Mutant: a tiny diffusion is already visible.
      EXPECT_NE(equals_euler_problem(*p.field, z1, diffusion(Diffusion::Kind::constant, 1e-12),
                                     steps, noise),
                "");
    }
  }
}

// Convergence with eps = sigma^2 on bridge:2 (stable: h (sigma'/sigma + eps/sigma^2) = h/(2t) +
// h < 2). C3 predicts Z_0 - y_k ~ N(0, v(h) I), v(h) = (sigma - h sigma' - h eps/sigma)^2 + 2 eps h
// ~ h/2, so the mean distance falls like sqrt(h). Common random numbers: the same starts and
// Brownian paths (finest grid 16384) on every rung. The check asserts convergence (the rate's 95%
// interval lies above 0); the test also asserts the fitted rate is near the predicted 1/2.
const std::vector<int> kLadder = {64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384};

ConvergenceStudy em_study(const Field& field, const OracleField& oracle, const Diffusion& eps,
                          int starts) {
  Rng rng(21);
  std::vector<Vec> z1;
  std::vector<BrownianPath> noise;
  for (int i = 0; i < starts; ++i) {
    z1.push_back(draw_start(oracle, rng).z);
    noise.emplace_back(derive_seed(77, static_cast<std::uint64_t>(i)), oracle.dim(), 16384);
  }
  ConvergenceOptions options;
  options.floor = 1e-13;
  return convergence_study(kLadder, [&](int steps) {
    double total = 0;
    for (int i = 0; i < starts; ++i)
      total += solve_euler_maruyama(field, z1[static_cast<std::size_t>(i)], eps, steps,
                                    noise[static_cast<std::size_t>(i)]).dist;
    return total / starts;
  }, options);
}

std::string convergence_problem(const ConvergenceStudy& s) {
  if (s.status != ConvergenceStatus::fitted) return "status " + to_string(s.status);
  if (!(s.rate_ci.lo > 0)) return "rate CI reaches " + std::to_string(s.rate_ci.lo);
  return {};
}

TEST(EulerMaruyama, Sigma2DiffusionConvergesToTrainingPoints) {
  const Problem p(build_training_set({5, 2, 2.0, 3}), "bridge:2");
  const Diffusion eps = diffusion(Diffusion::Kind::sigma2, 1.0);
  const ConvergenceStudy s = em_study(*p.field, *p.oracle, eps, 32);
  std::printf("EM bridge:2 sigma2:1: rate %.4f, 95%% CI [%.4f, %.4f], window %zu points\n", s.rate,
              s.rate_ci.lo, s.rate_ci.hi, s.window_end - s.window_begin);
  EXPECT_EQ(convergence_problem(s), "");
  EXPECT_NEAR(s.rate, 0.5, 0.1);
  // Mutant: the wrong-sign drift does not converge.
  const test::NegatedField wrong(*p.field);
  EXPECT_NE(convergence_problem(em_study(wrong, *p.oracle, eps, 4)), "");
}

// Linear schedule with constant eps: at t = h the step multiplies Z - alpha y_k by about
// 1 - h/t - h eps/t^2 = -eps/h, so with h < eps the last steps amplify (THEORY.md C3 stability).
// The solver must report it: a non-finite ending, or a finite but exploded endpoint, never a throw.
TEST(EulerMaruyama, UnstableDiffusionIsReportedNotThrown) {
  const Problem p(build_training_set({4, 2, 1.0, 1}), "linear");
  const double scale = p.field->points().norm();
  Rng rng(2);
  const Vec z1 = draw_start(*p.oracle, rng).z;
  {  // eps = 10, h = 1e-5: the last ~700 steps each amplify, overflowing to inf or NaN.
    const BrownianPath noise(5, 2, 100000);
    Endpoint e;
    EXPECT_NO_THROW(e = solve_euler_maruyama(*p.field, z1, diffusion(Diffusion::Kind::constant, 10),
                                             100000, noise));
    EXPECT_EQ(e.ending, Ending::non_finite);
    EXPECT_EQ(e.nearest, -1);
    EXPECT_GT(e.t_end, 0);
    std::printf("eps = 10, h = 1e-5: %s at t = %g after %ld steps\n", to_string(e.ending).c_str(),
                e.t_end, e.steps);
  }
  {  // eps = 0.1, h = 1e-3: about 7 amplifying steps, finite but far from every training point.
    const BrownianPath noise(5, 2, 1000);
    const Endpoint e =
        solve_euler_maruyama(*p.field, z1, diffusion(Diffusion::Kind::constant, 0.1), 1000, noise);
    EXPECT_EQ(e.ending, Ending::reached_end);
    EXPECT_GT(e.dist, 1e3 * scale);
    std::printf("eps = 0.1, h = 1e-3: dist %.3g\n", e.dist);
  }
}

TEST(EulerMaruyama, ObserverEvaluationsAndBadInput) {
  const Problem p(build_training_set({3, 2, 1.0, 1}), "trig");
  const test::CountingField counting(*p.field);
  const BrownianPath noise(1, 2, 20);
  int calls = 0;
  const Endpoint e = solve_euler_maruyama(counting, Vec::Ones(2),
                                          diffusion(Diffusion::Kind::constant, 0.5), 10, noise,
                                          [&](double t, const Vec&) {
                                            EXPECT_EQ(t, static_cast<double>(10 - calls) / 10);
                                            ++calls;
                                          });
  EXPECT_EQ(calls, 11);
  EXPECT_EQ(e.evaluations, 20);  // velocity and score at every step
  EXPECT_EQ(e.evaluations, counting.calls);
  EXPECT_EQ(e.steps, 10);
  const Diffusion eps = diffusion(Diffusion::Kind::constant, 0.5);
  EXPECT_THROW(solve_euler_maruyama(*p.field, Vec::Ones(2), eps, 3, noise), std::invalid_argument);
  EXPECT_THROW(solve_euler_maruyama(*p.field, Vec::Ones(3), eps, 10, noise), std::invalid_argument);
  EXPECT_THROW(solve_euler_maruyama(*p.field, Vec::Ones(2), eps, 10, BrownianPath(1, 3, 20)),
               std::invalid_argument);
}

}  // namespace
}  // namespace siv
