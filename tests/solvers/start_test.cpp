// draw_start: an exact sample of rho_1 = (1/n) sum_k N(alpha(1) y_k, sigma(1)^2 I). The centre is
// uniform (chi-square test), xi is standard normal (two-sided variance test), and z is assembled
// from them exactly. Each statistical check also runs on a mutant and must reject it.
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "properties/training_set.hpp"
#include "solvers/start.hpp"
#include "support.hpp"
#include "theory/stats.hpp"

namespace siv {
namespace {

using test::Problem;
using Sampler = std::function<Start(const OracleField&, Rng&)>;

// False-alarm level of each statistical check (for a fresh seed; the seeds here are fixed).
constexpr double kFalseAlarm = 1e-3;

// p-values of the two checks over `draws` starts: uniform centres, and xi ~ N(0, I).
std::pair<double, double> start_p_values(const OracleField& oracle, const Sampler& sample,
                                         int draws) {
  Rng rng(2024);
  std::vector<long> counts(static_cast<std::size_t>(oracle.size()), 0);
  double sum_squares = 0;
  for (int i = 0; i < draws; ++i) {
    const Start s = sample(oracle, rng);
    ++counts[static_cast<std::size_t>(s.k)];
    sum_squares += s.xi.squaredNorm();
  }
  return {chi_square_uniform(counts).p_value,
          variance_test(sum_squares, 1.0, static_cast<double>(draws) * oracle.dim()).p_value};
}

TEST(Start, CentreUniformAndNoiseStandardNormal) {
  const Problem p(build_training_set({7, 3, 1.0, 5}), "vp:0.1:20");
  const auto [uniform_p, normal_p] = start_p_values(*p.oracle, draw_start, 7000);
  EXPECT_GT(uniform_p, kFalseAlarm);
  EXPECT_GT(normal_p, kFalseAlarm);

  // Mutants: a centre that never picks the last point; noise 5% too wide.
  const Sampler skips_last = [](const OracleField& o, Rng& rng) {
    Start s = draw_start(o, rng);
    if (s.k == o.size() - 1) s.k = 0;
    return s;
  };
  const Sampler too_wide = [](const OracleField& o, Rng& rng) {
    Start s = draw_start(o, rng);
    s.xi *= 1.05;
    return s;
  };
  EXPECT_LT(start_p_values(*p.oracle, skips_last, 7000).first, kFalseAlarm);
  EXPECT_LT(start_p_values(*p.oracle, too_wide, 7000).second, kFalseAlarm);
}

TEST(Start, AssembledExactlyAndReproducible) {
  for (const char* schedule : {"linear", "vp:0.1:20", "bridge:2"}) {
    const Problem p(build_training_set({5, 4, 1.0, 3}), schedule);
    const Schedule& s = p.oracle->schedule();
    Rng a(11), b(11);
    for (int i = 0; i < 20; ++i) {
      const Start x = draw_start(*p.oracle, a), y = draw_start(*p.oracle, b);
      EXPECT_EQ(x.z, y.z);
      EXPECT_EQ(x.k, y.k);
      ASSERT_GE(x.k, 0);
      ASSERT_LT(x.k, p.oracle->size());
      EXPECT_EQ(x.z, (s.alpha(1.0) * p.oracle->points().col(x.k) + s.sigma(1.0) * x.xi).eval());
    }
  }
}

}  // namespace
}  // namespace siv
