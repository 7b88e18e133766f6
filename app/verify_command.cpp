#include "app/verify_command.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <functional>
#include <iostream>
#include <limits>
#include <set>
#include <sstream>
#include <thread>
#include <tuple>
#include <utility>
#include <unistd.h>

#include "app/csv.hpp"
#include "app/inputs.hpp"
#include "app/verify_model.hpp"
#include "app/long_run.hpp"
#include "app/limits.hpp"
#include "app/verify_data.hpp"
#include "properties/claims.hpp"
#include "properties/runner.hpp"
#include "reports/atomic_file.hpp"
#include "reports/baseline.hpp"
#include "reports/figures.hpp"
#include "reports/junit.hpp"
#include "reports/records.hpp"
#include "reports/report_dir.hpp"
#include "reports/summary.hpp"

namespace siv::app {
namespace {

struct VerifyOptions {
  std::string claims;    // comma-separated claim ids (C1) or check ids (C2.rate); empty = all
  std::string profile = "quick";
  std::string seed = "20260522";  // parsed by parse_seed
  std::string out;
  std::string replay;
  std::string baseline;        // compare with this baseline file
  std::string write_baseline;  // store the run's baseline here
  std::string junit;           // JUnit XML file
  bool pdf = false;            // run latexmk on the report when present
  int threads = 0;       // 0: hardware concurrency
  bool mutants = false;
  bool mutants_only = false;
  double alpha = 1e-3;
  // Profile overrides (0: the profile's value).
  int cases = 0, starts = 0, max_n = 0, max_d = 0;
  LongRunOptions long_run;         // --resume, --shard (app/long_run.hpp)
  VerifyModelArgs model;           // --model and its training set (app/verify_model.hpp)
  const CLI::App* cli = nullptr;   // the parsed command line, for the run's identity
  VerifyDataOptions data;
};

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> parts;
  std::stringstream ss(text);
  for (std::string part; std::getline(ss, part, ',');)
    if (!part.empty()) parts.push_back(part);
  return parts;
}

std::vector<const Check*> select_checks(const std::string& claims,
                                        const std::vector<std::unique_ptr<Check>>& extra) {
  std::vector<const Check*> out;
  const auto wanted = split_commas(claims);
  std::set<std::string> matched;
  std::vector<const Check*> pool;
  for (const auto* list : {&all_checks(), &extra})
    for (const auto& check : *list) pool.push_back(check.get());
  for (const Check* check : pool) {
    const bool take = wanted.empty() || std::any_of(wanted.begin(), wanted.end(), [&](const auto& w) {
                        const bool hit = w == check->claim() || w == check->id();
                        if (hit) matched.insert(w);
                        return hit;
                      });
    if (take) out.push_back(check);
  }
  std::string known;
  for (const auto& check : all_checks())
    if (known.find(check->claim() + ",") == std::string::npos) known += check->claim() + ", ";
  for (const auto& w : wanted)
    if (!matched.count(w))
      throw InputError("--claims: unknown claim or check '" + w + "' (claims: " +
                       known.substr(0, known.size() - 2) + ")");
  return out;
}

// With --model, --data and its selection name the model's training set (one subset size).
void use_model_data(VerifyOptions& o) {
  o.model.data = o.data.data;
  if (o.data.sizes_opt->count() > 0) {
    try {
      std::size_t used = 0;
      o.model.selection.n = std::stol(o.data.sizes, &used);
      if (used != o.data.sizes.size()) throw std::invalid_argument("n");
    } catch (const std::exception&) {
      throw InputError("--n with --model: one subset size, got '" + o.data.sizes + "'");
    }
  }
  o.model.selection.label = o.data.label;
  o.model.selection.scale = o.data.scale;
  o.model.selection.n_opt = o.data.sizes_opt;
  o.model.selection.label_opt = o.data.label_opt;
}

// A case of the --model checks (C4.model.*, C6.model, C7.model.*) replays with the same --model,
// its options and --data: the token names the case, not the model.
int replay(VerifyOptions o) {
  Case c;
  try {
    c = parse_token(o.replay);
  } catch (const std::invalid_argument& e) {
    throw InputError(std::string("--replay: ") + e.what());
  }
  // The checks outside the registry: those of --model, or the network ladder (C6.network).
  std::vector<std::unique_ptr<Check>> model;
  if (o.model.model.given()) {
    use_model_data(o);
    model = model_verify_checks(o.model);
  } else if (c.check == "C6.network") {
    model = torch_checks(c.check, o.profile);
  }
  const Check* check = nullptr;
  for (const auto* list : {&all_checks(), &std::as_const(model)})
    for (const auto& candidate : *list)
      if (candidate->id() == c.check) check = candidate.get();
  if (!check)
    throw InputError("--replay: unknown check '" + c.check + "'" +
                     (c.error_model == "model" && !o.model.model.given()
                          ? " (a case of verify --model: give the same --model and --data)"
                          : ""));
  // A token without level= (older) is judged at this run's level for the case.
  double level = 0;
  try {
    level = case_level(*check, make_profile(o.profile), o.alpha);
  } catch (const std::invalid_argument& e) {
    throw InputError(std::string("--profile: ") + e.what());
  }
  const CaseRecord r = replay_case(*check, c, level);
  std::cout << case_json(r, "replay").dump(2) << "\n";
  return r.outcome == Outcome::pass ? 0 : 1;
}

std::string clock_text(double seconds) {
  const long t = static_cast<long>(seconds + 0.5);
  return (t >= 60 ? std::to_string(t / 60) + "m" : std::string()) + std::to_string(t % 60) + "s";
}

// "412/1200 cases  34%  1m12s elapsed, about 2m05s left". On a terminal one line redrawn at most
// five times a second; otherwise (a log file) a new line every `period`, and at the end.
std::function<void(int, int)> progress_printer(bool terminal, std::chrono::milliseconds period) {
  const auto start = std::chrono::steady_clock::now();
  auto last = start;
  return [start, last, terminal, period](int done, int total) mutable {
    const auto now = std::chrono::steady_clock::now();
    if (done != total && now - last < period) return;
    last = now;
    const double elapsed = std::chrono::duration<double>(now - start).count();
    std::string line = std::to_string(done) + "/" + std::to_string(total) + " cases  " +
                       std::to_string(total ? 100 * done / total : 100) + "%  " +
                       clock_text(elapsed) + " elapsed";
    if (done > 0 && done < total) line += ", about " + clock_text(elapsed * (total - done) / done) + " left";
    if (terminal) std::fprintf(stderr, "\r%-60s%s", line.c_str(), done == total ? "\n" : "");
    else std::fprintf(stderr, "siverify: %s\n", line.c_str());
  };
}

// "shrinking C2.sqrt [power:*]: 14 smaller cases tried, 5 kept": when a refuted group's shrinking
// starts and ends, and in between paced as progress_printer paces its lines.
std::function<void(const GroupResult&, int, int, bool)> shrink_printer(bool terminal,
                                                                       std::chrono::milliseconds period) {
  auto last = std::chrono::steady_clock::now();
  return [last, terminal, period](const GroupResult& g, int tried, int accepted, bool done) mutable {
    const auto now = std::chrono::steady_clock::now();
    if (tried != 0 && !done && now - last < period) return;
    last = now;
    const std::string line = "shrinking " + g.check + " [" + group_label(g) + "]: " +
                             std::to_string(tried) + " smaller cases tried, " +
                             std::to_string(accepted) + " kept" + (done ? ", done" : "");
    if (terminal) std::fprintf(stderr, "\r%-60s%s", line.c_str(), done ? "\n" : "");
    else std::fprintf(stderr, "siverify: %s\n", line.c_str());
  };
}

// "2026-05-22T10:00:00": the JUnit timestamp (UTC, no zone, as its schema wants).
std::string utc_timestamp() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  ::gmtime_r(&now, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &utc);
  return buffer;
}

