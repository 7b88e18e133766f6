// End-to-end: the adversarial classes of an audit of `field` and `sample` (issue 12). Each gives
// exit 0 with only documented non-finite cells, or exit 2 with one short printable line naming
// the option, file or limit; never a hang (run_siverify's guard), an internal error or a crash.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "run_binary.hpp"

namespace siv {
namespace {

using test::contains;
using test::Result;
using test::run_siverify;

// Exit 2, nothing on standard output, one line of printable ASCII (the messages here quote no
// UTF-8) of bounded length that contains `part`.
void expect_refused(const Result& run, const std::string& part) {
  EXPECT_EQ(run.code, 2) << run.err;
  EXPECT_EQ(run.out, "");
  EXPECT_TRUE(contains(run.err, part)) << run.err;
  EXPECT_LE(run.err.size(), 800u) << run.err;
  ASSERT_FALSE(run.err.empty());
  EXPECT_EQ(run.err.find('\n'), run.err.size() - 1) << run.err;
  for (char c : run.err.substr(0, run.err.size() - 1))
    EXPECT_TRUE(c >= 0x20 && c < 0x7F) << "byte " << static_cast<int>(static_cast<unsigned char>(c))
                                       << " in " << run.err;
}

class Adversarial : public ::testing::Test {
 protected:
  test::TempDir dir;
  std::string data = dir.write("data.csv", "0,0\n2,0\n0,2\n");
  std::string points = dir.write("points.csv", "0.5,0.5\n");
  std::vector<std::string> sample(std::vector<std::string> extra) const {
    std::vector<std::string> args = {"sample", "--data", data, "--schedule", "linear"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }
};

// Endless inputs stop at the readers' line guard at once.
TEST_F(Adversarial, EndlessFilesAreRefused) {
  expect_refused(run_siverify({"sample", "--data", "/dev/zero", "--schedule", "linear", "--solver",
                               "euler", "--count", "1"}),
                 "/dev/zero");
  expect_refused(run_siverify(sample({"--solver", "euler", "--start", "/dev/zero"})), "/dev/zero");
  expect_refused(run_siverify({"field", "--data", data, "--schedule", "linear", "--t", "0.5",
                               "--points", "/dev/zero"}),
                 "/dev/zero");
}

// A file of 1e5 rows as training set and as points/starts: the pairwise work is refused before it
// starts, naming the estimate and the limit.
TEST_F(Adversarial, LargeFilesAreRefusedByTheWorkLimit) {
  std::string rows;
  for (int i = 0; i < 100000; ++i) rows += std::to_string(i % 97) + "," + std::to_string(i % 89) + "\n";
  const std::string big = dir.write("big.csv", rows);
  expect_refused(run_siverify({"field", "--data", big, "--schedule", "linear", "--t", "0.5",
                               "--points", big}),
                 "over the limit --max-work");
  expect_refused(run_siverify({"sample", "--data", big, "--schedule", "linear", "--solver",
                               "adaptive", "--start", big}),
                 "over the limit --max-work");
  // The same training set with one point is affordable.
  EXPECT_EQ(run_siverify({"field", "--data", big, "--schedule", "linear", "--t", "0.5",
                          "--points", points}).code, 0);
}

TEST_F(Adversarial, HugeStepsCountsAndBrownianGridsAreRefusedBeforeWork) {
  expect_refused(run_siverify(sample({"--solver", "euler", "--steps", "2147483647", "--count", "1"})),
                 "--max-work");
  expect_refused(run_siverify(sample({"--solver", "em", "--eps", "1", "--steps", "2147483647",
                                      "--count", "1"})),
                 "--max-work");
  expect_refused(run_siverify(sample({"--solver", "em", "--eps", "1", "--steps", "10",
                                      "--brownian-steps", "2147483640", "--count", "1"})),
                 "Brownian grid 2147483640");
  expect_refused(run_siverify(sample({"--solver", "euler", "--count", "1000000"})), "--max-work");
  // Memory is a limit of its own: raising --max-work does not lift it.
  expect_refused(run_siverify(sample({"--solver", "euler", "--count", "4294967296", "--max-work",
                                      "1e300"})),
                 "GB of memory");
  expect_refused(run_siverify(sample({"--solver", "euler", "--count", "9223372036854775807"})),
                 "--max-work");
  expect_refused(run_siverify(sample({"--solver", "euler", "--count", "9223372036854775808"})),
                 "--count must be an integer in [1, 2^63 - 1], got '9223372036854775808'");
  expect_refused(run_siverify(sample({"--solver", "euler", "--count", "1", "--max-work", "0"})),
                 "--max-work must be a number > 0");
  // A refused request is affordable with a raised limit (here a small one, to stay fast).
  EXPECT_EQ(run_siverify(sample({"--solver", "euler", "--count", "20", "--max-work", "1e6"})).code, 0);
  expect_refused(run_siverify(sample({"--solver", "euler", "--count", "20", "--max-work", "1e4"})),
                 "over the limit --max-work 1e+04");
}

TEST_F(Adversarial, ThreadsAreCappedAtTheCoresWithAWarning) {
  const Result one = run_siverify(sample({"--solver", "euler", "--count", "6", "--seed", "3"}));
  const Result many = run_siverify(
      sample({"--solver", "euler", "--count", "6", "--seed", "3", "--threads", "100000"}));
  ASSERT_EQ(one.code, 0) << one.err;
  ASSERT_EQ(many.code, 0) << many.err;
  EXPECT_EQ(many.out, one.out);
  EXPECT_TRUE(contains(many.err, "warning: --threads 100000 exceeds the")) << many.err;
}

TEST_F(Adversarial, SchedulesThatBreakTheLambdaSolverAreRefusedUpFront) {
  expect_refused(run_siverify({"sample", "--data", data, "--schedule", "vp:1e-300:1e-300",
                               "--solver", "lambda", "--count", "1"}),
                 "--schedule vp:1e-300:1e-300");
  // The adaptive solver in t has no such ceiling.
  const Result adaptive = run_siverify({"sample", "--data", data, "--schedule", "vp:1e-300:1e-300",
                                        "--solver", "adaptive", "--count", "2"});
  EXPECT_EQ(adaptive.code, 0) << adaptive.err;
}

// Coordinates whose squared distances would overflow are refused, naming file and line; points
// far from the data at tiny t give finite weights (logits relative to the nearest centre) or a
// refusal naming the overflowing point, never nan or inf in b, s, m, wmax.
TEST_F(Adversarial, OverflowIsRefusedOrAvoidedNeverPrinted) {
  const std::string huge = dir.write("huge.csv", "1,1\n1e308,-1e308\n");
  expect_refused(run_siverify({"field", "--data", huge, "--schedule", "linear", "--t", "0.5",
                               "--points", points}),
                 huge + ":2: column 1");
  expect_refused(run_siverify(sample({"--solver", "euler", "--start", huge})), huge + ":2: column 1");

  const std::string far = dir.write("far.csv", "30,30\n-7,1e150\n1e-310,5e-324\n");
  for (const char* t : {"1e-150", "1e-20", "1", "0.5"}) {
    const Result run = run_siverify(
        {"field", "--data", data, "--schedule", "linear", "--t", t, "--points", far});
    if (run.code == 2) {
      expect_refused(run, far + ":");
      continue;
    }
    ASSERT_EQ(run.code, 0) << run.err;
    const auto table = test::parse_output(run.out);
    ASSERT_EQ(table.rows.size(), 3u);
    for (std::size_t i = 0; i < table.rows.size(); ++i)
      for (std::size_t c = 0; c < table.rows[i].size(); ++c)
        EXPECT_TRUE(std::isfinite(table.number(i, c)))
            << "t " << t << " row " << i << " column " << table.header[c] << ": " << table.rows[i][c];
  }
  // At t = 1e-150 the nearest centre takes all the weight: m is that centre exactly.
  const Result tiny = run_siverify({"field", "--data", data, "--schedule", "linear", "--t",
                                    "1e-150", "--points", dir.write("one.csv", "30,29\n")});
  if (tiny.code == 0) {
    const auto table = test::parse_output(tiny.out);
    EXPECT_EQ(table.rows[0][4], "2");
    EXPECT_EQ(table.rows[0][5], "0");
    EXPECT_EQ(table.rows[0][6], "1");
  } else {
    expect_refused(tiny, "exceeds the double range");
  }
}

// Sample rows: inf or nan only in a diverged row (ending non_finite, nearest -1, dist inf).
TEST_F(Adversarial, SampleNonFiniteCellsOnlyInDivergedRows) {
  const std::string starts = dir.write("starts.csv", "1e150,-1e150\n3,4\n1e-310,0\n");
  for (const char* solver : {"euler", "rk4", "adaptive"}) {
    std::vector<std::string> args = sample({"--solver", solver, "--start", starts, "--details"});
    if (std::string(solver) != "adaptive") args.insert(args.end(), {"--steps", "7"});
    const Result run = run_siverify(args);
    ASSERT_EQ(run.code, 0) << run.err;
    const auto table = test::parse_output(run.out);
    ASSERT_EQ(table.rows.size(), 3u);
    for (std::size_t i = 0; i < table.rows.size(); ++i) {
      const bool diverged = table.rows[i][5] == "non_finite";
      EXPECT_EQ(table.rows[i][2] == "-1", diverged) << solver << " row " << i;
      if (diverged) continue;
      for (std::size_t c : {0u, 1u, 3u, 8u})
        EXPECT_TRUE(std::isfinite(table.number(i, c)))
              << solver << " row " << i << " column " << table.header[c] << ": "
              << table.rows[i][c];
    }
  }
}

// Bytes from the input are escaped and long fields cut by the readers; the message layer
// (app/message, tests/app/message_test.cpp) bounds and escapes whatever else reaches it.
TEST_F(Adversarial, MessagesAreEscapedBoundedAndNamed) {
  const std::string bytes = dir.write("bytes.csv", std::string("0,0\n1,\x01\x1b[31m\xff\xfe\n"));
  expect_refused(run_siverify({"field", "--data", bytes, "--schedule", "linear", "--t", "0.5",
                               "--points", points}),
                 bytes + ":2: column 2:");
  const std::string wide = dir.write("wide.csv", "0,0\n1," + std::string(100000, 'x') + "\n");
  expect_refused(run_siverify({"field", "--data", wide, "--schedule", "linear", "--t", "0.5",
                               "--points", points}),
                 "is not a number");
  expect_refused(run_siverify({"field", "--data", data, "--schedule", std::string(5000, 'q'),
                               "--t", "0.5", "--points", points}),
                 "characters omitted");

  expect_refused(run_siverify({"field", "--data", "", "--schedule", "linear", "--t", "0.5",
                               "--points", points}),
                 "--data: the file name is empty");
  expect_refused(run_siverify(sample({"--solver", "euler", "--start", ""})),
                 "--start: the file name is empty");
  expect_refused(run_siverify({"sample", "--data", data, "--schedule",
                               std::string("lin\x07\xc0") + "ear", "--solver", "euler", "--count",
                               "1"}),
                 "lin\\x07\\xC0ear");
}

}  // namespace
}  // namespace siv
