// The report writers on hand-made RunResults: no checks run.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "../app/run_binary.hpp"
#include "reports/baseline.hpp"
#include "reports/figures.hpp"
#include "reports/junit.hpp"
#include "reports/latex.hpp"
#include "reports/markdown.hpp"
#include "reports/report_dir.hpp"
#include "reports/summary.hpp"
#include "json_schema.hpp"
#include "support.hpp"
#include "xml_check.hpp"

namespace siv {
namespace {

using test::sample_run;

RunSettings settings() { return {"quick", 7, 2, 1e-3, "C9", true, true}; }

TEST(Latex, EscapesEverySpecialCharacter) {
  EXPECT_EQ(latex_escape("a_b%c&d#e$f{g}h~i^j\\k"),
            "a\\_b\\%c\\&d\\#e\\$f\\{g\\}h\\textasciitilde{}i\\textasciicircum{}j"
            "\\textbackslash{}k");
  EXPECT_EQ(latex_escape("power:*"), "power:*");
}

TEST(Latex, UnescapedSpecialDetectorCatchesAWriterThatSkipsEscaping) {
  // The detector the table tests rely on: it must flag a raw group name with an underscore.
  EXPECT_TRUE(test::has_unescaped_special("C9.rate_fit & x \\\\"));
  EXPECT_FALSE(test::has_unescaped_special(latex_escape("C9.rate_fit") + " & x \\\\"));
  EXPECT_FALSE(test::braces_balanced("\\textbf{a"));
  EXPECT_TRUE(test::braces_balanced("\\{ {a} % }"));
}

TEST(Latex, ClaimTableIsBooktabsWithSiunitxColumnsAndEscapedNames) {
  const RunResult run = sample_run();
  const std::string table = latex_claim_table(run, "C9");
  EXPECT_TRUE(test::braces_balanced(table));
  EXPECT_FALSE(test::has_unescaped_special(table)) << table;
  for (const char* needle : {"\\toprule", "\\midrule", "\\bottomrule", "S[table-format=",
                             "C9.rate\\_fit", "bridge:2 eps:sigma2:1", "power:*", "{rate (median)}"})
    EXPECT_NE(table.find(needle), std::string::npos) << needle << "\n" << table;
  // Every row has as many cells as the header.
  const auto rows = test::split(table, '\n');
  const auto header = std::find_if(rows.begin(), rows.end(), [](const std::string& r) {
    return r.rfind("{Check}", 0) == 0;
  });
  ASSERT_NE(header, rows.end());
  const int cells = test::count(*header, " & ");
  int data_rows = 0;
  for (const auto& r : rows)
    if (r.rfind("C9.", 0) == 0) {
      EXPECT_EQ(test::count(r, " & "), cells) << r;
      ++data_rows;
    }
  EXPECT_EQ(data_rows, static_cast<int>(run.groups.size()));
  const std::string overall = latex_overall_table(run);
  EXPECT_TRUE(test::braces_balanced(overall));
  EXPECT_FALSE(test::has_unescaped_special(overall));
}

TEST(Latex, MacroNamesAreLettersOnlyAndFollowTheScheme) {
  EXPECT_EQ(macro_name({"C2.sqrt", "power:0.25", "rate"}), "sivCTwoSqrtPowerZeroPointTwoFiveRate");
  EXPECT_EQ(macro_name({"C3.tail", "bridge:2 eps:sigma2:1", "rate_lo"}),
            "sivCThreeTailBridgeTwoEpsSigmaTwoOneRateLo");
  EXPECT_EQ(macro_name({"vp:-0.1"}), "sivVpMinusZeroPointOne");
  const std::string values = latex_values(sample_run(), settings());
  const auto names = test::macro_names(values);
  ASSERT_GT(names.size(), 10u);
  std::set<std::string> unique;
  for (const auto& n : names) {
    EXPECT_TRUE(std::all_of(n.begin(), n.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)); }))
        << n;
    EXPECT_TRUE(unique.insert(n).second) << "duplicate " << n;
  }
  EXPECT_NE(values.find("\\newcommand{\\sivCNineRateFitPowerRate}{1.1}"), std::string::npos) << values;
  EXPECT_NE(values.find("\\newcommand{\\sivCNineRateFitPowerRateMin}{1}"), std::string::npos);
  EXPECT_TRUE(test::braces_balanced(values));
}

