// The registration API: external checks, schedules and error models join the built-in ones.
#include <gtest/gtest.h>

#include "properties/claims.hpp"
#include "properties/runner.hpp"
#include "properties/scene.hpp"
#include "theory/error_models.hpp"
#include "theory/schedule.hpp"

namespace siv {
namespace {

// A check whose every case holds (or, as the variant "off", violates) an exact bound.
class ConstantCheck final : public Check {
 public:
  explicit ConstantCheck(std::string id) : id_(std::move(id)) {}
  std::string id() const override { return id_; }
  std::string claim() const override { return "T1"; }
  std::string statement() const override { return "0 <= 1"; }
  std::vector<std::string> groups(const Profile&) const override { return {"linear"}; }
  rc::Gen<Case> generator(const std::string& group, const Profile& profile) const override {
    return case_generator(group, profile, 0.5, 2.0, 0);
  }
  std::vector<Mutant> mutants() const override { return {{"off", "linear", "2 <= 1"}}; }
  Observation observe(const Case& c) const override {
    Observation obs;
    obs.observed = c.variant == "off" ? 2 : 0;
    obs.bound = 1;
    return obs;
  }

 private:
  std::string id_;
};

std::vector<std::unique_ptr<Check>> static_checks() {
  std::vector<std::unique_ptr<Check>> out;
  out.push_back(std::make_unique<ConstantCheck>("T1.static"));
  return out;
}

// Runs before main, before the built-ins exist: they are added first at the first all_checks().
const CheckRegistrar registrar{static_checks};

TEST(Registry, StaticRegistrationFollowsTheBuiltIns) {
  const auto& all = all_checks();
  ASSERT_GT(all.size(), 1u);
  EXPECT_EQ(all.front()->claim(), "C1");
  std::size_t last_built_in = 0, registered = all.size();
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (all[i]->claim()[0] == 'C') last_built_in = i;
    if (all[i]->id() == "T1.static") registered = i;
  }
  EXPECT_LT(last_built_in, registered);
  EXPECT_LT(registered, all.size());
}

TEST(Registry, RegisteredCheckRunsAndItsMutantIsRefuted) {
  register_check(std::make_unique<ConstantCheck>("T1.late"));
  EXPECT_EQ(all_checks().back()->id(), "T1.late");
  RunOptions o;
  o.mutants = true;
  const RunResult r = run_checks({&find_check("T1.late")}, o);
  ASSERT_EQ(r.groups.size(), 2u);
  EXPECT_TRUE(r.groups[0].as_expected());  // holds (loosely: observed 0)
  EXPECT_EQ(r.groups[1].verdict, Verdict::refuted);
}

TEST(Registry, DuplicateIdsAndNullChecksAreRejected) {
  ASSERT_FALSE(all_checks().empty());  // built-ins present: duplicates are caught at registration
  EXPECT_THROW(register_check(std::make_unique<ConstantCheck>("C2.identity")), std::invalid_argument);
  EXPECT_THROW(register_check(std::make_unique<ConstantCheck>("T1.static")), std::invalid_argument);
  EXPECT_THROW(register_check(nullptr), std::invalid_argument);
}

TEST(Registry, RegisteredScheduleKindParses) {
  EXPECT_THROW(make_schedule("halfpower"), std::invalid_argument);
  register_schedule("halfpower", [](std::string_view spec) {
    if (spec != "halfpower") throw std::invalid_argument("halfpower takes no parameters");
    return make_schedule("power:0.5");
  });
  EXPECT_EQ(make_schedule("halfpower")->exponent(), 0.5);
  EXPECT_THROW(make_schedule("halfpower:1"), std::invalid_argument);
  EXPECT_THROW(register_schedule("halfpower", [](std::string_view) { return make_schedule("linear"); }),
               std::invalid_argument);
  EXPECT_THROW(register_schedule("linear", [](std::string_view) { return make_schedule("linear"); }),
               std::invalid_argument);
  try {
    make_schedule("nosuch");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("halfpower"), std::string::npos) << e.what();
  }
}

TEST(Registry, RegisteredErrorModelKindParses) {
  const OracleField oracle(Mat::Identity(2, 2), make_schedule("linear"));
  register_error_model("zero", [](std::string_view, const OracleField& o, std::uint64_t) {
    return std::make_unique<ExactField>(o);
  });
  const auto model = make_error_model("zero", oracle, 1);
  Vec e(2);
  model->error(0.5, Vec::Ones(2), e);
  EXPECT_EQ(e.norm(), 0);
  EXPECT_THROW(register_error_model("smooth", {}), std::invalid_argument);
  EXPECT_THROW(make_error_model("nosuch:1", oracle, 1), std::invalid_argument);
}

}  // namespace
}  // namespace siv
