#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "app/csv.hpp"
#include "app/long_run_commands.hpp"
#include "app/verify_command.hpp"
#include "reports/journal.hpp"

namespace siv::app {
namespace {

struct MergeOptions {
  std::vector<std::string> dirs;
  std::string out, junit, baseline, write_baseline;
  int threads = 0;
  bool pdf = false;
};

}  // namespace

// A merge is the verify run the shards were cut from, with every observation taken from their
// journals: the same planning, Holm correction over the whole family, shrinking and writers, so
// its outputs equal the unsharded run's.
void add_merge_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<MergeOptions>();
  auto* merge = app.add_subcommand(
      "merge", "Combine the shard directories of one run (verify --shard K/N) into one report, "
               "identical to the unsharded run's; exit codes as verify");
  merge->add_option("dirs", o->dirs, "Shard directories, each with its journal.jsonl")
      ->required()
      ->check(CLI::ExistingDirectory);
  merge->add_option("--out", o->out, "Report directory of the whole run")->required();
  merge->add_option("--threads", o->threads, "Worker threads for shrinking (0: all cores)")
      ->check(CLI::NonNegativeNumber);
  merge->add_option("--junit", o->junit, "JUnit XML, as verify");
  merge->add_option("--baseline", o->baseline, "Compare with a stored baseline, as verify");
  merge->add_option("--write-baseline", o->write_baseline, "Store the run's baseline, as verify");
  merge->add_flag("--pdf", o->pdf, "Compile report.tex with latexmk when installed");
  merge->callback([o, &exit_code] {
    for (const auto& dir : o->dirs)
      if (std::filesystem::path(dir).lexically_normal() ==
          std::filesystem::path(o->out).lexically_normal())
        throw InputError("merge: --out " + o->out + " is one of the shard directories");
    JournalContents first;
    try {
      first = read_journal(std::filesystem::path(o->dirs.front()) / kJournalFile);
    } catch (const JournalError& e) {
      throw InputError("merge: " + std::string(e.what()));
    }
    std::vector<std::string> args = {"verify"};
    args.insert(args.end(), first.identity.args.begin(), first.identity.args.end());
    args.push_back("--out=" + o->out);
    args.push_back("--threads=" + std::to_string(o->threads));
    for (const auto& dir : o->dirs) args.push_back("--merge-from=" + dir);
    if (!o->junit.empty()) args.push_back("--junit=" + o->junit);
    if (!o->baseline.empty()) args.push_back("--baseline=" + o->baseline);
    if (!o->write_baseline.empty()) args.push_back("--write-baseline=" + o->write_baseline);
    if (o->pdf) args.push_back("--pdf");
    CLI::App verify;
    add_verify_command(verify, exit_code);
    std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them backwards
    verify.parse(reversed);
  });
}

}  // namespace siv::app
