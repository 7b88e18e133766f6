// report.tex of a real run compiles to report.pdf with no overfull box (ctest label `tex`;
// skipped without latexmk, e.g. on a machine set up without SIVERIFY_WITH_TEX=1).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "../app/run_binary.hpp"

namespace siv {
namespace {

// The log lines that start with `marker`, with the line after each (TeX names the material).
std::string lines_with(const std::string& log, const std::string& marker) {
  std::stringstream in(log);
  std::string out, line;
  while (std::getline(in, line))
    if (line.rfind(marker, 0) == 0) {
      out += line + "\n";
      if (std::getline(in, line)) out += "  " + line + "\n";
    }
  return out;
}

// Issue 11: report.pdf had 17 overfull boxes, tables/C2.tex was 289 pt too wide.
TEST(TexReport, RealRunCompilesWithoutOverfullBoxes) {
  if (std::system("command -v latexmk >/dev/null 2>&1") != 0) GTEST_SKIP() << "latexmk not installed";
  const test::TempDir dir;
  const std::string out = dir.path("out");
  // Rate ladders with refuted groups and bound lines (C2), the decomposition (C5), landing
  // counts (C1), mutants: every kind of table and figure.
  const auto run = test::run_siverify({"verify", "--profile", "quick", "--claims", "C1,C2,C5",
                                       "--mutants", "--threads", "2", "--out", out, "--pdf"});
  ASSERT_EQ(run.code, 0) << run.err;
  const auto pdf = std::filesystem::path(out) / "report.pdf";
  ASSERT_TRUE(std::filesystem::exists(pdf)) << run.out << run.err;
  EXPECT_EQ(test::read_text(pdf).substr(0, 5), "%PDF-");
  const std::string log = test::read_text(std::filesystem::path(out) / "report.log");
  EXPECT_EQ(lines_with(log, "Overfull \\hbox"), "");
  EXPECT_EQ(lines_with(log, "Overfull \\vbox"), "");
  EXPECT_EQ(lines_with(log, "LaTeX Warning: Reference"), "");
  EXPECT_EQ(lines_with(log, "! "), "");
  // Every figure reads the data file its PNG was drawn from.
  int figures = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(out) / "figures"))
    if (entry.path().extension() == ".tex") {
      ++figures;
      const std::string tex = test::read_text(entry.path());
      EXPECT_NE(tex.find(entry.path().stem().string() + ".dat}"), std::string::npos) << entry.path();
      EXPECT_EQ(tex.find("coordinates"), std::string::npos) << entry.path();
    }
  EXPECT_GT(figures, 3);
}

}  // namespace
}  // namespace siv
