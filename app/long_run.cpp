#include "app/long_run.hpp"

#include <csignal>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <unistd.h>

#include "app/csv.hpp"
#include "reports/summary.hpp"

namespace siv::app {
namespace {

std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free, "the signal handler sets it");

extern "C" void on_stop_signal(int) {
  g_stop.store(true);
  constexpr char message[] =
      "\nsiverify: stopping: no new cases; finishing those running (signal again to kill)\n";
  [[maybe_unused]] const auto n = ::write(STDERR_FILENO, message, sizeof message - 1);
}

// Output-only options: they do not change a record, so a resumed or merged run may differ in them.
const std::set<std::string> kOutputOptions = {"--help",     "--out",      "--threads",
                                              "--resume",   "--shard",    "--merge-from",
                                              "--junit",    "--baseline", "--write-baseline",
                                              "--pdf",      "--replay",   "--profile",
                                              "--seed"};

std::string journal_file(const std::string& dir) {
  return (std::filesystem::path(dir) / kJournalFile).string();
}

JournalContents read(const std::string& file) {
  try {
    return read_journal(file);
  } catch (const JournalError& e) {
    throw InputError(e.what());
  }
}

std::string shard_text(int k, int n) { return std::to_string(k) + "/" + std::to_string(n); }

}  // namespace

void add_long_run_options(CLI::App& verify, LongRunOptions& options) {
  verify.add_option("--resume", options.resume,
                    "Continue the interrupted run in DIR (its journal): finished cases are not "
                    "recomputed; give the same options as the first time");
  verify.add_option("--shard", options.shard,
                    "Observe only shard K of N (balanced by expected cost) into --out's journal; "
                    "combine the shards with siverify merge");
  verify.add_option("--merge-from", options.merge_from)->group("");  // siverify merge's channel
}

std::vector<std::string> identity_args(const CLI::App& verify, const std::string& profile,
                                       std::uint64_t seed) {
  std::vector<std::string> args = {"--profile=" + profile, "--seed=" + std::to_string(seed)};
  for (const CLI::Option* option : verify.get_options()) {
    // Hidden options (no group) are internal channels such as --merge-from.
    if (option->count() == 0 || option->get_group().empty() ||
        kOutputOptions.count(option->get_name()))
      continue;
    for (const auto& value : option->results()) args.push_back(option->get_name() + "=" + value);
  }
  return args;
}

