// Replay tokens: every case survives the round trip exactly, and malformed tokens are rejected
// with a message naming the field.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <stdexcept>

#include "properties/case.hpp"
#include "properties/generators.hpp"

namespace siv {
namespace {

// Field text from the characters a token may carry (no ';' or '=').
rc::Gen<std::string> field_text() {
  return rc::gen::container<std::string>(rc::gen::element('a', 'Z', '0', '9', '.', ':', '-', '*', ' ', '(', ')'));
}

rc::Gen<Case> any_case() {
  return rc::gen::apply(
      [](std::string check, std::string group, std::string schedule, TrainingSetSpec set,
         std::uint64_t seed, int starts, int ladder, std::string eps, std::string err,
         std::string variant, double level) {
        Case c;
        c.check = check;
        c.group = group;
        c.schedule = schedule;
        c.set = set;
        c.seed = seed;
        c.starts = starts;
        c.ladder = ladder;
        c.steps = ladder ? 1 << (ladder + 2) : 0;
        c.diffusion = eps;
        c.error_model = err;
        c.variant = variant;
        c.level = level;
        return c;
      },
      field_text(), field_text(), field_text(), gen::training_set_spec(), rc::gen::arbitrary<std::uint64_t>(),
      rc::gen::inRange(1, 1000), rc::gen::inRange(0, 10), field_text(), field_text(), field_text(),
      // 0 (no level) or a level in (0, 1) with all its bits
      rc::gen::oneOf(rc::gen::just(0.0), rc::gen::map(rc::gen::inRange(1, 1 << 30), [](int k) {
                       return std::ldexp(static_cast<double>(k), -31) / 3;
                     })));
}

RC_GTEST_PROP(CaseToken, RoundTripsExactly, ()) {
  const Case c = *any_case();
  RC_ASSERT(parse_token(to_token(c)) == c);
}

// The same property rejects a lossy encoder: printing the separation with 6 digits.
TEST(CaseToken, LossyEncodingWouldBeCaught) {
  Case c;
  c.check = "C2.rate";
  c.set.separation = 0.1 + 0.2;  // 0.30000000000000004: 6 digits would lose it
  std::string token = to_token(c);
  EXPECT_EQ(parse_token(token), c);
  const std::string exact = "sep=0.30000000000000004";
  ASSERT_NE(token.find(exact), std::string::npos);
  token.replace(token.find(exact), exact.size(), "sep=0.3");
  EXPECT_NE(parse_token(token), c);
}

TEST(CaseToken, RejectsMalformedTokens) {
  Case c;
  c.check = "C1.ode";
  const std::string good = to_token(c);
  auto message = [](const std::string& token) {
    try {
      parse_token(token);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_NE(message("siv2;" + good.substr(5)).find("must start"), std::string::npos);
  EXPECT_NE(message(good + ";bogus=1").find("bogus"), std::string::npos);
  EXPECT_NE(message(good + ";n=3").find("repeats"), std::string::npos);
  EXPECT_NE(message(good.substr(0, good.find(";n="))).find("'n' is missing"), std::string::npos);
  std::string bad_seed = good;
  bad_seed.replace(bad_seed.find(";seed=0"), 7, ";seed=-1");
  EXPECT_NE(message(bad_seed).find("'seed'"), std::string::npos);
  Case with_separator = c;
  with_separator.variant = "a=b";
  EXPECT_THROW(to_token(with_separator), std::invalid_argument);
  for (const char* level : {";level=0", ";level=1", ";level=-1e-3", ";level=nan", ";level=x"})
    EXPECT_NE(message(good + level).find("'level'"), std::string::npos) << level;
}

// The level a run judged a case at travels in the token; an older token without it still parses
// (level 0: the replaying run supplies its own).
TEST(CaseToken, CarriesTheLevelAndAcceptsTokensWithout) {
  Case c;
  c.check = "C2.rate";
  c.level = 1e-3 / 21 / 56;
  const std::string token = to_token(c);
  EXPECT_NE(token.find(";level="), std::string::npos);
  EXPECT_EQ(parse_token(token).level, c.level);
  Case old = c;
  old.level = 0;
  EXPECT_EQ(to_token(old).find("level"), std::string::npos);
  EXPECT_EQ(parse_token(to_token(old)).level, 0);
}

}  // namespace
}  // namespace siv
