// The journal of a run: journal.jsonl in the report directory, one header line naming the run,
// then one line per case as it finishes (plan index, replay token, observation, seconds), flushed
// at once, so a run killed at any moment loses only the cases in flight. Doubles round-trip
// exactly (shortest form; non-finite values as "nan", "inf", "-inf"), so a resumed or merged run
// judges the very observations an uninterrupted run would.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "properties/runner.hpp"

namespace siv {

inline constexpr const char* kJournalSchema = "siverify-journal/1";
inline constexpr const char* kJournalFile = "journal.jsonl";

// A journal that cannot be used (missing, corrupt, or from another run): bad input.
struct JournalError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// What makes two runs the same run: the siverify version, the verify options that shape results
// (canonical "--name=value" list) and the plan (case count and a hash of every replay token).
struct RunIdentity {
  std::string version;
  std::vector<std::string> args;
  std::size_t cases = 0;
  std::string fingerprint;

  bool operator==(const RunIdentity&) const = default;
};

// FNV-1a over the replay tokens in plan order, as 16 hex digits.
std::string plan_fingerprint(const std::vector<Case>& cases);
// The identity of this build for the given options and plan.
RunIdentity run_identity(std::vector<std::string> args, const std::vector<Case>& cases);

// "" when a and b are the same run, else one sentence naming what differs.
std::string identity_difference(const RunIdentity& journal, const RunIdentity& now);

nlohmann::json observation_json(const Observation& obs);
// Throws JournalError on a malformed object.
Observation observation_from_json(const nlohmann::json& j);

struct JournalContents {
  RunIdentity identity;
  int shard = 1, shards = 1;                 // this journal observed shard K of N
  std::map<std::size_t, CaseRecord> records;  // by plan index; c is left empty (the plan has it)
  std::map<std::size_t, std::string> tokens;  // replay token of each record, to match the plan
  std::uintmax_t valid_bytes = 0;  // up to the last complete line (a kill may cut the next one)
};

// Throws JournalError naming the file and line.
JournalContents read_journal(const std::filesystem::path& file);

// Appends records from several threads (callers serialize, as the runner does); each line is
// written whole and flushed.
class JournalWriter {
 public:
  // A new journal (replacing any file there) starting with its header.
  JournalWriter(const std::filesystem::path& file, const RunIdentity& identity, int shard,
                int shards);
  // Continues an existing journal after its last complete line.
  JournalWriter(const std::filesystem::path& file, std::uintmax_t valid_bytes);
  ~JournalWriter();
  JournalWriter(const JournalWriter&) = delete;
  JournalWriter& operator=(const JournalWriter&) = delete;

  void write(std::size_t index, const CaseRecord& r);

 private:
  void line(const std::string& text);
  std::filesystem::path file_;
  std::FILE* out_ = nullptr;
};

}  // namespace siv
