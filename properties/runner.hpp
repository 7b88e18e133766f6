// Runs checks: generates cases from seeds, observes them on a thread pool (results do not depend
// on the thread count), decides outcomes and group verdicts, corrects p-values for multiplicity
// (Holm, over all statistical cases of the claims as stated) and shrinks counterexamples.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "properties/check.hpp"

namespace siv {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct CaseRecord {
  Case c;
  Observation obs;
  Outcome outcome = Outcome::pass;
  double p_adjusted = 1;  // p-value checks: Holm-adjusted p, rejected when <= alpha
  double seconds = 0;
};

struct GroupResult {
  std::string check, claim, statement, group, variant, description;
  bool mutant = false;
  bool premise_is_a_finding = false;  // Check::premise_is_a_finding, for claims as stated
  Comparison comparison = Comparison::upper;
  int cases = 0, passes = 0, violations = 0, not_met = 0, failures = 0;
  // Over cases that pass or violate; NaN where nothing was measured ("n/a" in reports).
  double worst_slack = kNaN, median_slack = kNaN;          // bound checks with a positive bound
  double max_tightness = kNaN, median_tightness = kNaN;    // same cases, Observation::tightness
  double min_p = kNaN;                                     // p-value checks
  std::optional<std::size_t> worst;  // record with the least slack (or smallest p), if measured
  // Power: the smallest fraction of violating cases detected with probability kPowerLevel
  // (NaN without measured cases) and, for p-value checks, the raw p-value the strictest
  // multiplicity-corrected threshold rejects (alpha / family size).
  double detectable_fraction = kNaN;
  double per_case_level = kNaN;
  Verdict verdict = Verdict::holds;
  Verdict expected = Verdict::holds;
  std::optional<CaseRecord> counterexample;  // shrunk, when refuted
  int shrink_steps = 0;
  double seconds = 0;
  // Coverage: cases per size class ("n 1-2", "n 3-8", "n 9-64", "d 1-2", "d 3-8", "d 9-16") and
  // per assumption that failed somewhere ("not met: <assumption>"), in a fixed order.
  std::vector<std::pair<std::string, int>> coverage;
  std::vector<std::string> warnings;  // health: many assumption failures, slow cases
  std::vector<std::size_t> records;   // indices into RunResult::records

  // A bound that holds exactly or loosely still holds.
  bool as_expected() const {
    return verdict == expected ||
           (expected == Verdict::holds && (verdict == Verdict::holds_loose || verdict == Verdict::exact ||
                                           (premise_is_a_finding && verdict == Verdict::not_met)));
  }
  // A refutation the harness's own precise statement predicts (shown as "refuted (expected)").
  bool predicted_refutation() const {
    return verdict == Verdict::refuted && expected == Verdict::refuted;
  }
};

// Long runs (app/long_run.hpp): cases are numbered in plan order, the same for any thread count,
// shard or resumption, so a journal can supply earlier records and a shard skip the others'.
struct LongRun {
  // Sees every case before any is observed; may fill recalled[i] (a record of an earlier run) and
  // clear wanted[i] (another shard observes it).
  std::function<void(const std::vector<Case>& cases, std::vector<std::optional<CaseRecord>>& recalled,
                     std::vector<char>& wanted)>
      plan;
  std::function<void(std::size_t index, const CaseRecord& r)> finished;  // called one at a time
  const std::atomic<bool>* stop = nullptr;  // once set, no case or shrink step starts
  bool observe_only = false;                // a shard: no judging or shrinking (merge does it)
};

// Exit codes of siverify verify (and every command): as README documents them.
inline constexpr int kExitExpected = 0;    // every verdict as predicted
inline constexpr int kExitUnexpected = 1;  // a verdict differs from the prediction (or baseline)
inline constexpr int kExitBadInput = 2;    // bad option, file or value
inline constexpr int kExitInternal = 3;    // internal error: a bug in siverify

struct RunOptions {
  Profile profile = make_profile("quick");
  std::uint64_t seed = 1;
  int threads = 1;
  bool claims_as_stated = true;  // run every check's groups
  bool mutants = false;          // also run every check's mutants
  double alpha = 1e-3;           // family-wise false-alarm level of the statistical tests
  double slow_case_seconds = 5;  // a group whose mean case takes longer gets a health warning
  // Non-empty: only groups of these schedule specs (a group "S", "S eps:..", "... on S"); groups
  // of no single schedule (alpha(1) zero, power:*) always run.
  std::vector<std::string> schedules;
  std::function<void(int done, int total)> progress;  // cases observed in this process
  LongRun long_run;
};

struct RunResult {
  std::vector<CaseRecord> records;
  std::vector<GroupResult> groups;
  double seconds = 0;
  std::size_t planned = 0;  // cases in the plan (records holds those observed or recalled)
  bool complete = true;     // false: stopped before every case was observed or shrunk
  // 0: every group came out as its statement predicts; 1 otherwise (kExitUnexpected);
  // kIncompleteExitCode when stopped.
  int exit_code() const;
};

inline constexpr int kIncompleteExitCode = 4;

// Counts, statistics and verdict of a group from its judged records (g.records indexes
// records); level[i]: the raw p-value record i needs to reject at its strictest multiplicity step.
void summarize_group(GroupResult& g, const std::vector<CaseRecord>& records,
                     const std::vector<double>& level);

RunResult run_checks(const std::vector<const Check*>& checks, const RunOptions& options);

// Observes one case exactly as the runner does (for --replay); a p-value case is judged on its
// own, uncorrected.
CaseRecord replay_case(const Check& check, const Case& c, double alpha);

}  // namespace siv
