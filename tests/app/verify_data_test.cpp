// End-to-end, at reduced size: verify --data runs claim checks on subsets of Fashion-MNIST,
// replays a case from its token exactly, and writes the per-data-set report; bad options exit 2.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "run_binary.hpp"

namespace siv {
namespace {

using test::Result;
using test::run_siverify;

bool have_fashion_mnist() {
  return std::filesystem::exists("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz");
}

TEST(VerifyData, FashionMnistSubsetsThroughAClaimWithReplayAndDataReport) {
  if (!have_fashion_mnist()) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  const test::TempDir dir;
  const std::string out = dir.path("report");
  const Result run = run_siverify({"verify", "--data", "fashion-mnist:test", "--class", "0", "--n",
                                   "4,6", "--study-n", "5,7", "--claims", "C2.identity", "--schedules", "linear",
                                   "--profile", "quick", "--threads", "2", "--out", out});
  ASSERT_EQ(run.code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("C2.identity   linear"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("0 unexpected verdicts"), std::string::npos) << run.out;

  // Every case names its data and subset, and its token replays it to the same observation.
  const auto lines = test::split(test::read_text(out + "/cases.jsonl"), '\n');
  ASSERT_FALSE(lines.empty());
  const auto record = nlohmann::json::parse(lines.front());
  const std::string token = record.at("token").get<std::string>();
  EXPECT_NE(token.find(";data=fashion-mnist:test;scale=auto;class=0"), std::string::npos) << token;
  EXPECT_EQ(record.at("d"), 784);
  const Result replay = run_siverify({"verify", "--replay", token});
  ASSERT_EQ(replay.code, 0) << replay.err;
  EXPECT_EQ(nlohmann::json::parse(replay.out).at("observed"), record.at("observed"));

  const std::string md = test::read_text(out + "/data.md");
  for (const char* section : {"## Nearest-neighbour distances", "## C2's margin assumption at t = h",
                              "## Memorization against n and h", "ratio criterion",
                              "## Generated samples beside their nearest training images",
                              "## Reduced or skipped on this data set", "indices_fnv1a="})
    EXPECT_NE(md.find(section), std::string::npos) << section;
  EXPECT_EQ(test::read_text(out + "/figures/data_samples.png").substr(0, 8), "\x89PNG\r\n\x1a\n");
  EXPECT_NE(test::read_text(out + "/report.md").find("[data.md](data.md)"), std::string::npos);
  const auto summary = nlohmann::json::parse(test::read_text(out + "/summary.json"));
  EXPECT_EQ(summary.at("settings").at("data"), "fashion-mnist:test");
  const auto data = nlohmann::json::parse(test::read_text(out + "/data.json"));
  // The study runs on the sizes of --study-n, with a figure against n beside the one against h.
  ASSERT_EQ(data.at("neighbours").size(), 2u);
  EXPECT_EQ(data.at("neighbours")[0].at("n"), 5);
  EXPECT_EQ(data.at("neighbours")[1].at("n"), 7);
  EXPECT_NE(md.find("(figures/data_memorization_n.png)"), std::string::npos);
  EXPECT_NE(test::read_text(out + "/figures/data_memorization_n.dat").find("adaptive linear"),
            std::string::npos);
}

// Found on the n = 100 Fashion-MNIST run: with a learned field in d = 784 the decomposition's
// sum missed the endpoint by 158 times its rounding model when it was summed along a recomputed
// path; along the solver's own states it reconciles. A C3 case on data has one training image.
TEST(VerifyData, EulerMaruyamaDecompositionAndLawOnImages) {
  if (!have_fashion_mnist()) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  const Result c5 = run_siverify(
      {"verify", "--replay",
       "siv1;check=C5.terms;group=learned:1e-4:64:1024 on linear;schedule=linear;n=100;d=784;"
       "sep=3.233694197391783;set=10450585545823471591;data=fashion-mnist;scale=auto;"
       "seed=17523213181603002511;M=4;N=256;eps=sigma2:1;err=learned:1e-4:64:1024;"
       "level=3.7037037037037037e-06"});
  ASSERT_EQ(c5.code, 0) << c5.out << c5.err;
  const auto record = nlohmann::json::parse(c5.out);
  EXPECT_EQ(record.at("outcome"), "pass");
  EXPECT_LT(record.at("details").at("term.sum_error").get<double>(), 1);
  EXPECT_GT(record.at("details").at("term.est").get<double>(), 1);  // the term is not negligible

  const test::TempDir dir;
  const std::string out = dir.path("r");
  const Result c3 = run_siverify({"verify", "--data", "fashion-mnist:test", "--n", "10", "--claims",
                                  "C3.variance", "--schedules", "bridge:2", "--cases", "1", "--out", out});
  ASSERT_EQ(c3.code, 0) << c3.out << c3.err;
  int judged = 0;
  std::string token, observed;
  for (const auto& line : test::split(test::read_text(out + "/cases.jsonl"), '\n')) {
    const auto r = nlohmann::json::parse(line);
    EXPECT_EQ(r.at("n"), 1) << line;
    EXPECT_EQ(r.at("d"), 784) << line;
    EXPECT_EQ(r.at("separation"), 0) << line;  // one image: no pair
    if (r.at("outcome") == "pass" && token.empty()) {
      token = r.at("token").get<std::string>();
      observed = r.at("observed").dump();
    }
    judged += r.at("outcome") == "pass";
  }
  ASSERT_GE(judged, 1);
  const Result replay = run_siverify({"verify", "--replay", token});
  ASSERT_EQ(replay.code, 0) << replay.err;
  EXPECT_EQ(nlohmann::json::parse(replay.out).at("observed").dump(), observed);
  EXPECT_NE(test::read_text(out + "/data.md").find("C3 (the Euler-Maruyama law) runs on one-image subsets"),
            std::string::npos);
}

// Beyond 16 points the landing law is tested on 16 bins with 8 starts each (the data run says
// so); up to 16 on the points themselves.
TEST(VerifyData, LandingLawBinsLargeSubsets) {
  const test::TempDir dir;
  std::string csv;
  for (int k = 0; k < 20; ++k) csv += std::to_string(k % 5) + "," + std::to_string(k / 5) + "\n";
  const std::string data = dir.write("grid.csv", csv);
  for (const auto& [n, bins] : {std::pair{"20", 16}, std::pair{"10", 10}}) {
    const std::string out = dir.path(std::string("r") + n);
    const Result run = run_siverify({"verify", "--data", data, "--n", n, "--claims", "C1.law.ode",
                                     "--schedules", "linear", "--cases", "1", "--out", out});
    ASSERT_EQ(run.code, 0) << run.out << run.err;
    int judged = 0;
    for (const auto& line : test::split(test::read_text(out + "/cases.jsonl"), '\n')) {
      const auto record = nlohmann::json::parse(line);
      if (record.at("group") != "linear") continue;
      ++judged;
      EXPECT_EQ(record.at("details").at("bins"), bins) << line;
      EXPECT_EQ(record.at("details").at("starts"), 8 * bins) << line;
    }
    EXPECT_GE(judged, 1) << "no case of the linear group ran";
    EXPECT_EQ(test::read_text(out + "/data.md").find("landing laws (C1.law.*) on subsets of n > 16") !=
                  std::string::npos,
              bins == 16);
  }
}

// Checks on constructed settings (C8's line) are left out of a data run, each named with its
// reason on stdout and in data.md; a selection of only such checks is bad input.
TEST(VerifyData, SyntheticChecksAreLeftOutAndSaySo) {
  const test::TempDir dir;
  std::string csv;
  for (int k = 0; k < 6; ++k) csv += std::to_string(k) + "," + std::to_string(k * k % 5) + "\n";
  const std::string data = dir.write("set.csv", csv);
  const std::string out = dir.path("r");
  const Result run = run_siverify({"verify", "--data", data, "--n", "4", "--claims", "C8,C9.bisector",
                                   "--schedules", "linear", "--cases", "1", "--out", out});
  ASSERT_EQ(run.code, 0) << run.out << run.err;
  const std::string data_md = test::read_text(out + "/data.md");
  for (const std::string id : {"C8.normal", "C8.tangent", "C8.memorized"}) {
    const std::string note = id + " is not run: its training points lie evenly spaced on a line";
    EXPECT_NE(run.out.find(note), std::string::npos) << run.out;
    EXPECT_NE(data_md.find(note), std::string::npos) << data_md;
  }
  EXPECT_EQ(data_md.find("C3 (the Euler-Maruyama law)"), std::string::npos);  // C3 not selected
  // Bad input found after the selection still prints nothing (no note on stdout).
  const test::TempDir busy;
  busy.write("foreign.txt", "not a report\n");
  const Result refused = run_siverify({"verify", "--data", data, "--n", "4", "--claims", "C8,C9.bisector",
                                       "--out", busy.path("")});
  EXPECT_EQ(refused.code, 2) << refused.err;
  EXPECT_EQ(refused.out, "");
  int bisector = 0;
  for (const auto& line : test::split(test::read_text(out + "/cases.jsonl"), '\n')) {
    const auto record = nlohmann::json::parse(line);
    EXPECT_EQ(record.at("check").get<std::string>().rfind("C8", 0), std::string::npos) << line;
    bisector += record.at("check") == "C9.bisector";
  }
  EXPECT_GE(bisector, 1);

  const Result only = run_siverify({"verify", "--data", data, "--n", "4", "--claims", "C8",
                                    "--out", dir.path("none")});
  EXPECT_EQ(only.code, 2);
  EXPECT_EQ(only.out, "");
  EXPECT_EQ(only.err, "siverify: --claims: none of C8.normal, C8.tangent, C8.memorized runs on a "
                      "data set (their settings are constructed; see siverify list)\n");
  EXPECT_FALSE(std::filesystem::exists(dir.path("none")));
}

TEST(VerifyData, BadDataOptionsExitTwo) {
  const test::TempDir dir;
  const std::string dup = dir.write("dup.csv", "1,2\n3,4\n1,2\n");
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
      {{"--data", dup}, dup + ":3: the same point as " + dup + ":1; the checks need distinct training points (another --seed or --n draws another subset)"},
      {{"--data", dir.write("ok.csv", "1,2\n3,4\n5,7\n"), "--n", "1"}, "--n: subset sizes must be integers >= 2, got '1'"},
      {{"--data", dir.path("ok.csv"), "--n", "4"}, "--n 4: '" + dir.path("ok.csv") + "' has only 3 points"},
      {{"--n", "10"}, "--n, --study-n, --class and --scale of verify apply only with --data"},
      {{"--study-n", "10"}, "--n, --study-n, --class and --scale of verify apply only with --data"},
      {{"--data", dir.path("ok.csv"), "--n", "2", "--study-n", "2,9"}, "--study-n 9: '" + dir.path("ok.csv") + "' has only 3 points"},
      {{"--schedules", "cosine"}, "--schedules: 'cosine' is not a schedule of the claim groups (known: linear, trig, bridge:2, vp:0.1:20, power:0.25, power:0.5, power:0.75)"},
  };
  for (const auto& [args, message] : cases) {
    std::vector<std::string> a{"verify", "--claims", "C2.identity", "--out", dir.path("r")};
    a.insert(a.end(), args.begin(), args.end());
    const Result run = run_siverify(a);
    EXPECT_EQ(run.code, 2) << message;
    EXPECT_EQ(run.out, "") << message;
    EXPECT_EQ(run.err, "siverify: " + message + "\n");
    EXPECT_FALSE(std::filesystem::exists(dir.path("r"))) << message;
  }
}

}  // namespace
}  // namespace siv
