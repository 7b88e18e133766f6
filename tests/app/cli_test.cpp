// End-to-end: the siverify binary's bad-input contract, `schedules` and `field`.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include <nlohmann/json.hpp>

#include "properties/training_set.hpp"
#include "run_binary.hpp"
#include "theory/oracle.hpp"
#include "theory/random.hpp"
#include "theory/schedule.hpp"

namespace siv {
namespace {

using test::contains;
using test::Result;
using test::run_siverify;

long count_lines(const std::string& text) { return std::count(text.begin(), text.end(), '\n'); }

TEST(Cli, SchedulesListsTheCatalogueWithExponents) {
  const Result run = run_siverify({"schedules"});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.err, "");
  const auto table = test::parse_output(run.out);
  EXPECT_EQ(table.header, (std::vector<std::string>{"schedule", "p"}));
  const auto catalogue = schedule_catalogue();
  ASSERT_EQ(table.rows.size(), catalogue.size());
  for (std::size_t i = 0; i < catalogue.size(); ++i) {
    EXPECT_EQ(table.rows[i][0], catalogue[i]);
    EXPECT_EQ(table.number(i, 1), make_schedule(catalogue[i])->exponent());
  }
}

TEST(Cli, HelpExitsZeroAndNoCommandExitsTwo) {
  EXPECT_EQ(run_siverify({"--help"}).code, 0);
  EXPECT_EQ(run_siverify({"sample", "--help"}).code, 0);
  const Result none = run_siverify({});
  EXPECT_EQ(none.code, 2);
  EXPECT_EQ(none.out, "");
}

TEST(Cli, VersionNamesTheBuild) {
  const Result run = run_siverify({"--version"});
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.out.rfind("siverify ", 0), 0u) << run.out;
  EXPECT_TRUE(contains(run.out, "(commit ")) << run.out;
}

TEST(Cli, ListShowsChecksWithStatementsGroupsMutantsAndTheCatalogues) {
  const Result run = run_siverify({"list"});
  ASSERT_EQ(run.code, 0) << run.err;
  for (const char* part : {"claims and checks", "  C2.identity  ", "groups: ", "mutant ",
                           "profiles", "  quick  3 cases per group", "schedules", "power:",
                           "error models", "rff:AMP", "data sets", "fashion-mnist",
                           "not run with --data: its setting is two points in d = 1"})
    EXPECT_TRUE(contains(run.out, part)) << part << "\n" << run.out;
  const Result only = run_siverify({"list", "profiles", "--profile", "ci"});
  ASSERT_EQ(only.code, 0) << only.err;
  EXPECT_FALSE(contains(only.out, "schedules"));
  EXPECT_TRUE(contains(only.out, "  deep  "));
}

TEST(Cli, VerifyHelpNamesEveryClaim) {
  const Result run = run_siverify({"verify", "--help"});
  ASSERT_EQ(run.code, 0);
  for (const char* part : {"C1, C2, C3, C4, C5, C6, C7", "C2.identity", "--cases", "--max-d"})
    EXPECT_TRUE(contains(run.out, part)) << part << "\n" << run.out;
}

// Profile overrides reach the run and its records; progress without a terminal is plain lines.
TEST(Cli, ProfileOverridesAndProgressInALog) {
  const test::TempDir dir;
  const Result run = run_siverify({"verify", "--profile", "quick", "--claims", "C2.identity",
                                   "--cases", "1", "--out", dir.path("out")});
  ASSERT_EQ(run.code, 0) << run.err;
  const auto summary = nlohmann::json::parse(test::read_text(dir.path("out/summary.json")));
  EXPECT_EQ(summary["settings"]["profile_values"]["cases"], 1);
  ASSERT_FALSE(summary["groups"].empty());
  for (const auto& g : summary["groups"]) EXPECT_EQ(g["cases"], 1) << g["group"];
  EXPECT_FALSE(contains(run.err, "\r"));
  EXPECT_TRUE(contains(run.err, "siverify: ")) << run.err;
  EXPECT_TRUE(contains(run.err, "cases  100%")) << run.err;
  // Re-running into its own report directory works; the manifest names the command.
  const Result again = run_siverify({"verify", "--profile", "quick", "--claims", "C2.identity",
                                     "--cases", "1", "--out", dir.path("out")});
  EXPECT_EQ(again.code, 0) << again.err;
  EXPECT_TRUE(contains(test::read_text(dir.path("out/manifest.json")), "--cases 1"));
}

