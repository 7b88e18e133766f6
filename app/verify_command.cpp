#include "app/verify_command.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <set>
#include <sstream>
#include <thread>
#include <unistd.h>

#include "app/csv.hpp"
#include "properties/claims.hpp"
#include "properties/runner.hpp"
#include "reports/atomic_file.hpp"
#include "reports/records.hpp"

namespace siv::app {
namespace {

struct VerifyOptions {
  std::string claims;    // comma-separated claim ids (C1) or check ids (C2.rate); empty = all
  std::string profile = "quick";
  std::uint64_t seed = 20260522;
  std::string out;
  std::string replay;
  int threads = 0;       // 0: hardware concurrency
  bool mutants = false;
  bool mutants_only = false;
  double alpha = 1e-3;
};

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> parts;
  std::stringstream ss(text);
  for (std::string part; std::getline(ss, part, ',');)
    if (!part.empty()) parts.push_back(part);
  return parts;
}

std::vector<const Check*> select_checks(const std::string& claims) {
  std::vector<const Check*> out;
  const auto wanted = split_commas(claims);
  std::set<std::string> matched;
  for (const auto& check : all_checks()) {
    const bool take = wanted.empty() || std::any_of(wanted.begin(), wanted.end(), [&](const auto& w) {
                        const bool hit = w == check->claim() || w == check->id();
                        if (hit) matched.insert(w);
                        return hit;
                      });
    if (take) out.push_back(check.get());
  }
  for (const auto& w : wanted)
    if (!matched.count(w))
      throw InputError("--claims: unknown claim or check '" + w + "' (claims: C1, C2, C3)");
  return out;
}

int replay(const VerifyOptions& o) {
  Case c;
  try {
    c = parse_token(o.replay);
  } catch (const std::invalid_argument& e) {
    throw InputError(std::string("--replay: ") + e.what());
  }
  const Check* check = nullptr;
  for (const auto& candidate : all_checks())
    if (candidate->id() == c.check) check = candidate.get();
  if (!check) throw InputError("--replay: unknown check '" + c.check + "'");
  const CaseRecord r = replay_case(*check, c, o.alpha);
  std::cout << case_json(r).dump(2) << "\n";
  return r.outcome == Outcome::pass ? 0 : 1;
}

int run(const VerifyOptions& o) {
  if (!o.replay.empty()) return replay(o);
  RunOptions run;
  try {
    run.profile = make_profile(o.profile);
  } catch (const std::invalid_argument& e) {
    throw InputError(std::string("--profile: ") + e.what());
  }
  run.seed = o.seed;
  run.threads = o.threads > 0 ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  run.mutants = o.mutants || o.mutants_only;
  run.claims_as_stated = !o.mutants_only;
  run.alpha = o.alpha;
  const auto checks = select_checks(o.claims);
  if (!o.out.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(o.out, ec);
    if (ec) throw InputError("--out: cannot create directory '" + o.out + "': " + ec.message());
  }
  const bool terminal = ::isatty(STDERR_FILENO);
  if (terminal)
    run.progress = [](int done, int total) {
      std::fprintf(stderr, "\r%d/%d cases", done, total);
      if (done == total) std::fprintf(stderr, "\n");
    };
  const RunResult result = run_checks(checks, run);
  std::cout << verdict_lines(result);
  int unexpected = 0;
  for (const auto& g : result.groups) unexpected += !g.as_expected();
  std::cout << result.groups.size() << " groups, " << result.records.size() << " cases, "
            << unexpected << " unexpected verdicts, " << result.seconds << " s\n";
  if (!o.out.empty())
    write_file_atomically(std::filesystem::path(o.out) / "cases.jsonl", cases_jsonl(result));
  return result.exit_code();
}

}  // namespace

void add_verify_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<VerifyOptions>();
  auto* verify = app.add_subcommand(
      "verify", "Run the claim checks: one verdict line per claim and group; exit 0 when every "
                "verdict is the one the harness's statements predict, 1 otherwise, 2 on bad input");
  verify->add_option("--claims", options->claims, "Claims (C1,C2,C3) or checks (C2.rate) to run");
  verify->add_option("--profile", options->profile, "quick | ci | deep (env SIVERIFY_PROFILE)")
      ->capture_default_str();
  verify->add_option("--seed", options->seed, "Master seed (env SIVERIFY_SEED)")->capture_default_str();
  verify->add_option("--out", options->out, "Directory for cases.jsonl");
  verify->add_option("--threads", options->threads, "Worker threads (0: all cores)")
      ->check(CLI::NonNegativeNumber);
  verify->add_flag("--mutants", options->mutants, "Also run the planted false claims");
  verify->add_flag("--mutants-only", options->mutants_only, "Run only the planted false claims");
  verify->add_option("--alpha", options->alpha, "Family-wise false-alarm level of the tests")
      ->check(CLI::Range(1e-12, 0.5))
      ->capture_default_str();
  verify->add_option("--replay", options->replay, "Replay one case from its token");
  verify->callback([verify, options, &exit_code] {
    // The environment supplies what the command line left out.
    if (const char* env = std::getenv("SIVERIFY_PROFILE"); env && verify->count("--profile") == 0)
      options->profile = env;
    if (const char* env = std::getenv("SIVERIFY_SEED"); env && verify->count("--seed") == 0) {
      char* end = nullptr;
      errno = 0;
      options->seed = std::strtoull(env, &end, 10);
      if (errno || end == env || *end || *env == '-')
        throw InputError("SIVERIFY_SEED: '" + std::string(env) + "' is not a 64-bit seed");
    }
    exit_code = run(*options);
  });
}

}  // namespace siv::app
