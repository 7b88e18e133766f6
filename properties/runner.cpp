#include "properties/runner.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "properties/claims.hpp"
#include "theory/random.hpp"
#include "theory/stats.hpp"

namespace siv {
namespace {

using Clock = std::chrono::steady_clock;

std::uint64_t hash_text(const std::string& text) {
  std::uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a: stable across platforms, unlike std::hash
  for (unsigned char ch : text) h = (h ^ ch) * 0x100000001b3ull;
  return h;
}

struct Job {
  const Check* check;
  std::size_t group;  // index into groups
  std::size_t check_index;  // into run_checks' checks: the claim cases' multiplicity family
  rc::Shrinkable<Case> shrinkable;
};

CaseRecord observe(const Check& check, const Case& c) {
  CaseRecord r;
  r.c = c;
  const auto start = Clock::now();
  try {
    r.obs = check.observe(c);
  } catch (const std::exception& e) {
    r.obs.failure = e.what();
  }
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return r;
}

// p-value cases are rejected at their level (Holm's step for the case, or its Case::level alone).
Outcome judge(const Observation& obs, double level) {
  if (!obs.failure.empty()) return Outcome::failure;
  if (!obs.assumptions_hold()) return Outcome::not_met;
  // NaN is an error; +inf is meaningful only as "any value" for a lower bound (a rate at the
  // rounding floor).
  if (obs.comparison == Comparison::p_value && !(obs.observed >= 0 && obs.observed <= 1))
    return Outcome::failure;
  const bool unbounded_ok = obs.comparison == Comparison::lower && obs.observed > 0;
  if (std::isnan(obs.observed) || (std::isinf(obs.observed) && !unbounded_ok) ||
      !std::isfinite(obs.bound))
    return Outcome::failure;
  switch (obs.comparison) {
    case Comparison::upper: return obs.observed <= obs.bound ? Outcome::pass : Outcome::violation;
    case Comparison::lower: return obs.observed >= obs.bound ? Outcome::pass : Outcome::violation;
    case Comparison::p_value: return obs.observed <= level ? Outcome::violation : Outcome::pass;
  }
  return Outcome::failure;
}

// RapidCheck's shrinking strategy: take the first shrink that still fails, repeat. A p-value
// candidate fails when its p-value alone is at most its Case::level (Holm's strictest step).
// Stopping (a signal) cuts the walk short.
std::pair<CaseRecord, int> shrink(const Check& check, const rc::Shrinkable<Case>& failing,
                                  CaseRecord record, int budget, const std::atomic<bool>* stop,
                                  const std::function<void(int tried, int accepted)>& step) {
  rc::Shrinkable<Case> current = failing;
  int spent = 0, accepted = 0;
  bool progressed = true;
  const auto stopped = [stop] { return stop && stop->load(); };
  while (progressed && spent < budget && !stopped()) {
    progressed = false;
    auto shrinks = current.shrinks();
    while (spent < budget && !stopped()) {
      auto next = shrinks.next();
      if (!next) break;
      ++spent;
      CaseRecord candidate = observe(check, next->value());
      candidate.p_adjusted = candidate.obs.observed;
      candidate.outcome = judge(candidate.obs, candidate.c.level);
      const bool smaller = candidate.outcome == Outcome::violation;
      accepted += smaller;
      step(spent, accepted);
      if (smaller) {
        record = std::move(candidate);
        current = *next;
        progressed = true;
        break;
      }
    }
  }
  return {record, spent};
}

double median(std::vector<double> v) {
  if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(v.begin(), v.end());
  const std::size_t mid = v.size() / 2;
  return v.size() % 2 ? v[mid] : 0.5 * (v[mid - 1] + v[mid]);
}

}  // namespace

void summarize_group(GroupResult& g, const std::vector<CaseRecord>& records,
                     const std::vector<double>& level) {
  std::vector<double> slacks, tightness;
  bool all_exact = true;
  g.cases = g.passes = g.violations = g.not_met = g.failures = 0;
  g.seconds = 0;
  g.worst_slack = g.median_slack = g.max_tightness = g.median_tightness = g.min_p = kNaN;
  g.detectable_fraction = g.per_case_level = kNaN;
  g.worst.reset();
  for (std::size_t i : g.records) {
    const CaseRecord& r = records[i];
    ++g.cases;
    g.seconds += r.seconds;
    g.comparison = r.obs.comparison;
    switch (r.outcome) {
      case Outcome::pass: ++g.passes; break;
      case Outcome::violation: ++g.violations; break;
      case Outcome::not_met: ++g.not_met; break;
      case Outcome::failure: ++g.failures; break;
    }
    if (r.outcome != Outcome::pass && r.outcome != Outcome::violation) continue;
    all_exact = all_exact && r.obs.exact();
    if (r.obs.comparison == Comparison::p_value) {
      if (!(r.obs.observed >= g.min_p)) {
        g.min_p = r.obs.observed;
        g.worst = i;
      }
      if (i < level.size() && !(level[i] >= g.per_case_level)) g.per_case_level = level[i];
      continue;
    }
    if (!std::isnan(r.obs.level) && i < level.size() && !(level[i] >= g.per_case_level))
      g.per_case_level = level[i];
    if (const double t = r.obs.tightness(); !std::isnan(t)) tightness.push_back(t);
    // Cases at the floor (slack +inf) say nothing about how far inside the bound the rest are.
    if (const double s = r.obs.slack(); std::isfinite(s)) {
      if (slacks.empty() || s < g.worst_slack) {
        g.worst_slack = s;
        g.worst = i;
      }
      slacks.push_back(s);
    }
    if (!g.worst && r.outcome == Outcome::violation) g.worst = i;
  }
  const int measured = g.passes + g.violations;
  if (!slacks.empty()) g.median_slack = median(slacks);
  if (!tightness.empty()) {
    g.max_tightness = *std::max_element(tightness.begin(), tightness.end());
    g.median_tightness = median(tightness);
  }
  if (measured) g.detectable_fraction = detectable_fraction(measured);
  if (g.failures) g.verdict = Verdict::failure;
  else if (g.violations) g.verdict = Verdict::refuted;
  else if (!g.passes) g.verdict = Verdict::not_met;
  else if (all_exact) g.verdict = Verdict::exact;
  else if (!tightness.empty() && g.max_tightness < kLooseRatio) g.verdict = Verdict::holds_loose;
  else g.verdict = Verdict::holds;
}

int RunResult::exit_code() const {
  if (!complete) return kIncompleteExitCode;
  return std::all_of(groups.begin(), groups.end(),
                     [](const GroupResult& g) { return g.as_expected(); })
             ? kExitExpected
             : kExitUnexpected;
}

double check_budget(const Check& check, double alpha, const std::vector<const Check*>& registry) {
  std::vector<std::string> claims;
  std::size_t siblings = 0;  // checks of the same claim
  bool registered = false;
  for (const Check* other : registry) {
    if (std::find(claims.begin(), claims.end(), other->claim()) == claims.end())
      claims.push_back(other->claim());
    siblings += other->claim() == check.claim();
    registered = registered || other->id() == check.id();
  }
  if (!registered) {
    if (std::find(claims.begin(), claims.end(), check.claim()) == claims.end())
      claims.push_back(check.claim());
    ++siblings;
  }
  return alpha / static_cast<double>(claims.size()) / static_cast<double>(siblings);
}

std::size_t family_size(const Check& check, const Profile& profile) {
  return check.groups(profile).size() * static_cast<std::size_t>(std::max(0, profile.cases));
}

namespace {

std::vector<const Check*> registered_checks() {
  std::vector<const Check*> out;
  for (const auto& check : all_checks()) out.push_back(check.get());
  return out;
}

}  // namespace

double case_level(const Check& check, const Profile& profile, double alpha,
                  const std::vector<const Check*>& registry) {
  const double budget = check_budget(check, alpha, registry.empty() ? registered_checks() : registry);
  return budget / static_cast<double>(std::max<std::size_t>(1, family_size(check, profile)));
}

CaseRecord replay_case(const Check& check, Case c, double default_level) {
  if (c.level == 0) c.level = default_level;
  CaseRecord r = observe(check, c);
  r.p_adjusted = r.obs.observed;
  r.outcome = judge(r.obs, c.level);
  return r;
}

static bool group_selected(const std::string& group, const std::vector<std::string>& schedules) {
  if (schedules.empty()) return true;
  bool single = false;
  for (const auto& known : schedule_catalogue())
    single = single || group == known || group.starts_with(known + " eps:") || group.ends_with(" on " + known);
  if (!single) return true;
  return std::any_of(schedules.begin(), schedules.end(), [&](const std::string& s) {
    return group == s || group.starts_with(s + " eps:") || group.ends_with(" on " + s);
  });
}

RunResult run_checks(const std::vector<const Check*>& checks, const RunOptions& options) {
  const auto run_start = Clock::now();
  RunResult result;
  std::vector<Job> jobs;
  const std::vector<const Check*> registry =
      options.registry.empty() ? registered_checks() : options.registry;
  // Per check: its budget and family size (the same for its mutants), known before observation.
  std::vector<std::pair<double, std::size_t>> budgets;
  for (const Check* check : checks) {
    const double level = case_level(*check, options.profile, options.alpha, registry);
    budgets.push_back({check_budget(*check, options.alpha, registry),
                       std::max<std::size_t>(1, family_size(*check, options.profile))});
    std::vector<std::pair<Mutant, bool>> plan;  // (group and variant, is a mutant)
    if (options.claims_as_stated)
      for (const auto& group : check->groups(options.profile)) plan.push_back({{"", group, ""}, false});
    if (options.mutants)
      for (const auto& m : check->mutants()) plan.push_back({m, true});
    for (const auto& [what, is_mutant] : plan) {
      if (!group_selected(what.group, options.schedules)) continue;
      GroupResult g;
      g.check = check->id();
      g.claim = check->claim();
      g.statement = check->statement();
      g.group = what.group;
      g.variant = what.variant;
      g.description = what.description;
      g.mutant = is_mutant;
      g.premise_is_a_finding = !is_mutant && check->premise_is_a_finding(what.group, options.profile);
      g.expected = is_mutant ? Verdict::refuted : check->expected(what.group);
      const std::size_t gi = result.groups.size();
      result.groups.push_back(g);
      auto gen = rc::gen::map(check->generator(what.group, options.profile),
                              [id = check->id(), group = what.group, variant = what.variant, level](Case c) {
                                c.check = id;
                                c.group = group;
                                c.variant = variant;
                                c.level = level;
                                return c;
                              });
      // The experiments of [M]: 2-D, 5 training points; the rest is the randomized sweep.
      auto paper = rc::gen::map(gen, [](Case c) {
        c.set.n = 5;
        c.set.d = 2;
        return c;
      });
      for (int i = 0; i < options.profile.cases; ++i) {
        const std::uint64_t key = derive_seed(
            options.seed, hash_text(check->id() + "|" + what.group + "|" + what.variant) + i);
        const auto& g = i == 0 && options.profile.paper_case && check->papers_setting() ? paper : gen;
        jobs.push_back({check, gi, budgets.size() - 1, g(rc::Random(key), rc::kNominalSize)});
      }
    }
  }

  // Observe every case; each job writes its own slot, so the thread count changes nothing.
  const LongRun& long_run = options.long_run;
  std::vector<Case> cases;
  for (const auto& job : jobs) cases.push_back(job.shrinkable.value());
  std::vector<std::optional<CaseRecord>> recalled(jobs.size());
  std::vector<char> wanted(jobs.size(), 1);
  if (long_run.plan) long_run.plan(cases, recalled, wanted);
  std::vector<char> have(jobs.size(), 0);
  int to_observe = 0;
  for (std::size_t i = 0; i < jobs.size(); ++i) to_observe += wanted[i] && !recalled[i];
  result.planned = jobs.size();
  result.records.resize(jobs.size());
  std::atomic<std::size_t> next{0};
  std::atomic<int> done{0};
  std::mutex progress_mutex;
  auto worker = [&] {
    for (std::size_t i = next++; i < jobs.size(); i = next++) {
      if (recalled[i]) {
        result.records[i] = std::move(*recalled[i]);
        have[i] = 1;
        continue;
      }
      if (!wanted[i] || (long_run.stop && long_run.stop->load())) continue;
      result.records[i] = observe(*jobs[i].check, cases[i]);
      have[i] = 1;
      const int finished = ++done;
      std::lock_guard<std::mutex> lock(progress_mutex);
      if (long_run.finished) long_run.finished(i, result.records[i]);
      if (options.progress) options.progress(finished, to_observe);
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < std::max(1, options.threads); ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  for (std::size_t i = 0; i < jobs.size(); ++i)
    if (wanted[i] && !have[i]) result.complete = false;
  if (long_run.observe_only) {
    result.seconds = std::chrono::duration<double>(Clock::now() - run_start).count();
    return result;
  }
  // A stopped run is judged on the cases it has, and says so (complete = false).
  if (std::count(have.begin(), have.end(), 1) != static_cast<std::ptrdiff_t>(jobs.size())) {
    std::size_t kept = 0;
    for (std::size_t i = 0; i < jobs.size(); ++i)
      if (have[i]) {
        jobs[kept] = jobs[i];
        result.records[kept++] = std::move(result.records[i]);
      }
    jobs.erase(jobs.begin() + static_cast<std::ptrdiff_t>(kept), jobs.end());
    result.records.resize(kept);
  }

  // Multiplicity: each check's p-value cases as stated are one Holm family at the check's budget,
  // over all the cases the check generates as stated (those not run or not testable count as
  // never rejected), so no other check and no selection changes a case's level; each mutant is a
  // family of the same size and budget. A p-value record's Case::level becomes the single-test
  // level Holm judged it at, so that its token replays to the same outcome.
  std::map<std::pair<std::size_t, std::size_t>, std::vector<std::size_t>> families;  // (check, group)
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const auto& g = result.groups[jobs[i].group];
    const Observation& obs = result.records[i].obs;
    // Only testable cases enter a family: failures and unmet assumptions are judged as such.
    if (obs.comparison != Comparison::p_value || !obs.failure.empty() || !obs.assumptions_hold() ||
        !(obs.observed >= 0 && obs.observed <= 1))
      continue;
    families[{jobs[i].check_index, g.mutant ? jobs[i].group : result.groups.size()}].push_back(i);
  }
  std::vector<double> case_levels(jobs.size());
  for (std::size_t i = 0; i < jobs.size(); ++i) case_levels[i] = result.records[i].c.level;
  for (const auto& [key, family] : families) {
    const auto [budget, size] = budgets[key.first];
    std::vector<double> p;
    for (std::size_t i : family) p.push_back(result.records[i].obs.observed);
    const std::vector<double> adjusted = holm(p, size), levels = holm_levels(p, size, budget);
    for (std::size_t k = 0; k < family.size(); ++k) {
      CaseRecord& r = result.records[family[k]];
      r.p_adjusted = std::min(1.0, adjusted[k] * options.alpha / budget);
      r.c.level = levels[k];
    }
  }
  for (auto& r : result.records) r.outcome = judge(r.obs, r.c.level);

  for (std::size_t i = 0; i < jobs.size(); ++i) result.groups[jobs[i].group].records.push_back(i);
  for (std::size_t gi = 0; gi < result.groups.size(); ++gi) {
    GroupResult& g = result.groups[gi];
    summarize_group(g, result.records, case_levels);
    std::optional<std::size_t> first_violation;
    for (std::size_t i : g.records)
      if (result.records[i].outcome == Outcome::violation && !first_violation) first_violation = i;
    const auto size_class = [](const char* axis, int v) {
      return std::string(axis) + (v <= 2 ? " 1-2" : v <= 8 ? " 3-8" : v <= 16 ? " 9-16" : " 17-64");
    };
    std::map<std::string, int> classes;
    for (std::size_t i : g.records) {
      const CaseRecord& r = result.records[i];
      ++classes[size_class("n", r.c.set.n)];
      ++classes[size_class("d", r.c.set.d)];
      for (const auto& a : r.obs.assumptions)
        if (!a.held) ++classes["not met: " + a.name];
    }
    g.coverage.assign(classes.begin(), classes.end());
    if (g.cases && g.seconds / g.cases > options.slow_case_seconds)
      g.warnings.push_back("slow: " + std::to_string(g.seconds / g.cases) + " s per case");
    if (g.not_met * 2 > g.cases)
      g.warnings.push_back(std::to_string(g.not_met) + " of " + std::to_string(g.cases) +
                           " cases did not meet the assumptions");
    if (first_violation) {
      const std::size_t i = *first_violation;
      const Check& check = *jobs[i].check;
      int kept = 0;
      const auto step = [&](int tried, int accepted) {
        kept = accepted;
        if (options.shrink_progress) options.shrink_progress(g, tried, accepted, false);
      };
      step(0, 0);
      auto [shrunk, steps] = shrink(check, jobs[i].shrinkable, result.records[i],
                                    options.profile.shrink_budget, long_run.stop, step);
      if (options.shrink_progress) options.shrink_progress(g, steps, kept, true);
      if (long_run.stop && long_run.stop->load()) result.complete = false;
      g.counterexample = std::move(shrunk);
      g.shrink_steps = steps;
    }
  }
  result.seconds = std::chrono::duration<double>(Clock::now() - run_start).count();
  return result;
}

}  // namespace siv
