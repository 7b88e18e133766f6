// siverify's own trained networks (models/network.hpp) and the checks that use models
// (properties/model/): training is deterministic, the ladder runs from underfitted to memorizing,
// its confusion tables add up, and the `verify --model` checks hold on the exact oracle module and
// refute a planted singular error's memorization.
#include <gtest/gtest.h>

#include <cstdio>

#include "../app/run_binary.hpp"
#include "models/model_field.hpp"
#include "models/network.hpp"
#include "modules.hpp"
#include "properties/model/model_checks.hpp"
#include "properties/training_set.hpp"

namespace siv {
namespace {

double detail(const Observation& obs, const std::string& key) {
  for (const auto& [k, v] : obs.details)
    if (k == key) return v;
  ADD_FAILURE() << "no detail " << key;
  return 0;
}

void print_tables(const char* label, const LadderResult& r) {
  std::printf("%s: confusion (accumulated error) pred_mem: %ld mem, %ld not; pred_not: %ld mem, %ld not\n",
              label, r.by_a[1][1], r.by_a[1][0], r.by_a[0][1], r.by_a[0][0]);
  std::printf("%s: confusion (training loss)     pred_mem: %ld mem, %ld not; pred_not: %ld mem, %ld not\n",
              label, r.by_loss[1][1], r.by_loss[1][0], r.by_loss[0][1], r.by_loss[0][0]);
  for (const auto& g : r.rungs) {
    long hits = 0;
    for (bool h : g.memorized) hits += h;
    std::printf("  width %3d steps %4d: loss %.4g excess %.4g mean A %.4g memorized %ld/%zu\n",
                g.width, g.steps, g.final_loss, g.excess, g.mean_a, hits, g.memorized.size());
  }
}

TEST(Network, TrainingIsDeterministicAndLearns) {
  const Mat data = build_training_set({5, 2, 1.5, 3});
  const auto schedule = make_schedule("linear");
  NetworkOptions o;
  o.width = 16;
  o.steps = 40;
  const TrainedNetwork a = train_network(data, *schedule, o, 7), b = train_network(data, *schedule, o, 7);
  EXPECT_EQ(a.bytes, b.bytes);
  EXPECT_NE(a.bytes, train_network(data, *schedule, o, 8).bytes);
  o.steps = 4;
  EXPECT_GT(train_network(data, *schedule, o, 7).final_loss, a.final_loss);
  o.width = 0;
  EXPECT_THROW(train_network(data, *schedule, o, 7), std::invalid_argument);
}

// The ladder: the underfitted rung does not memorize, the longest-trained one memorizes more,
// and no sample certified by its accumulated error fails to memorize (C4 through a network).
void run_ladder(int d, const char* label) {
  const Mat data = build_training_set({5, d, 2.0, 11});
  const LadderResult r = run_network_ladder(data, make_schedule("linear"), 4, 5, network_ladder());
  ASSERT_EQ(r.failure, "");
  print_tables(label, r);
  long total = 0;
  for (const auto& row : r.by_a) total += row[0] + row[1];
  EXPECT_EQ(total, 4L * static_cast<long>(network_ladder().size()));
  EXPECT_EQ(r.by_a[1][0], 0);
  const auto hits = [](const LadderRung& g) { return std::count(g.memorized.begin(), g.memorized.end(), true); };
  EXPECT_EQ(hits(r.rungs.front()), 0);
  EXPECT_GE(hits(r.rungs.back()), hits(r.rungs.front()));
  EXPECT_LT(r.rungs.back().excess, r.rungs.front().excess);
}

TEST(Network, LadderIn2D) { run_ladder(2, "d=2"); }
TEST(Network, LadderIn16D) { run_ladder(16, "d=16"); }

Case model_case(const Check& check, int starts, std::uint64_t seed) {
  Case c;
  c.check = check.id();
  c.schedule = "linear";
  c.seed = seed;
  c.starts = starts;
  c.level = 1e-3;  // C4.model.loss's confidence bounds need one; a run would give its share
  return c;
}

TEST(ModelChecks, ExactOracleMemorizesAndSingularErrorDoesNot) {
  test::TempDir dir;
  const Mat data = build_training_set({5, 2, 1.0, 7});
  const std::string exact = dir.path("exact.pt"), singular = dir.path("singular.pt");
  write_module_file(exact, test::module_bytes(test::linear_oracle_velocity(), data));
  const Mat cv = Vec::Constant(2, 0.6).transpose();
  write_module_file(singular, test::module_bytes(test::linear_oracle_velocity(" + self.cv / s"), data,
                                                 {{"cv", cv}}));
  const auto checks_of = [&](const std::string& file) {
    return model_checks(ModelTarget{"train.csv", data, "linear", ModelSpec{file}});
  };
  {
    const auto checks = checks_of(exact);
    ASSERT_EQ(checks.size(), 4u);
    for (const auto& check : checks) {
      const Observation obs = check->observe(model_case(*check, 3, 1));
      ASSERT_EQ(obs.failure, "") << check->id();
      if (check->id() == "C6.model") {
        EXPECT_EQ(detail(obs, "memorized_gap"), 1.0);
        EXPECT_EQ(detail(obs, "memorized_nn_ratio"), 1.0);
        EXPECT_EQ(detail(obs, "certified_overfit"), 1.0);
        EXPECT_LT(detail(obs, "mean_A"), 1e-9);
        EXPECT_LT(detail(obs, "excess_loss"), 1e-20);
      }
      if (check->id() == "C4.model.bound" || check->id() == "C6.model" || check->id() == "C4.model.loss")
        EXPECT_TRUE(obs.comparison == Comparison::upper && obs.observed <= obs.bound) << check->id();
    }
  }
  {
    const auto checks = checks_of(singular);
    for (const auto& check : checks) {
      if (check->id() != "C6.model" && check->id() != "C7.model.lower") continue;
      const Observation obs = check->observe(model_case(*check, 3, 1));
      ASSERT_EQ(obs.failure, "") << check->id();
      if (check->id() == "C6.model") {
        // Every endpoint moves by |c v| = 0.85 > gap/20, and C7 certifies it (A/2 > gap/20 here).
        EXPECT_EQ(detail(obs, "memorized_gap"), 0.0);
        EXPECT_EQ(detail(obs, "certified_overfit"), 0.0);
        EXPECT_EQ(detail(obs, "certified_underfit"), 1.0);
        EXPECT_NEAR(detail(obs, "mean_A"), 0.6 * std::sqrt(2.0), 1e-6);
      } else {
        EXPECT_TRUE(obs.assumptions_hold());
        EXPECT_GE(obs.observed, obs.bound);  // C7 holds
      }
    }
  }
}

}  // namespace
}  // namespace siv