std::string host_name() {
  char buffer[256] = {};
  return ::gethostname(buffer, sizeof buffer - 1) == 0 ? buffer : "";
}

// Reads the baseline before the run: a bad file is bad input and should not cost a run.
nlohmann::json load_baseline(const std::string& file) {
  try {
    return read_baseline(file);
  } catch (const BaselineError& e) {
    throw InputError(std::string("--baseline: ") + e.what());
  }
}

// The command line as parsed (CLI11 keeps no argv), for provenance comments and the manifest.
std::string command_line(const CLI::App& verify) {
  std::string text = "siverify verify";
  for (const CLI::Option* option : verify.get_options()) {
    if (option->count() == 0 || option->get_name() == "--help") continue;
    if (option->get_expected_min() == 0) {
      text += " " + option->get_name();  // a flag
      continue;
    }
    for (const auto& value : option->results()) {
      const bool plain = !value.empty() && value.find_first_of(" '\"\\$;&|<>*?()") == std::string::npos;
      std::string quoted = "'";
      for (const char ch : value) quoted += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
      text += " " + option->get_name() + " " + (plain ? value : quoted + "'");
    }
  }
  return text;
}

// Options that could not take effect are errors, not silently ignored (exit 2 naming them).
void reject_ineffective(const CLI::App& verify) {
  auto given = [&](const char* name) { return verify.count(name) > 0; };
  if (given("--replay"))
    for (const char* name : {"--out", "--junit", "--baseline", "--write-baseline", "--pdf",
                             "--claims", "--profile", "--seed", "--mutants", "--mutants-only",
                             "--threads", "--cases", "--starts", "--max-n", "--max-d", "--resume",
                             "--shard"})
      if (given(name))
        throw InputError(std::string(name) + " has no effect with --replay (a replay prints the "
                         "one case its token names, judged at --alpha)");
  if (given("--pdf") && !given("--out") && !given("--resume"))
    throw InputError("--pdf has no effect without --out (there is no report.tex to compile)");
  if (given("--mutants") && given("--mutants-only"))
    throw InputError("--mutants has no effect with --mutants-only (which already runs the mutants)");
}

