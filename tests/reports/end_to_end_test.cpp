// The built siverify: one quick run's report directory, JUnit and baseline regression.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include <nlohmann/json.hpp>

#include "../app/run_binary.hpp"
#include "json_schema.hpp"
#include "support.hpp"
#include "xml_check.hpp"

namespace siv {
namespace {

using test::read_text;
using test::run_siverify;

// One run of a single fast check with everything written, shared by the tests below.
class QuickRun : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir;
    result_ = new test::Result(run_siverify(
        {"verify", "--profile", "quick", "--claims", "C2.identity", "--mutants", "--threads", "2",
         "--out", path("out"), "--junit", path("junit.xml"), "--write-baseline", path("base.json")}));
  }
  static void TearDownTestSuite() {
    delete result_;
    delete dir_;
  }
  static std::string path(const std::string& name) { return dir_->path(name); }
  static test::Result baseline_run(const std::string& baseline) {
    return run_siverify({"verify", "--profile", "quick", "--claims", "C2.identity", "--mutants",
                         "--baseline", baseline});
  }
  static test::TempDir* dir_;
  static test::Result* result_;
};
test::TempDir* QuickRun::dir_ = nullptr;
test::Result* QuickRun::result_ = nullptr;

TEST_F(QuickRun, WritesEveryFileAndExitsZero) {
  ASSERT_EQ(result_->code, 0) << result_->out << result_->err;
  for (const char* file : {"cases.jsonl", "summary.json", "report.md", "report.tex",
                           "tables/C2.tex", "tables/overall.tex", "tables/values.tex"})
    EXPECT_TRUE(std::filesystem::exists(path("out/" + std::string(file)))) << file;
  EXPECT_TRUE(std::filesystem::exists(path("junit.xml")));
  EXPECT_TRUE(std::filesystem::exists(path("base.json")));
}

TEST_F(QuickRun, SummaryAgreesWithCasesJsonl) {
  const auto summary = nlohmann::json::parse(read_text(path("out/summary.json")));
  const auto lines = test::split(read_text(path("out/cases.jsonl")), '\n');
  std::map<std::string, int> per_group;
  for (const auto& line : lines) {
    const auto c = nlohmann::json::parse(line);
    EXPECT_FALSE(c.contains("seconds"));  // timings stay out of cases.jsonl
    ++per_group[c["check"].get<std::string>() + "|" + c["group"].get<std::string>() + "|" +
                c["variant"].get<std::string>()];
  }
  EXPECT_EQ(summary["totals"]["cases"], lines.size());
  ASSERT_EQ(summary["groups"].size(), per_group.size());
  for (const auto& g : summary["groups"])
    EXPECT_EQ(g["cases"], per_group[g["check"].get<std::string>() + "|" +
                                    g["group"].get<std::string>() + "|" +
                                    g["variant"].get<std::string>()]);
  EXPECT_EQ(summary["settings"]["profile"], "quick");
  EXPECT_EQ(summary["settings"]["claims"], "C2.identity");
  EXPECT_TRUE(summary["settings"]["provenance"].contains("eigen"));
}

TEST_F(QuickRun, RecordsAndSummaryValidateAgainstTheirSchemas) {
  const auto case_schema = test::schema_file("cases.schema.json");
  for (const auto& line : test::split(read_text(path("out/cases.jsonl")), '\n'))
    EXPECT_EQ(test::schema_errors(case_schema, nlohmann::json::parse(line)), "") << line;
  EXPECT_EQ(test::schema_errors(test::schema_file("summary.schema.json"),
                                nlohmann::json::parse(read_text(path("out/summary.json")))),
            "");
}

TEST_F(QuickRun, SameSeedGivesIdenticalCasesJsonl) {
  const auto again = run_siverify({"verify", "--profile", "quick", "--claims", "C2.identity",
                                   "--mutants", "--threads", "1", "--out", path("again")});
  ASSERT_EQ(again.code, 0);
  EXPECT_EQ(read_text(path("again/cases.jsonl")), read_text(path("out/cases.jsonl")));
}

TEST_F(QuickRun, LatexTablesAndValuesAreWellFormed) {
  for (const char* file : {"tables/C2.tex", "tables/overall.tex", "tables/values.tex", "report.tex"}) {
    const std::string tex = read_text(path("out/" + std::string(file)));
    EXPECT_TRUE(test::braces_balanced(tex)) << file;
    EXPECT_FALSE(test::has_unescaped_special(tex)) << file;
  }
  const auto names = test::macro_names(read_text(path("out/tables/values.tex")));
  std::set<std::string> unique(names.begin(), names.end());
  EXPECT_EQ(unique.size(), names.size());
  for (const auto& n : names)
    EXPECT_TRUE(std::all_of(n.begin(), n.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)); }))
        << n;
}

TEST_F(QuickRun, JunitValidatesWithOneTestcasePerGroup) {
  const std::string xml = read_text(path("junit.xml"));
  EXPECT_EQ(test::xml_problem(xml), "");
  EXPECT_EQ(test::junit_xsd_problems(xml, path("")), "");
  const auto summary = nlohmann::json::parse(read_text(path("out/summary.json")));
  EXPECT_EQ(test::count(xml, "<testcase "), static_cast<int>(summary["groups"].size()));
  EXPECT_EQ(test::count(xml, "<failure "), 0);
}

TEST_F(QuickRun, UnchangedRunPassesItsOwnBaseline) {
  const auto run = baseline_run(path("base.json"));
  EXPECT_EQ(run.code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("no change beyond tolerance"), std::string::npos);
}

TEST_F(QuickRun, PlantedRegressionFailsWithAReadableDiff) {
  auto base = nlohmann::json::parse(read_text(path("base.json")));
  auto& group = base["groups"][0];
  const std::string label = group["group"].get<std::string>();
  const std::string verdict = group["verdict"].get<std::string>();
  group["verdict"] = "refuted";
  const double tightness = group["values"]["max_tightness"].get<double>();
  group["values"]["max_tightness"] = 2 * tightness + 1;
  const auto run = baseline_run(dir_->write("planted.json", base.dump(2)));
  EXPECT_EQ(run.code, 1) << run.out;
  EXPECT_NE(run.out.find("2 field(s) changed beyond tolerance"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("C2.identity  " + label + "  verdict: baseline refuted, now " + verdict +
                         " (tolerance exact)"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("max_tightness: baseline "), std::string::npos);
  EXPECT_NE(run.out.find("(tolerance rel 25% or abs 0.01)"), std::string::npos);
}

TEST_F(QuickRun, BadBaselineIsBadInput) {
  const auto missing = baseline_run(path("missing.json"));
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.err.find("missing.json"), std::string::npos) << missing.err;
  EXPECT_EQ(baseline_run(dir_->write("bad.json", "{\"groups\": [")).code, 2);
  const auto schema = baseline_run(dir_->write("schema.json", "{\"schema\": \"siverify-summary/1\"}"));
  EXPECT_EQ(schema.code, 2);
  EXPECT_NE(schema.err.find("schema.json: wrong schema"), std::string::npos) << schema.err;
}

// The repository's baseline for the ci profile (regenerate after a deliberate change with
// `siverify verify --profile ci --mutants --write-baseline baselines/ci.json`).
TEST(CiBaseline, CiProfileMatchesTheStoredBaseline) {
  const auto run = run_siverify({"verify", "--profile", "ci", "--mutants", "--baseline",
                                 std::string(SIVERIFY_SOURCE_DIR) + "/baselines/ci.json"});
  EXPECT_EQ(run.code, 0) << run.out << run.err;
}

}  // namespace
}  // namespace siv