// Shrinking a refuted group reports itself, as plain lines in a log: where it starts and ends.
TEST(Cli, ProgressCoversShrinking) {
  const test::TempDir dir;
  const Result run = run_siverify({"verify", "--profile", "quick", "--claims", "C2.identity",
                                   "--mutants-only", "--cases", "2", "--out", dir.path("out")});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_FALSE(contains(run.err, "\r"));
  EXPECT_TRUE(contains(run.err, "siverify: shrinking C2.identity [")) << run.err;
  EXPECT_TRUE(contains(run.err, ": 0 smaller cases tried, 0 kept\n")) << run.err;
  EXPECT_TRUE(contains(run.err, " kept, done\n")) << run.err;
}

// One bad input, run in a folder holding kFiles: its arguments and the part of the one-line
// message that must appear (the file:line or the option).
struct BadInput {
  std::string label;
  std::vector<std::string> args;  // "@name" is replaced by the path of file `name`
  std::string expected;           // part of stderr; "@name" replaced as above
};

const std::vector<std::pair<std::string, std::string>> kFiles = {
    {"data.csv", "x,y\n0,0\n3,1\n-1,2\n"},
    {"points.csv", "0.5,0.5\n1,1\n"},
    {"points3.csv", "# three columns\n1,2,3\n"},
    {"empty.csv", ""},
    {"ragged.csv", "1,2\n3,4\n5\n"},
    {"word.csv", "1,2\nabc,4\n"},
    {"nan.csv", "1,2\n3,nan\n"},
    {"inf.csv", "inf,1\n"},
    {"starts.csv", "0.1,0.2\n"},
};

// Replaces every "@name" by the path of file `name` in dir.
std::string expand(const std::string& s, const test::TempDir& dir) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    if (s[i] != '@') {
      out += s[i++];
      continue;
    }
    const auto end = s.find_first_not_of(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._", i + 1);
    const auto stop = end == std::string::npos ? s.size() : end;
    out += dir.path(s.substr(i + 1, stop - i - 1));
    i = stop;
  }
  return out;
}

