#include "reports/report_dir.hpp"

#include <cstdlib>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

#include "reports/atomic_file.hpp"
#include "reports/figures.hpp"
#include "reports/latex.hpp"
#include "reports/markdown.hpp"
#include "reports/summary.hpp"

namespace siv {
namespace {

bool on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');)
    if (::access((std::filesystem::path(dir.empty() ? "." : dir) / program).c_str(), X_OK) == 0)
      return true;
  return false;
}

}  // namespace

void begin_report(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (!ec) std::filesystem::remove(dir / "summary.json", ec);
  if (ec) throw std::runtime_error("cannot prepare report directory " + dir.string() + ": " + ec.message());
}

std::vector<std::string> write_report(const std::filesystem::path& dir, const RunResult& run,
                                      const RunSettings& settings, const std::string& gnuplot) {
  begin_report(dir);
  write_file_atomically(dir / "cases.jsonl", cases_jsonl(run, run_id(settings)));
  std::filesystem::create_directories(dir / "tables");
  for (const auto& claim : claims_of(run))
    write_file_atomically(dir / "tables" / (claim + ".tex"), latex_claim_table(run, claim));
  write_file_atomically(dir / "tables" / "overall.tex", latex_overall_table(run));
  write_file_atomically(dir / "tables" / "values.tex", latex_values(run, settings));
  const auto plots = plan_figures(run);
  const auto warnings = write_figures(plots, dir / "figures", gnuplot);
  const bool pngs = !plots.empty() && warnings.empty();
  write_file_atomically(dir / "report.tex", latex_report(run, settings, plots));
  write_file_atomically(dir / "report.md", markdown_report(run, settings, plots, pngs, warnings));
  write_file_atomically(dir / "summary.json", summary_json(run, settings).dump(2) + "\n");
  return warnings;
}

std::string compile_pdf(const std::filesystem::path& dir) {
  if (!on_path("latexmk")) return "latexmk not found: report.pdf not built";
  if (dir.string().find('\'') != std::string::npos) return "report directory name has a quote";
  const std::string command = "cd '" + dir.string() +
                              "' && latexmk -pdf -interaction=nonstopmode -halt-on-error "
                              "report.tex >latexmk.log 2>&1";
  return std::system(command.c_str()) == 0 ? "" : "latexmk failed (see " + (dir / "latexmk.log").string() + ")";
}

}  // namespace siv
