// report.tex compiles to report.pdf when TeX Live is installed (ctest label `tex`; skipped
// without latexmk, e.g. on a machine set up without SIVERIFY_WITH_TEX=1).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "../app/run_binary.hpp"

namespace siv {
namespace {

TEST(TexReport, CompilesToPdf) {
  if (std::system("command -v latexmk >/dev/null 2>&1") != 0) GTEST_SKIP() << "latexmk not installed";
  const test::TempDir dir;
  const std::string out = dir.path("out");
  const auto run = test::run_siverify({"verify", "--profile", "quick", "--claims", "C2,C5",
                                       "--mutants", "--threads", "2", "--out", out, "--pdf"});
  ASSERT_EQ(run.code, 0) << run.err;
  const auto pdf = std::filesystem::path(out) / "report.pdf";
  ASSERT_TRUE(std::filesystem::exists(pdf)) << run.out << run.err;
  EXPECT_EQ(test::read_text(pdf).substr(0, 5), "%PDF-");
  // A clean compile: no undefined references or overfull tables in the log.
  const std::string log = test::read_text(std::filesystem::path(out) / "report.log");
  EXPECT_EQ(log.find("undefined"), std::string::npos);
}

}  // namespace
}  // namespace siv
