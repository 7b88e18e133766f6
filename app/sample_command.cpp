#include <algorithm>
#include <functional>
#include <atomic>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <exception>
#include <memory>
#include <mutex>
#include <numeric>
#include <optional>
#include <system_error>
#include <thread>

#include "app/commands.hpp"
#include "app/csv.hpp"
#include "app/inputs.hpp"
#include "app/model_options.hpp"
#include "app/verify_model.hpp"
#include "app/limits.hpp"
#include "solvers/adaptive.hpp"
#include "solvers/basin_watch.hpp"
#include "solvers/brownian.hpp"
#include "solvers/euler_maruyama.hpp"
#include "solvers/fixed_step.hpp"
#include "solvers/start.hpp"
#include "theory/diffusion.hpp"
#include "theory/field.hpp"
#include "theory/random.hpp"

namespace siv::app {
namespace {

enum class Solver { adaptive, lambda, euler, heun, rk4, em };

// Streams of the per-sample seed derive_seed(--seed, i): the start and the Brownian path are
// independent of each other and of every other sample.
constexpr std::uint64_t kStartStream = 0;
constexpr std::uint64_t kNoiseStream = 1;

struct SampleArgs {
  std::string data, schedule, solver, stepper = "dopri5", eps, start;
  int steps = 100, brownian_steps = 0, threads = 1;
  long max_steps = AdaptiveOptions{}.max_steps;
  std::string count;  // parsed here: CLI11 saturates a 64-bit value out of range
  std::string diagnose;  // with --model: write verify --model's diagnosis of these samples here
  std::string seed = "0";  // parsed here: CLI11 would wrap a negative number into uint64
  double tol = AdaptiveOptions{}.abs_tol, t_final = AdaptiveOptions{}.t_final;
  double max_work = kDefaultMaxWork;
  bool details = false, no_settle = false;
  SelectionOptions selection;
  ModelArgs model;
  // Set when the options are added; tell which were given, for the applicability checks.
  CLI::Option *steps_opt = nullptr, *brownian_opt = nullptr, *eps_opt = nullptr, *tol_opt = nullptr,
              *stepper_opt = nullptr, *max_steps_opt = nullptr, *t_final_opt = nullptr,
              *no_settle_opt = nullptr, *start_opt = nullptr, *count_opt = nullptr,
              *seed_opt = nullptr, *diagnose_opt = nullptr;
};

Solver parse_solver(const std::string& name) {
  if (name == "adaptive") return Solver::adaptive;
  if (name == "lambda") return Solver::lambda;
  if (name == "euler") return Solver::euler;
  if (name == "heun") return Solver::heun;
  if (name == "rk4") return Solver::rk4;
  if (name == "em") return Solver::em;
  throw InputError("--solver: unknown solver '" + name +
                   "' (known: adaptive, lambda, euler, heun, rk4, em)");
}

bool given(const CLI::Option* option) { return option->count() > 0; }

// An option that cannot affect the result is an error, so that nobody believes it did.
void check_applicable(const SampleArgs& a, Solver solver) {
  const bool adaptive = solver == Solver::adaptive || solver == Solver::lambda;
  const bool em = solver == Solver::em;
  for (const CLI::Option* o : {a.tol_opt, a.stepper_opt, a.max_steps_opt, a.no_settle_opt})
    if (given(o) && !adaptive)
      throw InputError(o->get_name() + " applies only to --solver adaptive and lambda");
  if (given(a.steps_opt) && adaptive)
    throw InputError("--steps does not apply to --solver " + a.solver +
                     " (it chooses its own steps; see --tol)");
  if (given(a.t_final_opt) && solver != Solver::adaptive)
    throw InputError("--t-final applies only to --solver adaptive");
  for (const CLI::Option* o : {a.eps_opt, a.brownian_opt})
    if (given(o) && !em) throw InputError(o->get_name() + " applies only to --solver em");
  if (em && !given(a.eps_opt)) throw InputError("--eps is required with --solver em");
  if (given(a.start_opt) && given(a.count_opt))
    throw InputError("--start and --count exclude each other: give one");
  if (!given(a.start_opt) && !given(a.count_opt))
    throw InputError("give the starts: --start FILE, or --count M (with --seed K)");
  if (given(a.seed_opt) && given(a.start_opt) && !em && !given(a.selection.n_opt))
    throw InputError("--seed has no effect with --start and the deterministic solver " + a.solver);
}

struct Plan {
  Solver solver = Solver::adaptive;
  AdaptiveOptions adaptive;
  Method method = Method::euler;
  Diffusion eps;
  int steps = 0, fine_steps = 0, threads = 1;
  long count = 0;
  std::uint64_t seed = 0;
};

Plan make_plan(const SampleArgs& a) {
  Plan p;
  p.solver = parse_solver(a.solver);
  check_applicable(a, p.solver);
  if (a.steps < 1) throw InputError("--steps must be >= 1, got " + std::to_string(a.steps));
  p.steps = a.steps;
  p.fine_steps = given(a.brownian_opt) ? a.brownian_steps : a.steps;
  if (p.fine_steps < p.steps || p.fine_steps % p.steps != 0)
    throw InputError("--brownian-steps must be a multiple of --steps (" + std::to_string(p.steps) +
                     "), got " + std::to_string(p.fine_steps));
  if (!(a.tol > 0) || !std::isfinite(a.tol))
    throw InputError("--tol must be a finite number > 0, got " + format_number(a.tol));
  p.adaptive.abs_tol = p.adaptive.rel_tol = a.tol;
  if (a.stepper == "dopri5")
    p.adaptive.stepper = Stepper::dopri5;
  else if (a.stepper == "bs")
    p.adaptive.stepper = Stepper::bulirsch_stoer;
  else
    throw InputError("--stepper: unknown stepper '" + a.stepper + "' (known: dopri5, bs)");
  if (a.max_steps < 1)
    throw InputError("--max-steps must be >= 1, got " + std::to_string(a.max_steps));
  p.adaptive.max_steps = a.max_steps;
  if (!(a.t_final > 0 && a.t_final < 1))
    throw InputError("--t-final must lie in (0, 1), got " + format_number(a.t_final));
  p.adaptive.t_final = a.t_final;
  p.adaptive.settle = !a.no_settle;
  p.method = p.solver == Solver::heun  ? Method::heun
             : p.solver == Solver::rk4 ? Method::rk4
                                       : Method::euler;
  if (given(a.eps_opt)) {
    try {
      p.eps = make_diffusion(a.eps);
    } catch (const std::invalid_argument& e) {
      throw InputError(std::string("--eps: ") + e.what());
    }
  }
  if (given(a.count_opt)) {
    const auto [end, ec] = std::from_chars(a.count.data(), a.count.data() + a.count.size(), p.count);
    if (ec != std::errc() || end != a.count.data() + a.count.size() || p.count < 1)
      throw InputError("--count must be an integer in [1, 2^63 - 1], got '" + a.count + "'");
  }
  if (a.threads < 0) throw InputError("--threads must be >= 0, got " + std::to_string(a.threads));
  p.threads = a.threads;
  if (!(a.max_work > 0))
    throw InputError("--max-work must be a number > 0, got " + format_number(a.max_work));
  p.seed = parse_seed("--seed", a.seed);
  return p;
}

struct Sample {
  Endpoint end;
  int start_k = -1;  // the centre the start was drawn around; -1 for --start rows
  bool coarse = false;  // a fixed-grid step jumped over the window where the basin is chosen
};

// An adaptive or lambda sample (the per-sample step control stays per sample).
Sample solve_one(const Plan& plan, const OracleField& oracle, const Field& field,
                 const std::optional<data::Dataset>& starts, long i) {
  const std::uint64_t sample_seed = derive_seed(plan.seed, static_cast<std::uint64_t>(i));
  Sample out;
  Vec z1;
  if (starts) {
    z1 = starts->rows.row(i).transpose();
  } else {
    Rng rng(sample_seed, kStartStream);
    Start start = draw_start(oracle, rng);
    z1 = std::move(start.z);
    out.start_k = start.k;
  }
  out.end = plan.solver == Solver::lambda ? solve_snr(oracle, z1, plan.adaptive)
                                          : solve_adaptive(field, z1, plan.adaptive);
  return out;
}

// body(0) ... body(count - 1) on up to `threads` threads; the first exception a call throws is
// rethrown here after the others stop. The process may not get every thread: the ones it got
// share the work all the same.
void parallel_for(long count, int threads, const std::function<void(long)>& body) {
  std::atomic<long> next{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto work = [&] {
    for (long i; (i = next++) < count;) {
      try {
        body(i);
      } catch (...) {
        const std::lock_guard lock(failure_mutex);
        if (!failure) failure = std::current_exception();
        next = count;
      }
    }
  };
  {
    std::vector<std::jthread> helpers;
    try {
      for (long t = 1; t < std::min<long>(threads, count); ++t) helpers.emplace_back(work);
    } catch (const std::system_error&) {
    }
    work();
  }
  if (failure) std::rethrow_exception(failure);
}

// Fixed-step and Euler-Maruyama samples move in groups of kSampleGroup through one batched field
// call per stage, the threads splitting each group (the rows do not depend on their number); the
// group bounds memory at a few d x kSampleGroup matrices.
constexpr long kSampleGroup = 1024;
// Columns read in one block by the watch (each holds a few n-vectors: 31 MB of logits per 64
// columns at n = 60000).
constexpr long kWatchBlock = 64;

std::vector<Sample> solve_batched(const Plan& plan, const OracleField& oracle, const Field& field,
                                  const std::optional<data::Dataset>& starts, long count) {
  std::vector<Sample> samples(static_cast<std::size_t>(count));
  const BasinGeometry geometry(oracle.points());
  for (long first = 0; first < count; first += kSampleGroup) {
    const long width = std::min(kSampleGroup, count - first);
    Mat z1(oracle.dim(), width);
    std::vector<BrownianPath> paths;
    std::vector<const BrownianPath*> noise;
    for (long j = 0; j < width; ++j) {
      const long i = first + j;
      const std::uint64_t sample_seed = derive_seed(plan.seed, static_cast<std::uint64_t>(i));
      if (starts) {
        z1.col(j) = starts->rows.row(i).transpose();
      } else {
        Rng rng(sample_seed, kStartStream);
        Start start = draw_start(oracle, rng);
        z1.col(j) = start.z;
        samples[static_cast<std::size_t>(i)].start_k = start.k;
      }
      if (plan.solver == Solver::em)
        paths.emplace_back(derive_seed(sample_seed, kNoiseStream), oracle.dim(), plan.fine_steps);
    }
    for (const BrownianPath& p : paths) noise.push_back(&p);
    // Watch each grid step against the scale on which the weights change.
    double t_prev = -1;
    Mat z_prev;
    // The columns still watched are read in one block per thread (BasinSnapshot::many: each pass
    // over the data streams through memory once per block, not once per column); every flag
    // depends on its column alone.
    const BatchObserver watch = [&](double t, const Mat& z) {
      if (t_prev > 0) {
        const Schedule& s = field.schedule();
        const double alpha = s.alpha(t_prev), sigma = s.sigma(t_prev);
        std::vector<long> watched;
        for (long j = 0; j < width; ++j)
          if (!samples[static_cast<std::size_t>(first + j)].coarse) watched.push_back(j);
        const long count = static_cast<long>(watched.size());
        const long parts = std::max<long>(std::min<long>(plan.threads, count), (count + kWatchBlock - 1) / kWatchBlock);
        parallel_for(parts, plan.threads, [&](long p) {
          const long from = p * count / parts, to = (p + 1) * count / parts;
          Mat columns(z_prev.rows(), to - from);
          for (long c = from; c < to; ++c) columns.col(c - from) = z_prev.col(watched[static_cast<std::size_t>(c)]);
          std::vector<BasinSnapshot> readings = BasinSnapshot::many(geometry, alpha, sigma, columns);
          for (long c = from; c < to; ++c)
            samples[static_cast<std::size_t>(first + watched[static_cast<std::size_t>(c)])].coarse =
                grid_step_too_coarse(readings[static_cast<std::size_t>(c - from)].read(), s, t_prev, t);
        });
      }
      t_prev = t;
      z_prev = z;
    };
    std::vector<Endpoint> ends =
        plan.solver == Solver::em
            ? solve_euler_maruyama_batch(field, z1, plan.eps, plan.steps, noise, watch)
            : solve_fixed_batch(field, z1, plan.method, plan.steps, watch);
    for (long j = 0; j < width; ++j)
      samples[static_cast<std::size_t>(first + j)].end = std::move(ends[static_cast<std::size_t>(j)]);
  }
  return samples;
}

// For each training point (column), whether another column is identical to it.
std::vector<char> repeated_rows(const Mat& points) {
  std::vector<Eigen::Index> order(static_cast<std::size_t>(points.cols()));
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  const auto less = [&](Eigen::Index a, Eigen::Index b) {
    const auto x = points.col(a), y = points.col(b);
    return std::lexicographical_compare(x.begin(), x.end(), y.begin(), y.end());
  };
  std::sort(order.begin(), order.end(), less);
  std::vector<char> out(order.size(), 0);
  for (std::size_t i = 1; i < order.size(); ++i)
    if (points.col(order[i - 1]) == points.col(order[i]))
      out[static_cast<std::size_t>(order[i - 1])] = out[static_cast<std::size_t>(order[i])] = 1;
  return out;
}

// Samples are independent, so any number of threads gives the same rows; a failure in a worker
// is rethrown here.
std::vector<Sample> solve_all(const Plan& plan, const OracleField& oracle, const Field& field,
                              const std::optional<data::Dataset>& starts, long count) {
  if (plan.solver != Solver::adaptive && plan.solver != Solver::lambda)
    return solve_batched(plan, oracle, field, starts, count);
  std::vector<Sample> samples(static_cast<std::size_t>(count));
  parallel_for(count, plan.threads, [&](long i) {
    samples[static_cast<std::size_t>(i)] = solve_one(plan, oracle, field, starts, i);
  });
  return samples;
}

// solve_snr starts at lambda = alpha(1)/sigma(1), which must lie below its ceiling.
void require_snr_start(const Schedule& schedule) {
  const double lambda1 = schedule.alpha(1.0) / schedule.sigma(1.0),
               ceiling = AdaptiveOptions{}.snr_lambda_max;
  if (!(lambda1 < ceiling))
    throw InputError("--schedule " + schedule.name() + ": alpha(1)/sigma(1) = " +
                     format_number(lambda1) + " is not below the ceiling " +
                     format_number(ceiling) +
                     " of --solver lambda (t = 1 is hardly noise); use --solver adaptive or a "
                     "schedule with more noise at t = 1");
}

// Field evaluations of one sample: the grid solvers' exact count, a typical count for the
// adaptive ones (README: hundreds to a thousand at --tol 1e-12; --max-steps bounds each sample).
double evaluations_per_sample(const Plan& plan) {
  switch (plan.solver) {
    case Solver::adaptive:
    case Solver::lambda: return std::min(1000.0, 6.0 * static_cast<double>(plan.adaptive.max_steps));
    case Solver::euler: return plan.steps;
    case Solver::heun: return 2.0 * plan.steps;
    case Solver::rk4: return 4.0 * plan.steps;
    case Solver::em: return 2.0 * plan.steps;
  }
  return 0;
}

void require_sample_affordable(const Plan& plan, const SampleArgs& args, long count, long n, long d) {
  double per_sample = evaluations_per_sample(plan) * evaluation_cost(n, d);
  if (plan.solver == Solver::em) per_sample += 16.0 * plan.fine_steps * static_cast<double>(d);
  const double work = static_cast<double>(count) * per_sample;
  // The samples, then their CSV text (~26 characters per number).
  const double bytes = static_cast<double>(count) * (sizeof(Sample) + 8.0 * d + 26.0 * (d + 7));
  std::string what = std::to_string(count) + " samples";
  if (plan.solver != Solver::adaptive && plan.solver != Solver::lambda)
    what += " x --steps " + std::to_string(plan.steps);
  if (plan.solver == Solver::em) what += " (Brownian grid " + std::to_string(plan.fine_steps) + ")";
  what += " on n = " + std::to_string(n) + ", d = " + std::to_string(d) + " with --solver " +
          args.solver;
  require_affordable(what, work, bytes, args.max_work);
}

// --diagnose: the model's diagnosis of --count samples, into a new or empty directory; checked
// before any work so that bad input writes nothing.
void require_new_directory(const SampleArgs& args, long count) {
  if (!args.model.given()) throw InputError("--diagnose needs --model (it diagnoses a model's samples)");
  if (given(args.start_opt))
    throw InputError("--diagnose draws its starts from rho_1 as --count does; it excludes --start");
  // Each of the four checks integrates every path again (and a case's starts are an int).
  if (count > 100000) throw InputError("--diagnose: at most 100000 samples, got --count " + std::to_string(count));
  std::error_code ec;
  const std::filesystem::path dir(args.diagnose);
  if (std::filesystem::exists(dir, ec) &&
      (!std::filesystem::is_directory(dir, ec) || !std::filesystem::is_empty(dir, ec)))
    throw InputError("--diagnose: " + args.diagnose + " exists and is not an empty directory");
}

std::string run_sample(const SampleArgs& args) {
  Plan plan = make_plan(args);
  const auto schedule = parse_schedule(args.schedule);
  if (plan.solver == Solver::lambda) require_snr_start(*schedule);
  require_one_stdin({{"--data", &args.data}, {"--start", &args.start}});
  const data::Dataset data = data::load_dataset(args.data, make_selection(args.selection, plan.seed));
  require_moderate(data);
  const OracleField oracle(data.rows, schedule);
  std::optional<data::Dataset> starts;
  if (given(args.start_opt)) {
    starts = data::load_dataset(args.start);
    require_dimension_of(*starts, data);
    require_moderate(*starts);
  }
  const long count = starts ? static_cast<long>(starts->rows.rows()) : plan.count;
  if (given(args.diagnose_opt)) require_new_directory(args, count);
  require_sample_affordable(plan, args, count, oracle.size(), oracle.dim());
  plan.threads = worker_threads("sample", plan.threads, count);
  std::vector<Sample> samples;
  if (args.model.given()) {
    // The model's b^ from the same starts and Brownian paths as the oracle's run.
    if (plan.solver == Solver::lambda)
      throw InputError("--solver lambda integrates the oracle's closed form in signal-to-noise "
                       "time; with --model use adaptive, euler, heun, rk4 or em");
    const auto model = load_model(args.model, oracle);
    // A float32 model's rounding is noise no step size resolves: the default tolerance follows it.
    Plan p = plan;
    if (!given(args.tol_opt))
      p.adaptive.abs_tol = p.adaptive.rel_tol = std::max(p.adaptive.abs_tol, 100 * model_unit_roundoff(*model));
    with_model_errors([&] { samples = solve_all(p, oracle, *model, starts, count); });
  } else {
    samples = solve_all(plan, oracle, OracleVelocity(oracle, plan.threads), starts, count);
  }

  if (given(args.diagnose_opt)) {
    // The training set as sample took it: --n's subset is drawn from --seed.
    VerifyModelArgs diagnosis{args.data, args.schedule, args.seed, args.selection, args.model};
    std::vector<Vec> ends;
    for (const Sample& sample : samples) ends.push_back(sample.end.z);
    write_sample_diagnosis(diagnosis, plan.seed, static_cast<int>(count), ends, args.solver, args.diagnose);
    std::fprintf(stderr, "siverify sample: diagnosis: %s\n",
                 (std::filesystem::path(args.diagnose) / "diagnosis.md").c_str());
  }
  std::vector<std::string> header = numbered("z", oracle.dim());
  header.insert(header.end(), {"nearest", "dist"});
  if (args.details)
    header.insert(header.end(), {"start_k", "ending", "steps", "evaluations", "t_end"});
  CsvWriter out(header);
  long unfinished = 0, undecidable = 0, coarse = 0, duplicated = 0;
  const std::vector<char> repeated = repeated_rows(oracle.points());
  for (const auto& [end, start_k, coarse_grid] : samples) {
    coarse += coarse_grid;
    out.numbers(end.z);
    // The row of --data in its file, whatever subset was taken; -1 and inf for a diverged path.
    out.integer(end.nearest >= 0 ? data.index[static_cast<std::size_t>(end.nearest)] : -1)
        .number(end.dist);
    if (args.details)
      out.integer(start_k)
          .text(to_string(end.ending))
          .integer(end.steps)
          .integer(end.evaluations)
          .number(end.t_end);
    out.end_row();
    unfinished += end.ending == Ending::step_limit || end.ending == Ending::non_finite;
    const bool on_copy = end.nearest >= 0 && repeated[static_cast<std::size_t>(end.nearest)];
    duplicated += end.ending == Ending::undecidable && on_copy;
    undecidable += end.ending == Ending::undecidable && !on_copy;
  }
  if (unfinished > 0)
    std::fprintf(stderr,
                 "siverify sample: warning: %ld of %ld samples ended by the step limit or "
                 "a non-finite state (see --details)\n",
                 unfinished, count);
  if (coarse > 0)
    std::fprintf(stderr,
                 "siverify sample: warning: %ld of %ld samples took a grid step coarser than the "
                 "scale on which their weights change while their training point was undecided: "
                 "a fixed grid cannot resolve that choice, so their landing law is unreliable "
                 "(more --steps, or --solver lambda)\n",
                 coarse, count);
  if (undecidable > 0)
    std::fprintf(stderr,
                 "siverify sample: warning: %ld of %ld samples are undecidable: double precision "
                 "or the tolerance cannot tell which training point they end at; each reports the "
                 "current leader (see README, Endings; --solver lambda resolves more)\n",
                 undecidable, count);
  if (duplicated > 0)
    std::fprintf(stderr,
                 "siverify sample: warning: %ld of %ld samples end at a point that --data holds "
                 "more than once: which of its identical rows they belong to is undecidable; each "
                 "reports the first\n",
                 duplicated, count);
  return out.str();
}

}  // namespace

void add_sample_command(CLI::App& app) {
  auto a = std::make_shared<SampleArgs>();
  auto* cmd = app.add_subcommand(
      "sample",
      "Generate samples with the oracle field (or --model), from t = 1 down to t = 0. One row per "
      "sample: endpoint z1..zd, nearest (0-based row of --data in its file), dist (Euclidean "
      "distance to it); "
      "--details adds start_k, ending, steps, evaluations, t_end");
  add_data_and_schedule_options(*cmd, a->data, a->schedule);
  cmd->add_option("--solver", a->solver,
                  "adaptive: Odeint ODE solver in t, finishing in closed form once the weights are "
                  "one-hot; lambda: the same in signal-to-noise time; euler | heun | rk4: fixed "
                  "steps (last step Euler); em: Euler-Maruyama for the reverse SDE")
      ->type_name("NAME")
      ->required();
  a->steps_opt =
      cmd->add_option("--steps", a->steps, "Steps on [0, 1] for euler, heun, rk4, em (default 100)")
          ->type_name("N");
  a->eps_opt = cmd->add_option("--eps", a->eps,
                               "Diffusion of em (required there): E or const:E (eps = E), "
                               "sigma2:E (eps = E sigma(t)^2); E >= 0")
                   ->type_name("SPEC");
  a->brownian_opt =
      cmd->add_option(
             "--brownian-steps", a->brownian_steps,
             "em: draw the Brownian path on this finer grid (a multiple of --steps) and sum its "
             "increments, so runs with different --steps share one path (default --steps)")
          ->type_name("F");
  a->tol_opt = cmd->add_option("--tol", a->tol,
                               "adaptive, lambda: absolute and relative tolerance (default 1e-12; with --model at "
                               "least 100 times the model's unit roundoff)")
                   ->type_name("TOL");
  a->stepper_opt = cmd->add_option("--stepper", a->stepper,
                                   "adaptive, lambda: dopri5 (default) | bs (Bulirsch-Stoer)")
                       ->type_name("NAME");
  a->max_steps_opt = cmd->add_option("--max-steps", a->max_steps,
                                     "adaptive, lambda: step limit per sample (default 100000)")
                         ->type_name("N");
  a->t_final_opt = cmd->add_option("--t-final", a->t_final,
                                   "adaptive: the time where integration in t stops if the path "
                                   "has not settled before (default 1e-12); an open basin "
                                   "continues in signal-to-noise time until it settles")
                       ->type_name("T");
  a->no_settle_opt = cmd->add_flag("--no-settle", a->no_settle,
                                   "adaptive, lambda: do not finish in closed form once the "
                                   "weights are one-hot; integrate down to --t-final (adaptive) or "
                                   "lambda = 1e20 (lambda)");
  a->start_opt = cmd->add_option("--start", a->start,
                                 "Starts Z_1, one per row: any data spec ('-': CSV on stdin), "
                                 "never subset; excludes --count")
                     ->type_name("SPEC")
                     ->check(kFileName);
  a->count_opt = cmd->add_option("--count", a->count,
                                 "Draw this many starts exactly from rho_1; excludes --start")
                     ->type_name("M");
  a->seed_opt = cmd->add_option("--seed", a->seed,
                                "Sample i uses seed derive_seed(K, i) for its start (with --count) "
                                "and its Brownian path (em), and the --n subset (default 0)")
                    ->type_name("K");
  add_selection_options(*cmd, a->selection);
  cmd->add_option("--threads", a->threads,
                  "Worker threads, 0 = all cores (default 1; at most the cores); the output does "
                  "not depend on it")
      ->type_name("N");
  cmd->add_option("--max-work", a->max_work,
                  "Refuse requests estimated above this many field-term operations (default "
                  "5e9, about 15 s of one core; README, \"Limits\")")
      ->type_name("OPS");
  cmd->add_flag("--details", a->details,
                "Add the columns start_k, ending, steps, evaluations, t_end");
  add_model_options(*cmd, a->model);
  a->diagnose_opt = cmd->add_option("--diagnose", a->diagnose,
                                    "With --model: also run verify --model's checks on these "
                                    "samples' starts (one case each, seed --seed, --count paths) "
                                    "and write DIR/diagnosis.md: does the model memorize, and does "
                                    "the theory's criterion say so?")
                        ->type_name("DIR");
  cmd->callback([a] { write_stdout(run_sample(*a)); });
}

}  // namespace siv::app
