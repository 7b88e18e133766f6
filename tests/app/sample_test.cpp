// End-to-end: `siverify sample` lands on training points, and its output is reproducible.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "properties/training_set.hpp"
#include "run_binary.hpp"
#include "theory/random.hpp"

namespace siv {
namespace {

using test::Result;
using test::run_siverify;

// Rows of `sample` output with the distance to the data recomputed here, independently of the
// nearest and dist columns, which are checked against it.
struct Landing {
  std::vector<double> dist;
};

Landing check_rows(const std::string& out, const Mat& data, std::size_t rows) {
  const auto table = test::parse_output(out);
  const auto d = static_cast<std::size_t>(data.cols());
  std::vector<std::string> header;
  for (std::size_t j = 1; j <= d; ++j) header.push_back(std::string("z").append(std::to_string(j)));
  header.insert(header.end(), {"nearest", "dist"});
  EXPECT_EQ(table.header, header);
  EXPECT_EQ(table.rows.size(), rows);
  Landing landing;
  for (std::size_t i = 0; i < table.rows.size(); ++i) {
    EXPECT_EQ(table.rows[i].size(), d + 2);
    Vec z(data.cols());
    for (std::size_t j = 0; j < d; ++j) z[static_cast<Eigen::Index>(j)] = table.number(i, j);
    Eigen::Index k = 0;
    const double dist = (data.rowwise() - z.transpose()).rowwise().norm().minCoeff(&k);
    EXPECT_EQ(std::stol(table.rows[i][d]), k);
    EXPECT_NEAR(table.number(i, d + 1), dist, 1e-15 + 1e-12 * dist);
    landing.dist.push_back(dist);
  }
  return landing;
}

// THEORY.md C1: the oracle ODE ends on a training point, for every schedule kind, in 2 to 16-D.
TEST(CliSample, AdaptiveLandsOnTrainingPointsForEveryScheduleKind) {
  Rng rng(7);
  for (const char* schedule : {"linear", "trig", "bridge", "vp", "power:0.5"}) {
    const int n = 2 + rng.index(8), d = 2 + rng.index(15);
    const Mat data = build_training_set({n, d, 0.3, rng.engine()()});
    const test::TempDir dir;
    const Result run = run_siverify({"sample", "--data", dir.write("y.csv", test::to_csv(data)),
                                     "--schedule", schedule, "--solver", "adaptive", "--count",
                                     "12", "--seed", std::to_string(rng.index(1000))});
    ASSERT_EQ(run.code, 0) << schedule << ": " << run.err;
    EXPECT_EQ(run.err, "");
    for (double dist : check_rows(run.out, data, 12).dist)
      EXPECT_LE(dist, 1e-10) << schedule << " n=" << n << " d=" << d;
  }
}

// The signal-to-noise reparametrization lands as well (THEORY.md section 3).
TEST(CliSample, LambdaSolverLandsOnTrainingPoints) {
  const Mat data = build_training_set({6, 3, 0.5, 11});
  const test::TempDir dir;
  const Result run = run_siverify({"sample", "--data", dir.write("y.csv", test::to_csv(data)),
                                   "--schedule", "vp", "--solver", "lambda", "--count", "10"});
  ASSERT_EQ(run.code, 0) << run.err;
  for (double dist : check_rows(run.out, data, 10).dist) EXPECT_LE(dist, 1e-10);
}

// THEORY.md C2: for the linear schedule the last Euler step returns the posterior mean, which is
// y_k once the weights are one-hot, so a well-separated set is hit to machine precision.
TEST(CliSample, EulerLinearLandsToMachinePrecisionOnASeparatedSet) {
  const Mat data = build_training_set({5, 2, 1.0, 3});
  const test::TempDir dir;
  const Result run = run_siverify({"sample", "--data", dir.write("y.csv", test::to_csv(data)),
                                   "--schedule", "linear", "--solver", "euler", "--steps", "100",
                                   "--count", "20", "--seed", "5"});
  ASSERT_EQ(run.code, 0) << run.err;
  for (double dist : check_rows(run.out, data, 20).dist) EXPECT_LE(dist, 1e-12);
}

// Issue 15: on y = (-1e12, 0, 1e12) the basin is chosen within lambda ~ 1e-12 of t = 1, which
// 1000 Euler steps of 1e-3 jump over: sample must say so (exit 0, rows written). On y = (-1, 0, 1)
// the same grid resolves the choice and says nothing.
TEST(CliSample, FixedGridWarnsWhenItsStepsJumpOverTheBasinChoice) {
  const test::TempDir dir;
  const auto sample = [&](const std::string& data, const std::string& threads = "1") {
    return run_siverify({"sample", "--data", dir.write("y.csv", data), "--schedule", "linear",
                         "--solver", "euler", "--steps", "1000", "--count", "30", "--seed", "1",
                         "--threads", threads});
  };
  const Result wide = sample("-1e12\n0\n1e12\n");
  ASSERT_EQ(wide.code, 0) << wide.err;
  // The watch splits its columns over the threads: the same rows and the same warning.
  const Result wide_threads = sample("-1e12\n0\n1e12\n", "2");
  EXPECT_EQ(wide_threads.out, wide.out);
  EXPECT_EQ(wide_threads.err, wide.err);
  EXPECT_EQ(test::parse_output(wide.out).rows.size(), 30u);
  EXPECT_NE(wide.err.find("warning: 30 of 30 samples took a grid step coarser than the scale on "
                          "which their weights change"),
            std::string::npos)
      << wide.err;
  const Result unit = sample("-1\n0\n1\n");
  ASSERT_EQ(unit.code, 0) << unit.err;
  EXPECT_EQ(unit.err.find("coarser"), std::string::npos) << unit.err;
}

TEST(CliSample, StartFileGivesOneRowPerStart) {
  const test::TempDir dir;
  const Mat data = build_training_set({4, 3, 0.5, 8});
  Rng rng(2);
  Mat starts(7, 3);
  for (int i = 0; i < starts.rows(); ++i) starts.row(i) = rng.normal_vector(3).transpose();
  const std::string y = dir.write("y.csv", test::to_csv(data, "a,b,c\n"));
  const std::string z = dir.write("z.csv", test::to_csv(starts, "# starts\nz1,z2,z3\n"));
  for (const char* solver : {"adaptive", "rk4"}) {
    const Result run = run_siverify(
        {"sample", "--data", y, "--schedule", "trig", "--solver", solver, "--start", z});
    ASSERT_EQ(run.code, 0) << solver << ": " << run.err;
    check_rows(run.out, data, 7);
  }
  // The same starts through standard input.
  const Result file = run_siverify({"sample", "--data", y, "--schedule", "trig", "--solver", "heun",
                                    "--steps", "50", "--start", z});
  const Result piped = run_siverify({"sample", "--data", y, "--schedule", "trig", "--solver",
                                     "heun", "--steps", "50", "--start", "-"},
                                    z);
  ASSERT_EQ(piped.code, 0) << piped.err;
  EXPECT_EQ(piped.out, file.out);
}

class CliSampleSeeds : public testing::Test {
 protected:
  Result sample(std::vector<std::string> extra, const std::string& eps = "sigma2:1") {
    std::vector<std::string> args = {"sample", "--data", data_, "--schedule", "bridge", "--solver",
                                     "em",     "--eps",  eps,   "--steps",    "40"};
    args.insert(args.end(), extra.begin(), extra.end());
    Result run = run_siverify(args);
    EXPECT_EQ(run.code, 0) << run.err;
    return run;
  }
  test::TempDir dir_;
  std::string data_ = dir_.write("y.csv", test::to_csv(build_training_set({5, 4, 0.5, 9})));
};

TEST_F(CliSampleSeeds, SameSeedGivesByteIdenticalOutputAtAnyThreadCount) {
  const Result once = sample({"--count", "9", "--seed", "42"});
  EXPECT_EQ(sample({"--count", "9", "--seed", "42"}).out, once.out);
  const Result threads = sample({"--count", "9", "--seed", "42", "--threads", "3"});
  EXPECT_EQ(threads.out, once.out);
  // The same coarse-step warnings (after a note when 3 exceeds the machine's cores).
  EXPECT_TRUE(threads.err.ends_with(once.err)) << threads.err << "\n" << once.err;
  EXPECT_NE(sample({"--count", "9", "--seed", "43"}).out, once.out);
  // Each sample has its own start and path: no two rows repeat.
  const auto rows = test::parse_output(once.out).rows;
  EXPECT_EQ(rows.size(), 9u);
  EXPECT_EQ(std::set(rows.begin(), rows.end()).size(), rows.size());
}

// Sample i depends on (seed, i) only: a shorter run is a prefix of a longer one.
TEST_F(CliSampleSeeds, SampleIDependsOnlyOnSeedAndI) {
  const Result three = sample({"--count", "3", "--seed", "1"});
  const Result six = sample({"--count", "6", "--seed", "1"});
  EXPECT_TRUE(six.out.starts_with(three.out)) << three.out << "\n" << six.out;
}

// With --start the seed drives the Brownian path alone.
TEST_F(CliSampleSeeds, SeedDrivesTheBrownianPathWithGivenStarts) {
  const std::string z = dir_.write("z.csv", "0.1,0.2,0.3,0.4\n-1,0,1,2\n");
  const Result a = sample({"--start", z, "--seed", "1"});
  EXPECT_EQ(sample({"--start", z, "--seed", "1"}).out, a.out);
  EXPECT_NE(sample({"--start", z, "--seed", "2"}).out, a.out);
}

// eps = 0 removes the noise and the score term: Euler-Maruyama is Euler.
TEST_F(CliSampleSeeds, ZeroDiffusionEqualsEuler) {
  const auto em = test::parse_output(sample({"--count", "5", "--seed", "3"}, "const:0").out);
  const Result euler = run_siverify({"sample", "--data", data_, "--schedule", "bridge", "--solver",
                                     "euler", "--steps", "40", "--count", "5", "--seed", "3"});
  ASSERT_EQ(euler.code, 0) << euler.err;
  const auto eu = test::parse_output(euler.out);
  ASSERT_EQ(em.rows.size(), eu.rows.size());
  for (std::size_t i = 0; i < em.rows.size(); ++i)
    for (std::size_t j = 0; j < 4; ++j)
      EXPECT_NEAR(em.number(i, j), eu.number(i, j), 1e-12 * (1 + std::abs(eu.number(i, j))));
}

TEST_F(CliSampleSeeds, DetailsAddsDiagnosticColumns) {
  const auto table = test::parse_output(sample({"--count", "2", "--details"}).out);
  const std::vector<std::string> tail = {"start_k", "ending", "steps", "evaluations", "t_end"};
  ASSERT_EQ(table.header.size(), 4 + 2 + tail.size());
  EXPECT_TRUE(std::equal(tail.begin(), tail.end(), table.header.end() - 5));
  for (const auto& row : table.rows) {
    EXPECT_EQ(row[7], "reached_end");
    EXPECT_EQ(row[8], "40");
    const int k = std::stoi(row[6]);
    EXPECT_TRUE(k >= 0 && k < 5) << k;
  }
}

}  // namespace
}  // namespace siv