TEST(Summary, AggregatesEveryNumericDetailAndTheHeadline) {
  const RunResult run = sample_run();
  const auto s = summary_json(run, settings());
  EXPECT_EQ(s["schema"], kSummarySchema);
  EXPECT_EQ(s["settings"]["claims"], "C9");
  // Provenance: version, commit, compiler, flags and OS; seeds as strings; a run id.
  for (const char* key : {"siverify", "git_commit", "compiler", "flags", "os"})
    EXPECT_FALSE(s["settings"]["provenance"][key].get<std::string>().empty()) << key;
  EXPECT_EQ(s["settings"]["seed"], "7");
  EXPECT_EQ(s["settings"]["run_id"].get<std::string>().size(), 16u);
  ASSERT_EQ(s["groups"].size(), run.groups.size());
  const auto& rate = s["groups"][0];
  EXPECT_EQ(rate["headline"]["rate"]["min"], 1.0);
  EXPECT_DOUBLE_EQ(rate["headline"]["rate"]["median"].get<double>(), 1.1);
  EXPECT_EQ(rate["headline"]["rate"]["max"], 1.2);
  EXPECT_EQ(rate["details"]["term.disc"]["count"], 1);  // generic: any details key
  EXPECT_EQ(rate["details"].count("error.N16"), 0u);  // series are rows, not keys
  EXPECT_EQ(rate["key_figure"], "rate 1.1 [0.95, 1.25], worst 1");
  const auto& refuted = s["groups"][1];
  EXPECT_EQ(refuted["replay"].get<std::string>().rfind("siverify verify --replay 'siv1;", 0), 0u);
  EXPECT_EQ(s["groups"][3]["min_p_adjusted"], 0.6);
  // Nothing measured: n/a and null, never a number that reads as a result.
  const auto& unmet = s["groups"][4];
  EXPECT_EQ(unmet["key_figure"], "n/a");
  EXPECT_TRUE(unmet["min_p"].is_null());
  EXPECT_TRUE(unmet["min_p_adjusted"].is_null());
  EXPECT_TRUE(unmet["slack"]["worst"].is_null());
  EXPECT_TRUE(unmet["power"]["detectable_fraction"].is_null());
}

TEST(Baseline, UnchangedRunHasNoChangesAndEachToleranceIsApplied) {
  const RunResult run = sample_run();
  const auto base = baseline_json(summary_json(run, settings()));
  EXPECT_EQ(base.dump().find("seconds"), std::string::npos);  // no timings
  EXPECT_TRUE(compare_baselines(base, base).empty());

  auto edit = [&](auto change) {
    auto now = base;
    change(now);
    return compare_baselines(base, now);
  };
  auto rate_group = [](nlohmann::json& b) -> nlohmann::json& {
    for (auto& g : b["groups"])
      if (g["group"] == "power:*") return g;
    throw std::logic_error("no power:* group");
  };
  EXPECT_TRUE(edit([&](auto& b) { rate_group(b)["values"]["rate"] = 1.1 + 0.04; }).empty());
  const auto rate = edit([&](auto& b) { rate_group(b)["values"]["rate"] = 1.1 + 0.06; });
  ASSERT_EQ(rate.size(), 1u);
  EXPECT_EQ(rate[0].field, "rate");
  EXPECT_EQ(rate[0].tolerance, "abs 0.05");
  EXPECT_TRUE(edit([&](auto& b) { rate_group(b)["values"]["max_tightness"] = 0.5 * 1.2; }).empty());
  const auto ratio = edit([&](auto& b) { rate_group(b)["values"]["max_tightness"] = 0.5 * 1.3; });
  ASSERT_EQ(ratio.size(), 1u);
  EXPECT_EQ(ratio[0].tolerance, "rel 25%");
  const auto verdict = edit([&](auto& b) { rate_group(b)["verdict"] = "refuted"; });
  ASSERT_EQ(verdict.size(), 1u);
  EXPECT_EQ(format_changes(verdict),
            "  C9.rate_fit  power:*  verdict: baseline holds, now refuted (tolerance exact)\n");
  EXPECT_EQ(edit([&](auto& b) { rate_group(b)["cases"] = 3; })[0].field, "cases");
  EXPECT_EQ(edit([&](auto& b) { b["groups"].erase(0); })[0].now, "absent");
  EXPECT_EQ(edit([&](auto& b) { b["settings"]["seed"] = 8; })[0].field, "seed");
}

