// The journal: observations round-trip exactly (NaN, infinities, -0, detail order), a line cut by
// a kill is dropped, a corrupt line or a foreign header is refused naming the file and line.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>

#include "../app/run_binary.hpp"
#include "reports/journal.hpp"

namespace siv {
namespace {

Observation tricky_observation() {
  Observation obs;
  obs.comparison = Comparison::lower;
  obs.observed = std::numeric_limits<double>::infinity();
  obs.bound = 0.1 + 0.2;  // not a short decimal
  obs.assume("z", false, -0.0);
  obs.assume("a", true, std::nextafter(1.0, 2.0));
  obs.detail("zeta", std::numeric_limits<double>::quiet_NaN());
  obs.detail("alpha", -std::numeric_limits<double>::infinity());
  obs.detail("alpha", 5e-324);  // keys repeat and keep their order
  obs.failure = "it \"broke\"\n";
  obs.level = 0.1 + 0.2;  // an interval case's level, to the last bit
  return obs;
}

Case some_case(int i) {
  Case c;
  c.check = "C2.rate";
  c.group = "linear";
  c.schedule = "linear";
  c.seed = 1000 + i;
  c.steps = 64;
  return c;
}

TEST(Journal, ObservationsRoundTripExactly) {
  const Observation obs = tricky_observation();
  const Observation back = observation_from_json(nlohmann::json::parse(observation_json(obs).dump()));
  EXPECT_EQ(back.comparison, obs.comparison);
  EXPECT_EQ(back.observed, obs.observed);
  EXPECT_EQ(back.bound, obs.bound);
  ASSERT_EQ(back.assumptions.size(), 2u);
  EXPECT_TRUE(std::signbit(back.assumptions[0].margin));
  EXPECT_EQ(back.assumptions[1].margin, obs.assumptions[1].margin);
  EXPECT_EQ(back.assumptions[0].name, "z");
  ASSERT_EQ(back.details.size(), 3u);
  EXPECT_TRUE(std::isnan(back.details[0].second));
  EXPECT_EQ(back.details[1], obs.details[1]);
  EXPECT_EQ(back.details[2], obs.details[2]);
  EXPECT_EQ(back.failure, obs.failure);
  EXPECT_EQ(back.level, obs.level);
  EXPECT_TRUE(std::isnan(observation_from_json(observation_json(Observation{})).level));
}

TEST(Journal, WritesHeaderAndRecordsAndDropsALineCutByAKill) {
  const test::TempDir dir;
  const std::string file = dir.path("journal.jsonl");
  const std::vector<Case> plan = {some_case(0), some_case(1), some_case(2)};
  const RunIdentity id = run_identity({"--profile=quick", "--seed=1"}, plan);
  {
    JournalWriter w(file, id, 2, 3);
    CaseRecord r;
    r.c = plan[2];
    r.obs = tricky_observation();
    r.seconds = 0.25;
    w.write(2, r);
  }
  std::ofstream(file, std::ios::app) << "{\"i\":0,\"tok";  // killed mid-line
  const JournalContents j = read_journal(file);
  EXPECT_EQ(j.identity, id);
  EXPECT_EQ(j.shard, 2);
  EXPECT_EQ(j.shards, 3);
  ASSERT_EQ(j.records.size(), 1u);
  EXPECT_EQ(j.tokens.at(2), to_token(plan[2]));
  EXPECT_EQ(j.records.at(2).seconds, 0.25);
  EXPECT_EQ(j.records.at(2).obs.bound, 0.1 + 0.2);
  {
    JournalWriter w(file, j.valid_bytes);  // continuing drops the cut line
    CaseRecord r;
    r.c = plan[0];
    w.write(0, r);
  }
  EXPECT_EQ(read_journal(file).records.size(), 2u);
}

TEST(Journal, RefusesCorruptLinesForeignFilesAndOtherRuns) {
  const test::TempDir dir;
  const std::vector<Case> plan = {some_case(0), some_case(1)};
  const RunIdentity id = run_identity({"--seed=1"}, plan);
  const std::string file = dir.path("journal.jsonl");
  { JournalWriter w(file, id, 1, 1); }
  std::ofstream(file, std::ios::app) << "not json\n{\"i\":1}\n";
  try {
    read_journal(file);
    FAIL() << "accepted a corrupt line";
  } catch (const JournalError& e) {
    EXPECT_NE(std::string(e.what()).find(file + " line 2"), std::string::npos) << e.what();
  }
  const std::string foreign = dir.write("other.jsonl", "{\"schema\":\"x\"}\n");
  EXPECT_THROW(read_journal(foreign), JournalError);
  EXPECT_THROW(read_journal(dir.path("missing.jsonl")), JournalError);

  RunIdentity other = id;
  EXPECT_EQ(identity_difference(id, other), "");
  other.args = {"--seed=2"};
  EXPECT_NE(identity_difference(id, other).find("--seed=1"), std::string::npos);
  other = run_identity({"--seed=1"}, {some_case(0), some_case(5)});
  EXPECT_NE(identity_difference(id, other).find("planned cases"), std::string::npos);
  other = id;
  other.version = "9.9.9";
  EXPECT_NE(identity_difference(id, other).find("9.9.9"), std::string::npos);
}

}  // namespace
}  // namespace siv