LongRunSession::LongRunSession(const LongRunOptions& options, std::string& out,
                               std::vector<std::string> args)
    : options_(options), args_(std::move(args)) {
  if (!options.shard.empty()) {
    try {
      shard_ = parse_shard(options.shard);
    } catch (const std::invalid_argument& e) {
      throw InputError(std::string("--shard: ") + e.what());
    }
    shard_given_ = true;
  }
  if (!options.resume.empty()) {
    if (!options.merge_from.empty()) throw InputError("--resume: a merge cannot be resumed");
    if (!out.empty() && std::filesystem::path(out).lexically_normal() !=
                            std::filesystem::path(options.resume).lexically_normal())
      throw InputError("--resume " + options.resume + " continues that directory; --out " + out +
                       " names another");
    out = options.resume;
    // Refuse a foreign journal before anything in the directory changes.
    resumed_ = std::make_unique<JournalContents>(read(journal_file(out)));
    RunIdentity now = resumed_->identity;
    now.args = args_;
    now.version = provenance_json().at("siverify").get<std::string>();
    if (const auto why = identity_difference(resumed_->identity, now); !why.empty())
      throw InputError("--resume: " + journal_file(out) + " is not from this run: " + why);
    if (resumed_->shard != shard_.k || resumed_->shards != shard_.n)
      throw InputError("--resume: " + journal_file(out) + " is shard " +
                       shard_text(resumed_->shard, resumed_->shards) + ", not " +
                       shard_text(shard_.k, shard_.n) +
                       (resumed_->shards > 1 ? " (add --shard " +
                                                   shard_text(resumed_->shard, resumed_->shards) + ")"
                                             : ""));
  }
  if (is_shard() && out.empty()) throw InputError("--shard needs --out DIR (the shard's journal)");
  if (is_shard() && !options.merge_from.empty()) throw InputError("--shard: a merge is not a shard");
  if (!options.merge_from.empty()) load_merge();
  out_ = out;
  g_stop.store(false);
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  action.sa_flags = SA_RESETHAND;  // a second signal kills: the journal keeps what finished
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

LongRunSession::~LongRunSession() {
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
}

void LongRunSession::attach(RunOptions& run) {
  run.long_run.stop = &g_stop;
  run.long_run.observe_only = is_shard();
  run.long_run.plan = [this](const std::vector<Case>& cases,
                             std::vector<std::optional<CaseRecord>>& recalled,
                             std::vector<char>& wanted) { plan(cases, recalled, wanted); };
  run.long_run.finished = [this](std::size_t index, const CaseRecord& r) {
    if (!writer_ || !write_error_.empty()) return;
    try {
      writer_->write(index, r);
    } catch (const std::exception& e) {
      write_error_ = e.what();  // a run without its journal cannot be resumed: stop it
      g_stop.store(true);
    }
  };
}

void LongRunSession::plan(const std::vector<Case>& cases,
                          std::vector<std::optional<CaseRecord>>& recalled,
                          std::vector<char>& wanted) {
  const RunIdentity identity = run_identity(args_, cases);
  if (is_shard()) {
    const auto part = partition_by_cost(cases, shard_.n);
    for (std::size_t i = 0; i < cases.size(); ++i) wanted[i] = part[i] == shard_.k - 1;
  }
  if (!options_.merge_from.empty()) {
    recall_merge(cases, recalled);
  } else if (resumed_) {
    if (const auto why = identity_difference(resumed_->identity, identity); !why.empty())
      throw InputError("--resume: " + journal_file(out_) + " is not from this run: " + why);
    for (auto& [index, record] : resumed_->records) {
      record.c = cases[index];
      if (resumed_->tokens.at(index) != to_token(cases[index]))
        throw InputError("--resume: " + journal_file(out_) + ": case " + std::to_string(index) +
                         " is not this plan's");
      recalled[index] = std::move(record);
      ++recalled_;
    }
    writer_ = std::make_unique<JournalWriter>(journal_file(out_), resumed_->valid_bytes);
    resumed_.reset();
    return;
  }
  if (out_.empty()) return;
  writer_ = std::make_unique<JournalWriter>(journal_file(out_), identity, shard_.k, shard_.n);
  // A merged directory carries the whole journal, so it can be re-reported or resumed like an
  // unsharded run's.
  for (std::size_t i = 0; i < cases.size(); ++i)
    if (recalled[i]) writer_->write(i, *recalled[i]);
}

// Every header check that needs no plan happens here, before the report directory is touched.
void LongRunSession::load_merge() {
  std::map<int, std::string> shard_dirs;
  for (const auto& dir : options_.merge_from) {
    JournalContents j = read(journal_file(dir));
    RunIdentity now = merged_.empty() ? j.identity : merged_.front().second.identity;
    now.args = args_;
    now.version = provenance_json().at("siverify").get<std::string>();
    if (const auto why = identity_difference(j.identity, now); !why.empty())
      throw InputError("merge: " + journal_file(dir) + " is not from the same run as " +
                       journal_file(options_.merge_from.front()) + ": " + why);
    const int shards = merged_.empty() ? j.shards : merged_.front().second.shards;
    if (j.shards != shards)
      throw InputError("merge: " + journal_file(dir) + " is shard " + shard_text(j.shard, j.shards) +
                       ", the others are of " + std::to_string(shards));
    if (const auto [it, fresh] = shard_dirs.emplace(j.shard, dir); !fresh)
      throw InputError("merge: " + dir + " and " + it->second + " are both shard " +
                       shard_text(j.shard, shards));
    merged_.emplace_back(dir, std::move(j));
  }
  const int shards = merged_.front().second.shards;
  for (int k = 1; k <= shards; ++k)
    if (!shard_dirs.count(k)) throw InputError("merge: shard " + shard_text(k, shards) + " is missing");
}

void LongRunSession::recall_merge(const std::vector<Case>& cases,
                                  std::vector<std::optional<CaseRecord>>& recalled) {
  const RunIdentity identity = run_identity(args_, cases);
  const int shards = merged_.front().second.shards;
  const std::vector<int> owner = partition_by_cost(cases, shards);
  for (auto& [dir, j] : merged_) {
    if (const auto why = identity_difference(j.identity, identity); !why.empty())
      throw InputError("merge: " + journal_file(dir) + " is not from this build's run: " + why);
    std::size_t expected = 0, have = 0;
    for (std::size_t i = 0; i < cases.size(); ++i) expected += owner[i] == j.shard - 1;
    for (auto& [index, record] : j.records) {
      record.c = cases[index];
      if (owner[index] != j.shard - 1 || j.tokens.at(index) != to_token(cases[index]))
        throw InputError("merge: " + journal_file(dir) + ": case " + std::to_string(index) +
                         " does not belong to shard " + shard_text(j.shard, shards));
      recalled[index] = std::move(record);
      ++have;
    }
    if (have != expected)
      throw InputError("merge: shard " + shard_text(j.shard, shards) + " (" + dir + ") is incomplete: " +
                       std::to_string(have) + " of " + std::to_string(expected) +
                       " cases; finish it with siverify verify --resume " + dir + " --shard " +
                       shard_text(j.shard, shards) + " and its options");
  }
  merged_.clear();
  recalled_ = cases.size();
}

int LongRunSession::finish_shard(const RunResult& result) const {
  if (!write_error_.empty()) throw std::runtime_error(write_error_);
  std::size_t observed = 0;
  for (std::size_t i = 0; i < result.records.size(); ++i) observed += !result.records[i].c.check.empty();
  std::cout << "shard " << shard_text(shard_.k, shard_.n) << ": " << observed << " of "
            << result.planned << " planned cases in " << journal_file(out_)
            << (result.complete ? "; combine the shards with siverify merge DIR... --out DIR\n"
                                : "; INCOMPLETE (stopped)\n");
  if (!result.complete) std::cerr << resume_hint(result);
  return result.complete ? 0 : kIncompleteExitCode;
}

std::string LongRunSession::resume_hint(const RunResult& result) const {
  if (!write_error_.empty()) throw std::runtime_error(write_error_);
  if (result.complete) return "";
  std::string text = "siverify: the run is incomplete (exit code " +
                     std::to_string(kIncompleteExitCode) + ")";
  if (out_.empty()) return text + "; without --out there is no journal to resume from\n";
  text += "; continue it with: siverify verify --resume " + out_;
  for (const auto& a : args_) text += " " + a;
  if (is_shard()) text += " --shard " + shard_text(shard_.k, shard_.n);
  return text + "\n";
}

}  // namespace siv::app