int run(VerifyOptions o) {
  if (!o.replay.empty()) return replay(o);
  RunOptions run;
  try {
    run.profile = make_profile(o.profile);
  } catch (const std::invalid_argument& e) {
    throw InputError(std::string("--profile: ") + e.what());
  }
  for (const auto& [value, field] : {std::pair{o.cases, &Profile::cases}, std::pair{o.starts, &Profile::starts},
                                     std::pair{o.max_n, &Profile::max_n}, std::pair{o.max_d, &Profile::max_d}})
    if (value > 0) run.profile.*field = value;
  run.seed = parse_seed("--seed", o.seed);
  run.threads = worker_threads("verify", o.threads, std::numeric_limits<long>::max());
  run.mutants = o.mutants || o.mutants_only;
  run.claims_as_stated = !o.mutants_only;
  run.alpha = o.alpha;
  std::vector<std::string> reductions;
  if (o.model.model.given()) {
    use_model_data(o);
  } else {
    reductions = apply_verify_data(o.data, run);
  }
  // With --model only its checks run; otherwise torch adds the network ladder when asked for.
  const auto extra = o.model.model.given() ? model_verify_checks(o.model) : torch_checks(o.claims, o.profile);
  std::vector<const Check*> checks;
  std::vector<std::string> left_out;  // printed with the verdicts (bad input prints nothing)
  if (o.model.model.given()) {
    for (const auto& check : extra)
      if (o.claims.empty() || o.claims.find(check->claim()) != std::string::npos) checks.push_back(check.get());
  } else {
    checks = select_checks(o.claims, extra);
    if (!o.data.data.empty()) left_out = fit_checks_to_data(checks, run.profile, reductions);
  }
  const nlohmann::json baseline = o.baseline.empty() ? nlohmann::json() : load_baseline(o.baseline);
  LongRunSession long_run(o.long_run, o.out, identity_args(*o.cli, o.profile, run.seed));
  std::vector<std::string> before;  // files of the directory that are not this run's
  if (!o.out.empty()) {
    try {
      before = begin_report(o.out);
    } catch (const std::runtime_error& e) {
      throw InputError(std::string(o.long_run.resume.empty() ? "--out: " : "--resume: ") + e.what());
    }
  }
  const bool terminal = ::isatty(STDERR_FILENO) != 0;
  run.progress = progress_printer(terminal, terminal ? std::chrono::milliseconds(200)
                                                     : std::chrono::seconds(30));
  run.shrink_progress = shrink_printer(terminal, terminal ? std::chrono::milliseconds(200)
                                                          : std::chrono::seconds(30));
  long_run.attach(run);
  const JunitContext junit{utc_timestamp(), host_name()};
  const RunResult result = run_checks(checks, run);
  if (long_run.is_shard()) return long_run.finish_shard(result);
  const std::string diagnosis = o.model.model.given() ? model_diagnosis(result, o.model) : "";
  for (const auto& note : left_out) std::cout << note << "\n";
  std::cout << verdict_lines(result) << (diagnosis.empty() ? "" : "\n" + diagnosis + "\n");
  int unexpected = 0;
  for (const auto& g : result.groups) unexpected += !g.as_expected();
  std::cout << result.groups.size() << " groups, " << result.records.size() << " cases, "
            << unexpected << " unexpected verdicts, " << result.seconds << " s\n";

  const RunSettings settings{o.profile, run.seed, run.threads, o.alpha, o.claims,
                             run.claims_as_stated, run.mutants, run.profile,
                             run.profile.data.source, command_line(*o.cli)};
  if (!o.out.empty()) {
    for (const auto& w : write_report(o.out, result, settings, find_gnuplot()))
      std::cerr << "warning: " << w << "\n";
    std::cout << "report: " << (std::filesystem::path(o.out) / "report.md").string() << "\n";
    if (!diagnosis.empty()) {
      write_file_atomically(std::filesystem::path(o.out) / "diagnosis.md",
                            diagnosis + write_model_samples(result, o.model, o.out));
      std::cout << "diagnosis: " << (std::filesystem::path(o.out) / "diagnosis.md").string() << "\n";
    }
    if (o.pdf) {
      const std::string problem = compile_pdf(o.out);
      if (problem.empty()) std::cout << "pdf: " << (std::filesystem::path(o.out) / "report.pdf").string() << "\n";
      else std::cerr << "warning: " << problem << "\n";
    }
  }
  if (!o.data.data.empty() && !o.model.model.given()) study_verify_data(run, o.out, reductions);
  if (!o.junit.empty()) write_file_atomically(o.junit, junit_xml(result, settings, junit));
  const nlohmann::json now = baseline_json(summary_json(result, settings));
  if (!o.write_baseline.empty() && result.complete) write_file_atomically(o.write_baseline, now.dump(2) + "\n");
  int code = result.exit_code();
  if (!o.baseline.empty()) {
    const auto changes = compare_baselines(baseline, now);
    if (changes.empty()) {
      std::cout << "baseline " << o.baseline << ": no change beyond tolerance\n";
    } else {
      std::cout << "baseline " << o.baseline << ": " << changes.size()
                << " field(s) changed beyond tolerance:\n"
                << format_changes(changes);
      code = kExitUnexpected;
    }
  }
  if (!o.out.empty()) write_manifest(o.out, settings, before);
  std::cerr << long_run.resume_hint(result);
  return result.complete ? code : kIncompleteExitCode;
}

}  // namespace

