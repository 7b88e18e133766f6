// Runs checks: generates cases from seeds, observes them on a thread pool (results do not depend
// on the thread count), decides outcomes and group verdicts, corrects for multiplicity (a fixed
// budget per check, Holm or Bonferroni within it: check_budget) and shrinks counterexamples.
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
  // p-value checks: the adjusted p of the whole family (Holm within the check, scaled by
  // alpha / budget), rejected when <= alpha.
  double p_adjusted = 1;
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
  // (NaN without measured cases) and, for statistical cases, the level of one case: the raw
  // p-value Holm's strictest step rejects, or the miss probability of an interval (Case::level).
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
  double alpha = 1e-3;           // family-wise false-alarm level of the registry's statistical tests
  // The checks alpha is split over (check_budget); empty: every registered check (all_checks()).
  std::vector<const Check*> registry;
  double slow_case_seconds = 5;  // a group whose mean case takes longer gets a health warning
  // Non-empty: only groups of these schedule specs (a group "S", "S eps:..", "... on S"); groups
  // of no single schedule (alpha(1) zero, power:*) always run.
  std::vector<std::string> schedules;
  std::function<void(int done, int total)> progress;  // cases observed in this process
  // Shrinking a refuted group's counterexample: called before the first candidate (tried 0), after
  // every candidate, and once more with done set; accepted counts the smaller cases kept.
  std::function<void(const GroupResult& g, int tried, int accepted, bool done)> shrink_progress;
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
// records); level[i]: the level of record i's statistical case at its strictest (Case::level).
void summarize_group(GroupResult& g, const std::vector<CaseRecord>& records,
                     const std::vector<double>& level);

// Multiplicity, the same whatever a run selects. alpha is split evenly over the registry's claims
// and each claim's share evenly over its checks: the check's budget. A check outside the registry
// is budgeted as if it were registered too (the registered checks' budgets stay as they are).
double check_budget(const Check& check, double alpha, const std::vector<const Check*>& registry);
// The check's family: the cases it generates as stated at the profile (every group).
std::size_t family_size(const Check& check, const Profile& profile);
// The level of each of the check's cases, budget / family size (Case::level): an interval case's
// miss probability and the first step of Holm over the check's p-value cases. Mutant cases are
// judged at their check's level, each mutant's p-values by Holm over a family of that size.
// registry empty: all_checks().
double case_level(const Check& check, const Profile& profile, double alpha,
                  const std::vector<const Check*>& registry = {});

RunResult run_checks(const std::vector<const Check*>& checks, const RunOptions& options);

// Observes one case exactly as the runner does (for --replay) and judges it alone at its level
// (a p-value case's level is the one its run's Holm procedure judged it at); a case without a
// level is judged at default_level.
CaseRecord replay_case(const Check& check, Case c, double default_level);

}  // namespace siv