TEST(Baseline, BadFilesAreRejectedNamingTheFile) {
  const test::TempDir dir;
  auto message = [](const std::string& file) {
    try {
      read_baseline(file);
    } catch (const BaselineError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_NE(message(dir.path("missing.json")).find("missing.json: cannot be read"), std::string::npos);
  EXPECT_NE(message(dir.write("bad.json", "{\"schema\": ")).find("bad.json: is not valid JSON"),
            std::string::npos);
  EXPECT_NE(message(dir.write("schema.json", "{\"schema\": \"other\"}")).find("wrong schema"),
            std::string::npos);
  const auto good = baseline_json(summary_json(sample_run(), settings()));
  EXPECT_EQ(message(dir.write("good.json", good.dump())), "accepted");
  auto broken = good;
  broken["groups"][0].erase("verdict");
  EXPECT_NE(message(dir.write("broken.json", broken.dump())).find("lacks"), std::string::npos);
}

TEST(Junit, ValidatesAgainstTheJunitXsdWithFailuresErrorsAndSkips) {
  const test::TempDir dir;
  const JunitContext context{"2026-05-22T10:00:00", "host"};
  RunResult run = sample_run();
  run.groups[0].statement = "a < b & \"c\"";
  std::string xml = junit_xml(run, settings(), context);
  EXPECT_EQ(test::xml_problem(xml), "") << xml;
  EXPECT_EQ(test::junit_xsd_problems(xml, dir.path("")), "") << xml;
  EXPECT_EQ(test::count(xml, "<testcase "), static_cast<int>(run.groups.size()));
  EXPECT_EQ(test::count(xml, "<failure "), 0);
  EXPECT_EQ(test::count(xml, "<skipped "), 1);  // the expected assumption-not-met group
  EXPECT_NE(xml.find("classname=\"C9.rate_fit\" name=\"bridge:2 eps:sigma2:1 / mutant exponent-1\""),
            std::string::npos);
  EXPECT_NE(xml.find("<property name=\"seed\" value=\"7\"/>"), std::string::npos);
  // An unexpected verdict fails with verdict, expectation and the counterexample token.
  run.groups[1].expected = Verdict::holds;
  // A case that could not be evaluated is an error, not a failure.
  run.groups[0].verdict = Verdict::failure;
  run.records[run.groups[0].records[0]].obs.failure = "non-finite endpoint";
  xml = junit_xml(run, settings(), context);
  EXPECT_EQ(test::junit_xsd_problems(xml, dir.path("")), "") << xml;
  EXPECT_EQ(test::count(xml, "<failure "), 1);
  EXPECT_EQ(test::count(xml, "<error "), 1);
  EXPECT_NE(xml.find("errors=\"1\""), std::string::npos);
  EXPECT_NE(xml.find("message=\"refuted (UNEXPECTED), expected holds; "), std::string::npos) << xml;
  EXPECT_NE(xml.find("counterexample siv1;check=C9.rate_fit;"), std::string::npos);
  EXPECT_NE(xml.find("non-finite endpoint"), std::string::npos);
  // The validator rejects what the old writer produced: properties inside a testcase and
  // attributes on testsuites.
  EXPECT_NE(test::junit_xsd_problems("<?xml version=\"1.0\"?>\n<testsuites tests=\"1\"/>\n", dir.path("")), "");
  std::string old = xml;
  old.replace(old.find("/>", old.find("<testcase ")), 2,
              "><properties><property name=\"a\" value=\"b\"/></properties></testcase>");
  EXPECT_NE(test::junit_xsd_problems(old, dir.path("")), "");
  // The well-formedness checker rejects what an unescaping writer would produce.
  EXPECT_NE(test::xml_problem("<a b=\"x < y\"/>"), "");
  EXPECT_NE(test::xml_problem("<a>x & y</a>"), "");
  EXPECT_NE(test::xml_problem("<a><b></a></b>"), "");
}

TEST(Markdown, VerdictTableFirstThenRefutedMutantsAndDetails) {
  const RunResult run = sample_run();
  const auto plots = plan_figures(run);
  const std::string md = markdown_report(run, settings(), plots, true, {"something to note"});
  const auto verdicts = md.find("## Verdicts"), refuted = md.find("## Refuted claims"),
             mutants = md.find("## Mutants"), details = md.find("## Details per check");
  ASSERT_NE(verdicts, std::string::npos);
  EXPECT_LT(verdicts, refuted);
  EXPECT_LT(refuted, mutants);
  EXPECT_LT(mutants, details);
  EXPECT_NE(md.find("> Warning: something to note"), std::string::npos);
  EXPECT_NE(md.find("| C9 | `C9.rate_fit` | `power:*` | holds | holds | 2 | rate 1.1 [0.95, 1.25], "
                    "worst 1 | a violation in >= 78% of cases (95%) |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("siverify verify --replay 'siv1;check=C9.rate_fit;group=bridge:2 eps:sigma2:1;"),
            std::string::npos);
  EXPECT_NE(md.find("Statement: error <= C h^p & 50% of cases #1"), std::string::npos);
  EXPECT_NE(md.find("![C9.rate_fit power:*: observed error"), std::string::npos);
  EXPECT_NE(md.find("(figures/C9.rate-fit_power--_rate.png)"), std::string::npos);
}

TEST(Figures, PlannedFromDetailsKeys) {
  const auto plots = plan_figures(sample_run());
  std::set<std::string> stems;
  for (const auto& p : plots) stems.insert(p.stem);
  EXPECT_EQ(stems, (std::set<std::string>{"C9.rate-fit_power--_rate", "C9.rate-fit_power--_terms",
                                          "C9.law_linear_landing"}));
  const Plot& rate = *std::find_if(plots.begin(), plots.end(),
                                   [](const Plot& p) { return p.stem == "C9.rate-fit_power--_rate"; });
  EXPECT_TRUE(rate.loglog);
  ASSERT_EQ(rate.series.size(), 2u);
  EXPECT_EQ(rate.series[0].segments.size(), 2u);  // two cases
  // Case 1: errors 0.1 / 0.05 / 0.025 at h = 1/16 ... 1/64 with rate 1 lie on the fitted line.
  EXPECT_NEAR(rate.series[1].segments[0].front().second, 0.025, 1e-12);
  EXPECT_NEAR(rate.series[1].segments[0].back().second, 0.1, 1e-12);
  const Plot& landing = *std::find_if(plots.begin(), plots.end(),
                                      [](const Plot& p) { return p.stem == "C9.law_linear_landing"; });
  EXPECT_EQ(landing.series[1].segments[0].front().second, 10);  // uniform expectation 30 / 3
  for (const auto& p : plots) EXPECT_TRUE(test::braces_balanced(pgfplots_figure(p)));
}

TEST(Figures, MissingGnuplotSkipsPngsWithAWarning) {
  const test::TempDir dir;
  const auto plots = plan_figures(sample_run());
  const auto warnings = write_figures(plots, dir.path("figures"), "");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("gnuplot not found"), std::string::npos);
  for (const auto& p : plots) {
    EXPECT_TRUE(std::filesystem::exists(dir.path("figures/" + p.stem + ".tex")));
    EXPECT_FALSE(std::filesystem::exists(dir.path("figures/" + p.stem + ".png")));
  }
}

TEST(Figures, GnuplotRendersEveryPng) {
  const std::string gnuplot = find_gnuplot();
  if (gnuplot.empty()) GTEST_SKIP() << "gnuplot is not installed";
  const test::TempDir dir;
  const auto plots = plan_figures(sample_run());
  EXPECT_TRUE(write_figures(plots, dir.path("figures"), gnuplot).empty());
  for (const auto& p : plots) {
    const std::string png = test::read_text(dir.path("figures/" + p.stem + ".png"));
    EXPECT_EQ(png.substr(1, 3), "PNG") << p.stem;
  }
}

TEST(ReportDir, WritesTheLayoutAndNoTemporaryFiles) {
  const test::TempDir dir;
  const RunResult run = sample_run();
  write_report(dir.path("out"), run, settings(), "");
  for (const char* file : {"cases.jsonl", "summary.json", "report.md", "report.tex",
                           "tables/C9.tex", "tables/overall.tex", "tables/values.tex"})
    EXPECT_TRUE(std::filesystem::exists(dir.path("out/" + std::string(file)))) << file;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir.path("out")))
    EXPECT_EQ(entry.path().filename().string().find(".tmp"), std::string::npos) << entry.path();
  EXPECT_NE(test::read_text(dir.path("out/report.md")).find("> Warning: gnuplot not found"),
            std::string::npos);
  const std::string tex = test::read_text(dir.path("out/report.tex"));
  EXPECT_TRUE(test::braces_balanced(tex));
  EXPECT_NE(tex.find("\\input{tables/C9.tex}"), std::string::npos);
  EXPECT_NE(tex.find("\\input{figures/C9.rate-fit_power--_rate.tex}"), std::string::npos);
  // A new run first removes the old completeness marker.
  begin_report(dir.path("out"));
  EXPECT_FALSE(std::filesystem::exists(dir.path("out/summary.json")));
}

