// Diffusion coefficients (theory/diffusion.hpp): spec parsing, name round-trip, eps(t) values.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "theory/diffusion.hpp"

namespace siv {
namespace {

constexpr double kUnit = std::numeric_limits<double>::epsilon() / 2;

TEST(Diffusion, ParsesSpecs) {
  const Diffusion c = make_diffusion("const:0.5");
  EXPECT_EQ(c.kind, Diffusion::Kind::constant);
  EXPECT_EQ(c.scale, 0.5);
  const Diffusion s = make_diffusion("sigma2:2");
  EXPECT_EQ(s.kind, Diffusion::Kind::sigma2);
  EXPECT_EQ(s.scale, 2.0);
  const Diffusion bare = make_diffusion("0.25");  // a bare number is a constant
  EXPECT_EQ(bare.kind, Diffusion::Kind::constant);
  EXPECT_EQ(bare.scale, 0.25);
  EXPECT_EQ(make_diffusion("const:0").scale, 0.0);
  EXPECT_EQ(make_diffusion("sigma2:1e-3").scale, 1e-3);
  EXPECT_EQ(c.name(), "const:0.5");
  EXPECT_EQ(s.name(), "sigma2:2");
}

// eps = scale, or scale sigma(t)^2 (two roundings either way: within 4 u), for every schedule and t.
TEST(Diffusion, Values) {
  for (const std::string& spec : schedule_catalogue()) {
    const SchedulePtr schedule = make_schedule(spec);
    for (double t : {1e-8, 1e-3, 0.25, 0.5, 1.0}) {
      const double sigma = schedule->sigma(t);
      EXPECT_EQ(make_diffusion("const:0.7")(*schedule, t), 0.7) << spec;
      EXPECT_EQ(make_diffusion("const:0")(*schedule, t), 0.0) << spec;
      const double eps = make_diffusion("sigma2:3")(*schedule, t);
      EXPECT_LE(std::abs(eps - 3 * sigma * sigma), 4 * kUnit * eps) << spec << " t=" << t;
    }
  }
}

// name() parses back to the same kind and the bitwise same scale, for every finite scale >= 0.
void roundtrip_property(const std::function<std::string(const Diffusion&)>& name) {
  Diffusion d;
  d.kind = *rc::gen::element(Diffusion::Kind::constant, Diffusion::Kind::sigma2);
  d.scale = *rc::gen::suchThat(rc::gen::arbitrary<double>(), [](double v) { return std::isfinite(v) && v >= 0; });
  const Diffusion back = make_diffusion(name(d));
  RC_ASSERT(back.kind == d.kind);
  RC_ASSERT(back.scale == d.scale);
}

RC_GTEST_PROP(Diffusion, NameRoundTrips, ()) { roundtrip_property([](const Diffusion& d) { return d.name(); }); }

TEST(Diffusion, RoundTripRejectsToStringNames) {
  // Mutant: std::to_string, six decimals.
  EXPECT_FALSE(rc::check("mutant: to_string names", [] {
    roundtrip_property([](const Diffusion& d) {
      return std::string(d.kind == Diffusion::Kind::constant ? "const:" : "sigma2:") + std::to_string(d.scale);
    });
  }));
}

TEST(Diffusion, BadSpecsThrow) {
  const std::vector<std::string> bad = {"",          "foo:1",      "CONST:1",   ":1",     "const:",
                                        "const:-1",  "sigma2:-0.5", "const:nan", "const:inf", "sigma2:1e999",
                                        "const:1x",  "sigma2:1:2", "const: 1",  "-0.5",   "abc"};
  for (const std::string& spec : bad) EXPECT_THROW(make_diffusion(spec), std::invalid_argument) << "'" << spec << "'";
}

}  // namespace
}  // namespace siv
