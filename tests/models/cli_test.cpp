// End-to-end: `field --model` and `sample --model` on modules built here, and the exit-2 contract
// for broken models (one message, nothing on standard output).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <set>

#include <nlohmann/json.hpp>

#include "../app/run_binary.hpp"
#include "data/dataset.hpp"
#include "modules.hpp"
#include "properties/model/model_checks.hpp"
#include "properties/training_set.hpp"

namespace siv {
namespace {

using test::run_siverify;

struct Files {
  explicit Files(const TrainingSetSpec& set = {4, 2, 1.0, 5}) : data(build_training_set(set)) {}
  test::TempDir dir;
  Mat data;
  std::string data_file = dir.write("data.csv", test::to_csv(data));
  std::string model(const std::string& source, bool float32 = false) const {
    const std::string path = dir.path("net.pt");
    write_module_file(path, test::module_bytes(source, data, {}, float32));
    return path;
  }
};

TEST(ModelCli, FieldPrintsModelOracleAndError) {
  const Files f;
  const std::string points = f.dir.write("points.csv", test::to_csv(0.5 * f.data));
  // e = 0.25 (constant): the error columns show it exactly.
  const auto run = run_siverify({"field", "--data", f.data_file, "--schedule", "linear", "--t", "0.4",
                                 "--points", points, "--model",
                                 f.model(test::linear_oracle_velocity(" + 0.25"))});
  ASSERT_EQ(run.code, 0) << run.err;
  const auto table = test::parse_output(run.out);
  const std::vector<std::string> header{"bhat1", "bhat2", "bstar1", "bstar2", "e1", "e2", "enorm"};
  EXPECT_EQ(table.header, header);
  ASSERT_EQ(table.rows.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_NEAR(table.number(i, 4), 0.25, 1e-12);
    EXPECT_NEAR(table.number(i, 5), 0.25, 1e-12);
    EXPECT_NEAR(table.number(i, 0) - table.number(i, 2), 0.25, 1e-12);
  }
}

TEST(ModelCli, SampleWithTheExactModelReproducesTheOracleRun) {
  const Files f;
  const std::string model = f.model(test::linear_oracle_velocity());
  for (const std::vector<std::string>& solver :
       {std::vector<std::string>{"--solver", "em", "--steps", "50", "--eps", "sigma2:0.5"},
        {"--solver", "adaptive", "--tol", "1e-9"}}) {
    std::vector<std::string> args{"sample", "--data", f.data_file, "--schedule", "linear",
                                  "--count", "3", "--seed", "9"};
    args.insert(args.end(), solver.begin(), solver.end());
    const auto oracle = run_siverify(args);
    args.insert(args.end(), {"--model", model});
    const auto with_model = run_siverify(args);
    ASSERT_EQ(oracle.code, 0) << oracle.err;
    ASSERT_EQ(with_model.code, 0) << with_model.err;
    const auto a = test::parse_output(oracle.out), b = test::parse_output(with_model.out);
    ASSERT_EQ(a.rows.size(), 3u);
    ASSERT_EQ(b.rows.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i)
      for (std::size_t j = 0; j < 2; ++j)
        EXPECT_NEAR(a.number(i, j), b.number(i, j), 1e-6) << solver[1] << " row " << i;
  }
}

// Exit 2, nothing on standard output, one line on standard error containing `message`.
void expect_refused(const std::vector<std::string>& args, const std::string& message) {
  const auto run = run_siverify(args);
  EXPECT_EQ(run.code, 2) << run.err;
  EXPECT_EQ(run.out, "");
  EXPECT_NE(run.err.find(message), std::string::npos) << run.err;
  EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
}

TEST(ModelCli, BrokenModelsExitTwoWithNothingWritten) {
  const Files f;
  const std::vector<std::string> sample{"sample", "--data", f.data_file, "--schedule", "linear",
                                        "--count", "2", "--solver", "euler", "--model"};
  auto with = [&](const std::string& model) {
    auto args = sample;
    args.push_back(model);
    return args;
  };
  expect_refused(with(f.model(test::forward("    return x[:, :1]\n"))), "returned shape [3, 1]; expected [3, 2]");
  // Finite at the probe times, NaN once the path gets close to the data.
  expect_refused(with(f.model(test::linear_oracle_velocity(" + 0.0 / (t.unsqueeze(1) > 0.05)"))),
                 "non-finite value at model time t = 0.0");
  expect_refused(with(f.dir.path("missing.pt")), "cannot open the file");
  auto noise = with(f.model(test::linear_oracle_velocity()));
  noise.insert(noise.end(), {"--model-output", "noise"});
  expect_refused(noise, "alpha(1) = 0 on schedule linear");
  auto lambda = with(f.model(test::linear_oracle_velocity()));
  lambda[lambda.size() - 3] = "lambda";  // --solver lambda: refused before libtorch loads
  expect_refused(lambda, "--solver lambda");
  auto unknown = with(f.model(test::linear_oracle_velocity()));
  unknown.insert(unknown.end(), {"--model-time", "t1"});
  expect_refused(unknown, "--model-time: unknown model time convention 't1'");
}

TEST(ModelCli, VerifyModelDiagnosesTheExactOracleAndRefusesABrokenModel) {
  const Files f;
  const std::string out = f.dir.path("report");
  const auto run = run_siverify({"verify", "--model", f.model(test::linear_oracle_velocity()), "--data",
                                 f.data_file, "--schedule", "linear", "--claims", "C6", "--out", out});
  EXPECT_EQ(run.code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("C6.model"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("| memorized: dist < gap/20 | 1 |"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("Verdict: overfits"), std::string::npos) << run.out;
  EXPECT_NE(test::read_text(out + "/diagnosis.md").find("certified to memorize"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(out + "/figures/model_samples.png"));  // d = 2: no images
  const std::string broken_out = f.dir.path("broken");
  const auto broken = run_siverify({"verify", "--model", f.model(test::forward("    return x[:, :1]\n")),
                                    "--data", f.data_file, "--out", broken_out});
  EXPECT_EQ(broken.code, 2);
  EXPECT_NE(broken.err.find("returned shape [3, 1]"), std::string::npos) << broken.err;
  EXPECT_FALSE(std::filesystem::exists(broken_out));
}

// A model that learned only the data's mean (every sample goes to it) memorizes nothing: C6.model's
// premise fails for it, which is the diagnosis (underfits), as expected, not a failed run.
TEST(ModelCli, VerifyModelOfAnUnderfittingNetIsAFindingNotAFailure) {
  const Files f;
  const std::string mean_model = test::forward(test::linear_coefficients() +
                                               "    m = self.Y.mean(0).unsqueeze(0)\n"
                                               "    return -m + (x - a * m) / s\n");
  const std::string out = f.dir.path("report");
  const auto run = run_siverify({"verify", "--model", f.model(mean_model), "--data", f.data_file,
                                 "--schedule", "linear", "--claims", "C6", "--out", out});
  EXPECT_EQ(run.code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("| memorized: dist < gap/20 | 0 |"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("Verdict: underfits"), std::string::npos) << run.out;
  const std::string report = test::read_text(out + "/report.md");
  EXPECT_NE(report.find("| assumption-not-met | holds (or not met: a finding) |"), std::string::npos)
      << report;
  EXPECT_EQ(report.find("UNEXPECTED"), std::string::npos) << report;
}

// d = 64 = 8 x 8: the diagnosis shows the samples of its C6.model case beside their nearest
// training images (the exact oracle's samples are those images).
TEST(ModelCli, VerifyModelOnSquareImagesWritesTheSampleGrid) {
  const Files f({4, 64, 1.0, 5});
  const std::string out = f.dir.path("report");
  const auto run = run_siverify({"verify", "--model", f.model(test::linear_oracle_velocity()), "--data",
                                 f.data_file, "--schedule", "linear", "--claims", "C6", "--cases",
                                 "1", "--starts", "3", "--out", out});
  ASSERT_EQ(run.code, 0) << run.out << run.err;
  const std::string diagnosis = test::read_text(out + "/diagnosis.md");
  EXPECT_NE(diagnosis.find("## Generated samples beside their nearest training images"), std::string::npos)
      << diagnosis;
  EXPECT_NE(diagnosis.find("The first 3 samples of the C6.model case `siv1;check=C6.model;"),
            std::string::npos) << diagnosis;
  EXPECT_NE(diagnosis.find("8 x 8 images"), std::string::npos) << diagnosis;
  EXPECT_NE(diagnosis.find("![samples](figures/model_samples.png)"), std::string::npos) << diagnosis;
  // 3 columns of 8 + 2 pixels and 2 rows (plus padding): a 32 x 22 grayscale PNG.
  const std::string png = test::read_text(out + "/figures/model_samples.png");
  ASSERT_GT(png.size(), 24u);
  EXPECT_EQ(png.substr(1, 3), "PNG");
  const auto be32 = [&](std::size_t at) {
    return (static_cast<unsigned char>(png[at]) << 24) | (static_cast<unsigned char>(png[at + 1]) << 16) |
           (static_cast<unsigned char>(png[at + 2]) << 8) | static_cast<unsigned char>(png[at + 3]);
  };
  EXPECT_EQ(be32(16), 3u * 10 + 2);
  EXPECT_EQ(be32(20), 2u * 10 + 2);
  EXPECT_NE(test::read_text(out + "/manifest.json").find("figures/model_samples.png"), std::string::npos);
}

// Each case of the model checks prints a token that `verify --model ... --replay` turns back into
// the same case: the same outcome and numbers (here an underfitting model, C6.model not met).
TEST(ModelCli, ReplayOfAModelCaseReproducesIt) {
  const Files f;
  const std::string mean_model = f.model(test::forward(test::linear_coefficients() +
                                                       "    m = self.Y.mean(0).unsqueeze(0)\n"
                                                       "    return -m + (x - a * m) / s\n"));
  const std::string out = f.dir.path("report");
  const auto run = run_siverify({"verify", "--model", mean_model, "--data", f.data_file, "--schedule",
                                 "linear", "--claims", "C6,C7", "--cases", "1", "--starts", "3",
                                 "--out", out});
  ASSERT_EQ(run.code, 0) << run.out << run.err;
  const auto lines = test::split(test::read_text(out + "/cases.jsonl"), '\n');
  std::set<std::string> replayed;
  for (const auto& line : lines) {
    if (line.empty()) continue;
    const auto record = nlohmann::json::parse(line);
    const std::string token = record.at("token").get<std::string>();
    const auto replay = run_siverify({"verify", "--model", mean_model, "--data", f.data_file,
                                      "--schedule", "linear", "--replay", token});
    ASSERT_EQ(replay.code, record.at("outcome") == "pass" ? 0 : 1) << replay.out << replay.err;
    const auto again = nlohmann::json::parse(replay.out);
    for (const char* field : {"check", "outcome", "observed", "bound", "details", "assumptions"})
      EXPECT_EQ(again.at(field), record.at(field)) << field << " of " << token;
    replayed.insert(record.at("check").get<std::string>());
    if (record.at("check") == "C6.model") {
      EXPECT_EQ(record.at("outcome"), "assumption-not-met");
      // Without the model the token cannot be replayed; the message says what to add.
      expect_refused({"verify", "--replay", token}, "give the same --model and --data");
    }
  }
  EXPECT_EQ(replayed, (std::set<std::string>{"C6.model", "C7.model.lower"}));
}

// From sample's options alone: --diagnose runs the model checks on the starts of the samples it
// prints (one case each, seed --seed, --count paths) and writes the diagnosis; its tokens replay.
TEST(ModelCli, SampleDiagnoseJudgesThePrintedSamples) {
  const Files f;
  const std::string model = f.model(test::linear_oracle_velocity());
  const std::string dir = f.dir.path("diagnosis");
  const std::vector<std::string> args{"sample", "--data", f.data_file, "--schedule", "linear",
                                      "--solver", "adaptive", "--tol", "1e-9", "--count", "3",
                                      "--seed", "9", "--model", model, "--diagnose", dir};
  const auto run = run_siverify(args);
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(test::parse_output(run.out).rows.size(), 3u);
  EXPECT_NE(run.err.find("diagnosis: " + dir + "/diagnosis.md"), std::string::npos) << run.err;
  const std::string text = test::read_text(dir + "/diagnosis.md");
  EXPECT_NE(text.find("Verdict: overfits"), std::string::npos) << text;
  EXPECT_NE(text.find("## The samples printed (--solver adaptive, --seed 9)"), std::string::npos) << text;
  // The exact oracle memorizes along its ODE paths and in the printed samples.
  std::size_t hits = 0;
  for (auto at = text.find("| memorized: dist < gap/20 | 1 |"); at != std::string::npos;
       at = text.find("| memorized: dist < gap/20 | 1 |", at + 1))
    ++hits;
  EXPECT_EQ(hits, 2u) << text;
  const auto lines = test::split(test::read_text(dir + "/cases.jsonl"), '\n');
  std::set<std::string> checks;
  for (const auto& line : lines) {
    if (line.empty()) continue;
    const auto record = nlohmann::json::parse(line);
    checks.insert(record.at("check").get<std::string>());
    EXPECT_EQ(record.at("starts"), 3);
    EXPECT_NE(text.find(record.at("token").get<std::string>()), std::string::npos);
    if (record.at("check") != "C6.model") continue;
    EXPECT_EQ(record.at("outcome"), "pass");
    const auto replay = run_siverify({"verify", "--model", model, "--data", f.data_file, "--schedule",
                                      "linear", "--replay", record.at("token").get<std::string>()});
    ASSERT_EQ(replay.code, 0) << replay.err;
    EXPECT_EQ(nlohmann::json::parse(replay.out).at("details"), record.at("details"));
  }
  EXPECT_EQ(checks, (std::set<std::string>{"C4.model.bound", "C4.model.loss", "C6.model", "C7.model.lower"}));
  // Bad input writes nothing: a used directory, --diagnose without --model or with --start.
  expect_refused(args, "--diagnose: " + dir + " exists and is not an empty directory");
  auto no_model = args;
  no_model.erase(no_model.begin() + 13, no_model.begin() + 15);
  no_model.back() = f.dir.path("other");
  expect_refused(no_model, "--diagnose needs --model");
  EXPECT_FALSE(std::filesystem::exists(f.dir.path("other")));
}

// verify --claims C6.network end to end: both generated groups (their names are valid in a
// token), and a case's token replays without --model to the same observation.
TEST(ModelCli, NetworkLadderRunsAndReplays) {
  const test::TempDir dir;
  const std::string out = dir.path("report");
  const auto run = run_siverify({"verify", "--claims", "C6.network", "--out", out});
  ASSERT_EQ(run.code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("mlp ladder in 16-D on linear"), std::string::npos) << run.out;
  const auto lines = test::split(test::read_text(out + "/cases.jsonl"), '\n');
  std::set<int> dims;
  bool replayed = false;
  for (const auto& line : lines) {
    if (line.empty()) continue;
    const auto record = nlohmann::json::parse(line);
    dims.insert(record.at("d").get<int>());
    if (record.at("d") != 2 || replayed) continue;  // one replay: each case trains 4 networks
    replayed = true;
    const auto replay = run_siverify({"verify", "--replay", record.at("token").get<std::string>()});
    ASSERT_EQ(replay.code, record.at("outcome") == "pass" ? 0 : 1) << replay.err;
    const auto again = nlohmann::json::parse(replay.out);
    EXPECT_EQ(again.at("rows"), record.at("rows"));
    EXPECT_EQ(again.at("outcome"), record.at("outcome"));
  }
  EXPECT_TRUE(replayed);
  EXPECT_EQ(dims, (std::set<int>{2, 16}));
  EXPECT_NE(test::read_text(out + "/report.md").find("| accumulated error A | memorized | not memorized | 0 |"),
            std::string::npos);
}

// The network ladder on Fashion-MNIST (n = 100, d = 784, as in the earlier paper): one case of 8
// starts per rung; its confusion tables in report.md and the LaTeX tables (docs/claims.md, C6).
TEST(ModelCli, NetworkLadderOnFashionMnistSlow) {
  if (!std::filesystem::exists(std::string(data::kFashionMnistDir) + "/train-images-idx3-ubyte.gz"))
    GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  const test::TempDir dir;
  const std::string out = dir.path("report");
  const auto run = run_siverify({"verify", "--claims", "C6.network", "--data", "fashion-mnist", "--n",
                                 "100", "--cases", "1", "--threads", "1", "--out", out});
  std::printf("%s\n", run.out.c_str());
  ASSERT_EQ(run.code, 0) << run.out << run.err;
  const std::string report = test::read_text(out + "/report.md");
  const auto table = report.find("Counts `confusion` over the 1 cases of `mlp ladder on fashion-mnist with linear`");
  ASSERT_NE(table, std::string::npos) << report;
  std::printf("%s\n", report.substr(table, 700).c_str());
  // C4 through a trained network: no sample certified by its accumulated error misses.
  EXPECT_NE(report.find("| accumulated error A | memorized | not memorized | 0 |", table), std::string::npos);
  const std::string tex = test::read_text(out + "/tables/C6-counts-confusion.tex");
  EXPECT_NE(tex.find("accumulated error A"), std::string::npos) << tex;
  EXPECT_NE(tex.find("least excess loss"), std::string::npos) << tex;
  const auto lines = test::split(test::read_text(out + "/cases.jsonl"), '\n');
  const auto record = nlohmann::json::parse(lines.front());
  EXPECT_EQ(record.at("d"), 784);
  EXPECT_EQ(record.at("n"), 100);
  double total = 0;
  for (const auto& row : record.at("rows").at("confusion")) total += row.at("count").get<double>();
  EXPECT_EQ(total, 2.0 * 8 * static_cast<double>(data_network_ladder().size()));  // both criteria
}

}  // namespace
}  // namespace siv