void add_verify_command(CLI::App& app, int& exit_code, bool parse_only) {
  auto options = std::make_shared<VerifyOptions>();
  auto* verify = app.add_subcommand(
      "verify", "Run the claim checks: one verdict line per claim and group; exit 0 when every "
                "verdict is the one the harness's statements predict, 1 otherwise, 2 on bad input");
  std::vector<std::string> claim_ids;
  std::string claims, checks;
  for (const auto& check : all_checks()) {
    if (std::find(claim_ids.begin(), claim_ids.end(), check->claim()) == claim_ids.end()) {
      claim_ids.push_back(check->claim());
      claims += (claims.empty() ? "" : ", ") + check->claim();
    }
    checks += (checks.empty() ? "" : ", ") + check->id();
  }
  verify->add_option("--claims", options->claims,
                     "Comma-separated claims (" + claims + ") or checks (" + checks +
                         "); all when omitted; statements: siverify list");
  verify->add_option("--profile", options->profile, "quick | ci | deep (env SIVERIFY_PROFILE)")
      ->capture_default_str();
  verify->add_option("--seed", options->seed, "Master seed (env SIVERIFY_SEED)")->capture_default_str();
  verify->add_option("--out", options->out,
                     "Report directory: cases.jsonl, summary.json (written last), report.md, "
                     "report.tex, tables/, figures/");
  verify->add_option("--baseline", options->baseline,
                     "Compare with a stored baseline; exit 1 listing each changed field");
  verify->add_option("--write-baseline", options->write_baseline,
                     "Store this run's baseline (sorted JSON, no timings)");
  verify->add_option("--junit", options->junit, "JUnit XML: one testcase per claim and group");
  verify->add_flag("--pdf", options->pdf, "Compile report.tex with latexmk when installed");
  verify->add_option("--threads", options->threads, "Worker threads (0: all cores)")
      ->check(CLI::Validator(
          [](std::string& value) -> std::string {
            return value.find('-') == std::string::npos
                       ? ""
                       : "must be 0 (all cores) or a positive count, got " + value;
          },
          "0: all cores", "thread count"));
  for (const auto& [name, field, what] :
       {std::tuple{"--cases", &VerifyOptions::cases, "Cases per group"},
        std::tuple{"--starts", &VerifyOptions::starts, "Samples per case"},
        std::tuple{"--max-n", &VerifyOptions::max_n, "Largest training set"},
        std::tuple{"--max-d", &VerifyOptions::max_d, "Largest dimension"}})
    verify->add_option(name, (*options).*field,
                       std::string(what) + " (overrides the profile's value; see siverify list)")
        ->check(CLI::Range(1, 1 << 20));
  verify->add_flag("--mutants", options->mutants, "Also run the planted false claims");
  verify->add_flag("--mutants-only", options->mutants_only, "Run only the planted false claims");
  verify->add_option("--alpha", options->alpha, "Family-wise false-alarm level of the tests")
      ->check(CLI::Range(1e-12, 0.5))
      ->capture_default_str();
  verify->add_option("--replay", options->replay, "Replay one case from its token");
  add_verify_model_options(*verify, options->model);
  add_long_run_options(*verify, options->long_run);
  add_verify_data_options(*verify, options->data);
  // The options live as long as the callback that owns them: CLI11 writes into them while parsing.
  verify->callback([verify, options, &exit_code, parse_only] {
    if (parse_only) return;
    // The environment supplies what the command line left out.
    if (const char* env = std::getenv("SIVERIFY_PROFILE"); env && verify->count("--profile") == 0)
      options->profile = env;
    if (const char* env = std::getenv("SIVERIFY_SEED"); env && verify->count("--seed") == 0) {
      parse_seed("SIVERIFY_SEED", env);  // reject it here, naming the variable
      options->seed = env;
    }
    options->cli = verify;
    reject_ineffective(*verify);
    exit_code = run(*options);
  });
}

}  // namespace siv::app
