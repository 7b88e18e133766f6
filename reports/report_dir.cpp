#include "reports/report_dir.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

#include "reports/atomic_file.hpp"
#include "reports/figures.hpp"
#include "reports/journal.hpp"
#include "reports/latex.hpp"
#include "reports/markdown.hpp"
#include "reports/sha256.hpp"
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

namespace {

std::vector<std::string> files_under(const std::filesystem::path& dir) {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir))
    if (entry.is_regular_file())
      files.push_back(entry.path().lexically_relative(dir).generic_string());
  std::sort(files.begin(), files.end());
  return files;
}

// A manifest of siverify's, or nullopt.
std::optional<nlohmann::json> read_manifest(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return std::nullopt;
  try {
    nlohmann::json j = nlohmann::json::parse(in);
    if (j.is_object() && j.value("schema", "") == kManifestSchema && j["files"].is_array()) return j;
  } catch (const nlohmann::json::exception&) {
  }
  return std::nullopt;
}

bool is_journal(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string first;
  return in && std::getline(in, first) && first.find(kJournalSchema) != std::string::npos;
}

}  // namespace

std::vector<std::string> begin_report(const std::filesystem::path& dir) {
  std::error_code ec;
  const bool exists = std::filesystem::exists(dir, ec);
  if (exists && !std::filesystem::is_directory(dir, ec))
    throw ReportDirError(dir.string() + " exists and is not a directory");
  const auto manifest = exists ? read_manifest(dir / kManifestFile) : std::nullopt;
  if (exists && !manifest && !is_journal(dir / kJournalFile) &&
      !std::filesystem::is_empty(dir, ec))
    throw ReportDirError(dir.string() + " is not empty and not a siverify report directory (no " +
                         kManifestFile + " or " + kJournalFile +
                         " of siverify's): choose a new or empty directory");
  std::filesystem::create_directories(dir, ec);
  if (!ec) std::filesystem::remove(dir / "summary.json", ec);
  if (ec) throw std::runtime_error("cannot prepare report directory " + dir.string() + ": " + ec.message());
  if (manifest) {
    // Only what the last run wrote, inside dir; the journal belongs to --resume.
    for (const auto& entry : (*manifest)["files"]) {
      const std::filesystem::path file(entry.value("path", ""));
      if (file.empty() || file.is_absolute() || file.generic_string() == kJournalFile ||
          file.lexically_normal().generic_string().rfind("..", 0) == 0)
        continue;
      std::filesystem::remove(dir / file, ec);
    }
    std::filesystem::remove(dir / kManifestFile, ec);
    for (const char* sub : {"tables", "figures"})
      if (std::filesystem::is_directory(dir / sub, ec) && std::filesystem::is_empty(dir / sub, ec))
        std::filesystem::remove(dir / sub, ec);
  }
  auto before = files_under(dir);
  before.erase(std::remove(before.begin(), before.end(), std::string(kJournalFile)), before.end());
  return before;
}

void write_manifest(const std::filesystem::path& dir, const RunSettings& settings,
                    const std::vector<std::string>& before) {
  nlohmann::json files = nlohmann::json::array();
  for (const auto& file : files_under(dir)) {
    if (file == kManifestFile || std::find(before.begin(), before.end(), file) != before.end())
      continue;
    std::ifstream in(dir / file, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    files.push_back({{"path", file}, {"bytes", bytes.str().size()}, {"sha256", sha256_hex(bytes.str())}});
  }
  const nlohmann::json manifest = {{"schema", kManifestSchema},
                                   {"run_id", run_id(settings)},
                                   {"command", settings.command},
                                   {"siverify", provenance_json().at("siverify")},
                                   {"files", files}};
  write_file_atomically(dir / kManifestFile, manifest.dump(2) + "\n");
}

std::vector<std::string> write_report(const std::filesystem::path& dir, const RunResult& run,
                                      const RunSettings& settings, const std::string& gnuplot) {
  std::filesystem::create_directories(dir);
  write_file_atomically(dir / "cases.jsonl", cases_jsonl(run, run_id(settings)));
  std::filesystem::create_directories(dir / "tables");
  std::vector<std::string> claim_tables;
  for (const auto& claim : claims_of(run)) {
    std::vector<LatexTable> tables = {{claim, latex_claim_table(run, claim, settings)}};
    for (auto& t : latex_measured_tables(run, claim, settings)) tables.push_back(std::move(t));
    for (auto& t : latex_count_tables(run, claim, settings)) tables.push_back(std::move(t));
    for (const auto& t : tables) {
      write_file_atomically(dir / "tables" / (t.name + ".tex"), t.text);
      claim_tables.push_back(t.name);
    }
  }
  write_file_atomically(dir / "tables" / "overall.tex", latex_overall_table(run, settings));
  write_file_atomically(dir / "tables" / "values.tex", latex_values(run, settings));
  const auto plots = plan_figures(run);
  const auto warnings = write_figures(plots, dir / "figures", gnuplot, provenance_lines(settings, ""));
  const bool pngs = !plots.empty() && warnings.empty();
  write_file_atomically(dir / "report.tex", latex_report(run, settings, plots, claim_tables));
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