std::vector<BadInput> bad_inputs() {
  const std::vector<std::string> field = {"field", "--data", "@data.csv", "--schedule", "linear"};
  auto f = [&](std::vector<std::string> extra) {
    auto args = field;
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  const std::vector<std::string> sample = {"sample", "--data", "@data.csv", "--schedule", "linear"};
  auto s = [&](std::vector<std::string> extra) {
    auto args = sample;
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  return {
      {"missing_file",
       {"field", "--data", "@nope.csv", "--schedule", "linear", "--t", "0.5", "--points",
        "@points.csv"},
       "@nope.csv: cannot open: No such file or directory"},
      {"empty_file",
       {"field", "--data", "@empty.csv", "--schedule", "linear", "--t", "0.5", "--points",
        "@points.csv"},
       "@empty.csv: no data rows"},
      {"ragged",
       {"field", "--data", "@ragged.csv", "--schedule", "linear", "--t", "0.5", "--points",
        "@points.csv"},
       "@ragged.csv:3: 1 value, expected 2 as on line 1"},
      {"non_numeric", f({"--t", "0.5", "--points", "@word.csv"}),
       "@word.csv:2: column 1: 'abc' is not a number"},
      {"nan", f({"--t", "0.5", "--points", "@nan.csv"}),
       "@nan.csv:2: column 2: 'nan' is not finite"},
      {"inf",
       {"sample", "--data", "@inf.csv", "--schedule", "linear", "--solver", "euler", "--count",
        "1"},
       "@inf.csv:1: column 1: 'inf' is not finite"},
      {"dimension", f({"--t", "0.5", "--points", "@points3.csv"}),
       "@points3.csv:2: 3 values per row, but the training set '@data.csv' has d = 2"},
      {"schedule",
       {"field", "--data", "@data.csv", "--schedule", "cubic", "--t", "0.5", "--points",
        "@points.csv"},
       "--schedule: unknown schedule 'cubic'"},
      {"schedule_param",
       {"field", "--data", "@data.csv", "--schedule", "power:2", "--t", "0.5", "--points",
        "@points.csv"},
       "--schedule: schedule 'power': P must lie in (0, 1]"},
      {"t_zero", f({"--t", "0", "--points", "@points.csv"}),
       "--t 0: the field is singular at t = 0"},
      {"t_above", f({"--t", "1.5", "--points", "@points.csv"}), "--t must lie in (0, 1], got 1.5"},
      {"t_negative", f({"--t=-0.25", "--points", "@points.csv"}),
       "--t must lie in (0, 1], got -0.25"},
      {"t_underflow", f({"--t", "1e-200", "--points", "@points.csv"}), "underflows"},
      {"t_text", f({"--t", "soon", "--points", "@points.csv"}), "--t"},
      {"t_missing", f({"--points", "@points.csv"}), "--t is required"},
      {"both_stdin",
       {"field", "--data", "-", "--schedule", "linear", "--t", "0.5", "--points", "-"},
       "--data and --points both read standard input"},
      {"solver", s({"--solver", "leapfrog", "--count", "2"}),
       "--solver: unknown solver 'leapfrog'"},
      {"solver_missing", s({"--count", "2"}), "--solver is required"},
      {"data_missing",
       {"sample", "--schedule", "linear", "--solver", "euler", "--count", "1"},
       "--data is required"},
      {"steps_zero", s({"--solver", "euler", "--steps", "0", "--count", "1"}),
       "--steps must be >= 1, got 0"},
      {"steps_text", s({"--solver", "euler", "--steps", "1.5", "--count", "1"}), "--steps"},
      {"eps_negative", s({"--solver", "em", "--eps", "-0.5", "--count", "1"}),
       "--eps: diffusion '-0.5'"},
      {"eps_spec", s({"--solver", "em", "--eps", "sigma3:1", "--count", "1"}),
       "--eps: unknown diffusion 'sigma3:1'"},
      {"eps_missing", s({"--solver", "em", "--count", "1"}), "--eps is required with --solver em"},
      {"eps_not_em", s({"--solver", "euler", "--eps", "1", "--count", "1"}),
       "--eps applies only to --solver em"},
      {"tol_negative", s({"--solver", "adaptive", "--tol", "-1e-9", "--count", "1"}),
       "--tol must be a finite number > 0"},
      {"tol_zero", s({"--solver", "lambda", "--tol", "0", "--count", "1"}),
       "--tol must be a finite number > 0"},
      {"t_final_lambda", s({"--solver", "lambda", "--t-final", "1e-6", "--count", "1"}),
       "--t-final applies only to --solver adaptive"},
      {"t_final_range", s({"--solver", "adaptive", "--t-final", "1", "--count", "1"}),
       "--t-final must lie in (0, 1), got 1"},
      {"no_settle_euler", s({"--solver", "euler", "--no-settle", "--count", "1"}),
       "--no-settle applies only to --solver adaptive and lambda"},
      {"threads_negative", s({"--solver", "euler", "--threads", "-1", "--count", "1"}),
       "--threads must be >= 0, got -1"},
      {"tol_not_adaptive", s({"--solver", "rk4", "--tol", "1e-9", "--count", "1"}),
       "--tol applies only to --solver adaptive and lambda"},
      {"steps_adaptive", s({"--solver", "adaptive", "--steps", "10", "--count", "1"}),
       "--steps does not apply to --solver adaptive"},
      {"stepper", s({"--solver", "adaptive", "--stepper", "rk45", "--count", "1"}),
       "--stepper: unknown stepper 'rk45'"},
      {"brownian",
       s({"--solver", "em", "--eps", "0", "--steps", "10", "--brownian-steps", "15", "--count",
          "1"}),
       "--brownian-steps must be a multiple of --steps (10), got 15"},
      {"start_and_count", s({"--solver", "euler", "--start", "@starts.csv", "--count", "3"}),
       "--start and --count exclude each other"},
      {"no_starts", s({"--solver", "euler"}), "give the starts: --start FILE, or --count M"},
      {"seed_negative", s({"--solver", "euler", "--count", "2", "--seed", "-3"}),
       "--seed must be an integer in [0, 2^64 - 1], got '-3'"},
      {"count_zero", s({"--solver", "euler", "--count", "0"}), "--count must be an integer in [1, 2^63 - 1], got '0'"},
      {"seed_unused", s({"--solver", "adaptive", "--start", "@starts.csv", "--seed", "4"}),
       "--seed has no effect with --start"},
      {"start_dimension", s({"--solver", "adaptive", "--start", "@points3.csv"}),
       "@points3.csv:2: 3 values per row, but the training set '@data.csv' has d = 2"},
      {"start_nan", s({"--solver", "euler", "--start", "@nan.csv"}),
       "@nan.csv:2: column 2: 'nan' is not finite"},
      {"unknown_option", s({"--solver", "euler", "--count", "1", "--colour", "red"}), "--colour"},
      {"verify_seed_negative", {"verify", "--claims", "C2.identity", "--seed", "-1"},
       "--seed must be an integer in [0, 2^64 - 1], got '-1'"},
      {"verify_unknown_claim", {"verify", "--claims", "C99"}, "--claims: unknown claim or check 'C99'"},
      {"verify_bad_profile", {"verify", "--profile", "fast"}, "--profile: unknown profile 'fast'"},
      {"verify_bad_token", {"verify", "--replay", "siv1;check=C2.rate"}, "--replay: replay token"},
      // Issue 11: options that cannot take effect were silently ignored; --threads -1 printed
      // a 309-digit number; a run wrote into any directory.
      {"verify_replay_out", {"verify", "--replay", "siv1;check=C2.rate", "--out", "@report"},
       "--out has no effect with --replay"},
      {"verify_replay_junit", {"verify", "--replay", "siv1;check=C2.rate", "--junit", "@j.xml"},
       "--junit has no effect with --replay"},
      {"verify_pdf_without_out", {"verify", "--claims", "C2.identity", "--pdf"},
       "--pdf has no effect without --out"},
      {"verify_mutants_twice", {"verify", "--claims", "C2.identity", "--mutants", "--mutants-only"},
       "--mutants has no effect with --mutants-only"},
      {"verify_threads_negative", {"verify", "--claims", "C2.identity", "--threads", "-1"},
       "--threads: must be 0 (all cores) or a positive count, got -1"},
      {"verify_cases_zero", {"verify", "--claims", "C2.identity", "--cases", "0"}, "--cases"},
      {"verify_out_foreign", {"verify", "--claims", "C2.identity", "--out", "@"},
       "is not empty and not a siverify report directory"},
      {"verify_out_file", {"verify", "--claims", "C2.identity", "--out", "@data.csv"},
       "@data.csv exists and is not a directory"},
      {"list_unknown", {"list", "claims-and-more"}, "list: unknown section 'claims-and-more'"},
      {"unknown_command",
       {"plot"},
       "unknown command 'plot' (known: schedules, field, sample, verify"},
  };
}

class CliRejects : public testing::TestWithParam<BadInput> {};

TEST_P(CliRejects, ExitTwoOneMessageEmptyStdout) {
  const test::TempDir dir;
  for (const auto& [name, text] : kFiles) dir.write(name, text);
  std::vector<std::string> args;
  for (const auto& a : GetParam().args) args.push_back(expand(a, dir));
  const std::string expected = expand(GetParam().expected, dir);

  const Result run = run_siverify(args);
  EXPECT_EQ(run.code, 2) << run.err;
  EXPECT_EQ(run.out, "");
  EXPECT_TRUE(contains(run.err, expected)) << "stderr: " << run.err << "expected: " << expected;
  EXPECT_EQ(count_lines(run.err), 1) << run.err;
  EXPECT_TRUE(run.err.starts_with("siverify: ")) << run.err;
}

INSTANTIATE_TEST_SUITE_P(Cases, CliRejects, testing::ValuesIn(bad_inputs()),
                         [](const auto& info) { return info.param.label; });

// The field command against OracleField evaluated here: same layout, every value bit for bit
// (17 significant digits parse back to the same double).
TEST(CliField, MatchesTheOracleBitForBit) {
  Rng rng(20240611);
  for (const auto& spec : schedule_catalogue()) {
    for (const double t : {1.0, 0.5, 0.03, 1e-4}) {
      const int n = 1 + rng.index(6), d = 1 + rng.index(5);
      const Mat data = build_training_set({n, d, 0.5, rng.engine()()});
      // Half near a centre alpha y_k (weights between one-hot and uniform), half anywhere.
      const auto schedule = make_schedule(spec);
      Mat points(6, d);
      for (int i = 0; i < points.rows(); ++i)
        points.row(i) = i % 2 ? Vec(2.0 * rng.normal_vector(d)).transpose()
                              : Vec(schedule->alpha(t) * data.row(rng.index(n)).transpose() +
                                    schedule->sigma(t) * rng.normal_vector(d))
                                    .transpose();
      const test::TempDir dir;
      const Result run = run_siverify({"field", "--data", dir.write("y.csv", test::to_csv(data)),
                                       "--schedule", spec, "--t", test::format(t), "--points",
                                       dir.write("x.csv", test::to_csv(points, "# points\n"))});
      ASSERT_EQ(run.code, 0) << spec << " t=" << t << ": " << run.err;
      EXPECT_EQ(run.err, "");

      const OracleField oracle(data, schedule);
      FieldBatch want;
      oracle.evaluate_batch(t, points, want);
      const auto table = test::parse_output(run.out);
      std::vector<std::string> header;
      for (const char* prefix : {"b", "s", "m"})
        for (int j = 1; j <= d; ++j) header.push_back(prefix + std::to_string(j));
      header.insert(header.end(), {"wmax", "margin"});
      ASSERT_EQ(table.header, header);
      ASSERT_EQ(table.rows.size(), static_cast<std::size_t>(points.rows()));
      for (std::size_t i = 0; i < table.rows.size(); ++i) {
        ASSERT_EQ(table.rows[i].size(), header.size());
        const auto r = static_cast<Eigen::Index>(i);
        for (int j = 0; j < d; ++j) {
          EXPECT_EQ(table.number(i, j), want.b(r, j)) << spec << " t=" << t;
          EXPECT_EQ(table.number(i, d + j), want.s(r, j)) << spec << " t=" << t;
          EXPECT_EQ(table.number(i, 2 * d + j), want.m(r, j)) << spec << " t=" << t;
        }
        EXPECT_EQ(table.number(i, 3 * d), want.wmax[r]);
        EXPECT_EQ(table.number(i, 3 * d + 1), want.margin[r]);
      }
    }
  }
}

TEST(CliField, ReadsPointsFromStandardInput) {
  const test::TempDir dir;
  const std::string data = dir.write("y.csv", "0,0\n4,0\n");
  const std::string points = dir.write("x.csv", "x,y\n0.1,0\n3.9,0\n");
  const Result from_file = run_siverify(
      {"field", "--data", data, "--schedule", "trig", "--t", "0.25", "--points", points});
  const Result from_stdin = run_siverify(
      {"field", "--data", data, "--schedule", "trig", "--t", "0.25", "--points", "-"}, points);
  ASSERT_EQ(from_file.code, 0) << from_file.err;
  EXPECT_EQ(from_stdin.code, 0) << from_stdin.err;
  EXPECT_EQ(from_stdin.out, from_file.out);
  EXPECT_EQ(count_lines(from_file.out), 3);
}

}  // namespace
}  // namespace siv