TEST(Schema, RecordsAndSummaryValidateAndTheSchemasRejectWhatIssue11Found) {
  const test::TempDir dir;
  write_report(dir.path("out"), sample_run(), settings(), "");
  const auto case_schema = test::schema_file("cases.schema.json");
  const auto summary_schema = test::schema_file("summary.schema.json");
  const auto lines = test::split(test::read_text(dir.path("out/cases.jsonl")), '\n');
  ASSERT_FALSE(lines.empty());
  for (const auto& line : lines) EXPECT_EQ(test::schema_errors(case_schema, nlohmann::json::parse(line)), "") << line;
  const auto summary = nlohmann::json::parse(test::read_text(dir.path("out/summary.json")));
  EXPECT_EQ(test::schema_errors(summary_schema, summary), "");
  // The defects of the old records must not validate: a numeric seed, a parameter in a key
  // name, no schema version or run id.
  const auto record = nlohmann::json::parse(lines[0]);
  auto edited = [&](auto change) {
    auto r = record;
    change(r);
    return test::schema_errors(case_schema, r);
  };
  EXPECT_NE(edited([](auto& r) { r["seed"] = 12345; }), "");
  EXPECT_NE(edited([](auto& r) { r["details"]["error.N1024"] = 0.1; }), "");
  EXPECT_NE(edited([](auto& r) { r["details"]["landing.0"] = 3; }), "");
  EXPECT_NE(edited([](auto& r) { r.erase("run_id"); }), "");
  EXPECT_NE(edited([](auto& r) { r["schema"] = "siverify-case/1"; }), "");
  auto s = summary;
  s["settings"]["seed"] = 7;
  EXPECT_NE(test::schema_errors(summary_schema, s), "");
  s = summary;
  s["groups"][0]["verdict"] = "weak";
  EXPECT_NE(test::schema_errors(summary_schema, s), "");
  s = summary;
  s["settings"]["provenance"].erase("git_commit");
  EXPECT_NE(test::schema_errors(summary_schema, s), "");
}

TEST(Records, TidyRowsSeedsAsStringsAndOneRunIdPerRun) {
  const RunResult run = sample_run();
  const std::string id = run_id(settings());
  const auto first = case_json(run.records[0], id);
  EXPECT_EQ(first["schema"], kCaseSchema);
  EXPECT_EQ(first["run_id"], id);
  EXPECT_TRUE(first["seed"].is_string());
  ASSERT_EQ(first["rows"]["ladder"].size(), 3u);
  EXPECT_EQ(first["rows"]["ladder"][2]["steps"], 64.0);
  EXPECT_EQ(first["rows"]["ladder"][2]["error"], 0.025);
  // A seed above 2^53 survives as text.
  CaseRecord big = run.records[0];
  big.c.seed = 18446744073709551557ull;
  EXPECT_EQ(case_json(big, id)["seed"], "18446744073709551557");
  // The id follows what determines the results, not the thread count.
  RunSettings other = settings();
  other.threads = 7;
  EXPECT_EQ(run_id(other), id);
  other.seed = 8;
  EXPECT_NE(run_id(other), id);
}

}  // namespace
}  // namespace siv
