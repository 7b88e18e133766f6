// Long runs of siverify verify: the journal in the report directory, --resume, --shard K/N,
// SIGINT/SIGTERM (stop taking cases, report marked incomplete, exit kIncompleteExitCode) and the
// shard journals that siverify merge combines.
#pragma once

#include <atomic>
#include <memory>
#include <utility>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "properties/runner.hpp"
#include "properties/shard.hpp"
#include "reports/journal.hpp"

namespace siv::app {

struct LongRunOptions {
  std::string resume;                   // --resume DIR
  std::string shard;                    // --shard K/N
  std::vector<std::string> merge_from;  // set by siverify merge: shard directories
};

void add_long_run_options(CLI::App& verify, LongRunOptions& options);

// The verify options that shape results, as "--name=value" in a fixed order (profile and seed
// first, resolved from the environment); output-only options are left out.
std::vector<std::string> identity_args(const CLI::App& verify, const std::string& profile,
                                       std::uint64_t seed);

// One verify run's journal and signal handling; construct before the report directory is touched
// (it refuses a foreign journal first), attach to the run's options, and ask it afterwards.
class LongRunSession {
 public:
  // out: the --out directory; set to the --resume directory when only that was given.
  LongRunSession(const LongRunOptions& options, std::string& out, std::vector<std::string> args);
  ~LongRunSession();
  LongRunSession(const LongRunSession&) = delete;
  LongRunSession& operator=(const LongRunSession&) = delete;

  void attach(RunOptions& run);
  bool is_shard() const { return shard_.n > 1 || shard_given_; }
  // Throws when the journal could not be written. Prints a shard's state; its exit code.
  int finish_shard(const RunResult& result) const;
  // "" for a complete run, else how to continue it (for standard error).
  std::string resume_hint(const RunResult& result) const;

 private:
  void plan(const std::vector<Case>& cases, std::vector<std::optional<CaseRecord>>& recalled,
            std::vector<char>& wanted);
  void load_merge();
  void recall_merge(const std::vector<Case>& cases,
                    std::vector<std::optional<CaseRecord>>& recalled);

  LongRunOptions options_;
  std::string out_;
  std::vector<std::string> args_;
  ShardSpec shard_;
  bool shard_given_ = false;
  std::unique_ptr<JournalContents> resumed_;  // the journal --resume continues
  std::vector<std::pair<std::string, JournalContents>> merged_;  // shard directory, journal
  std::unique_ptr<JournalWriter> writer_;
  std::string write_error_;
  std::size_t recalled_ = 0;
};

}  // namespace siv::app
