// theory/bounds' one-centre Euler-Maruyama recursions against the EM map itself: with one
// training point the drift b - eps s is affine in Z, so the mean of EM follows the noiseless EM
// map exactly, computed here from the oracle field's velocity and score (a separate code path
// from the schedule-coefficient recursion).
#include <gtest/gtest.h>

#include <cmath>

#include "theory/bounds.hpp"
#include "theory/diffusion.hpp"
#include "theory/oracle.hpp"

namespace siv {
namespace {

TEST(Bounds, EmMeanRecursionIsTheNoiselessEmMapForOneCentre) {
  for (const char* spec : {"trig", "bridge:2", "vp:0.1:20", "power:0.75", "linear"}) {
    for (const char* eps_spec : {"sigma2:1", "const:0.5"}) {
      const Diffusion eps = make_diffusion(eps_spec);
      const int steps = 64;
      const double h = 1.0 / steps;
      Mat y(1, 2);
      y << 1.5, -0.5;
      const OracleField oracle(y, make_schedule(spec));
      const Schedule& s = oracle.schedule();
      Vec z = s.alpha(1.0) * y.row(0).transpose(), b(2), score(2);  // D_1 = 0: its mean
      for (int j = steps; j >= 1; --j) {
        const double t = j * h;
        oracle.velocity(t, z, b);
        oracle.score(t, z, score);
        z -= h * (b - eps(s, t) * score);
      }
      const Vec expected = (1 + em_mean_recursion(s, eps, steps)) * y.row(0).transpose();
      // Each of the 64 steps rounds at a few eps of |z| + h |b|.
      EXPECT_LE((z - expected).norm(), 1e-12 * y.norm()) << spec << " " << eps_spec;
    }
  }
  // Linear: every alpha term vanishes (alpha_j - alpha_{j-1} = -h = h alpha'), so mu = 0 to
  // rounding; trig's alpha'' does not vanish and mu is more than its last term.
  EXPECT_LE(std::abs(em_mean_recursion(*make_schedule("linear"), make_diffusion("sigma2:1"), 256)), 1e-14);
  const auto trig = make_schedule("trig");
  const double h = 1.0 / 256, last = trig->alpha(h) - h * trig->dalpha(h) - 1;
  EXPECT_GT(std::abs(em_mean_recursion(*trig, make_diffusion("sigma2:1"), 256) - last), 1e-3 * std::abs(last));
}

}  // namespace
}  // namespace siv
