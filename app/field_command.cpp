#include <cfloat>
#include <cmath>
#include <memory>

#include "app/commands.hpp"
#include "app/csv.hpp"
#include "app/inputs.hpp"
#include "app/model_options.hpp"
#include "app/limits.hpp"
#include "theory/oracle.hpp"

namespace siv::app {
namespace {

struct FieldArgs {
  std::string data, schedule, points;
  double t = 0;
  SelectionOptions selection;
  std::string seed = "0";  // parsed by parse_seed
  CLI::Option* seed_opt = nullptr;
  ModelArgs model;
  double max_work = kDefaultMaxWork;
};

// The first point whose velocity, score or mean is not finite. With moderate coordinates
// (require_moderate) this is an overflow of b or s ~ (x - alpha m) / sigma^2 at small sigma.
void require_finite_field(const FieldBatch& batch, const data::Dataset& points, double t) {
  for (Eigen::Index i = 0; i < points.rows.rows(); ++i) {
    if (batch.b.row(i).allFinite() && batch.s.row(i).allFinite() && batch.m.row(i).allFinite() &&
        std::isfinite(batch.wmax[i]))
      continue;
    throw InputError(points.where(i) + ": the field at --t " + format_number(t) +
                     " exceeds the double range here (the score grows like |x - alpha m| / "
                     "sigma(t)^2); give a larger --t or a point nearer the training set");
  }
}

// The field has sigma^2 in a denominator: t = 0 (sigma = 0) is its singularity, and so is any t
// where sigma^2 underflows, since 1 / sigma^2 would be infinite.
void check_time(double t, const Schedule& schedule) {
  if (t == 0)
    throw InputError(
        "--t 0: the field is singular at t = 0 (sigma = 0, data end); give t in (0, 1]");
  if (!(t > 0 && t <= 1)) throw InputError("--t must lie in (0, 1], got " + format_number(t));
  const double sigma = schedule.sigma(t);
  if (!(sigma * sigma >= DBL_MIN))
    throw InputError("--t " + format_number(t) + ": sigma(t)^2 = " + format_number(sigma * sigma) +
                     " underflows double precision, where the field is singular; give a larger t");
}

// b^, b* and e = b^ - b* side by side, and |e|.
std::string model_field(const FieldArgs& args, const OracleField& oracle,
                        const data::Dataset& points) {
  const auto model = load_model(args.model, oracle);
  const int d = oracle.dim();
  std::vector<std::string> header = numbered("bhat", d);
  for (const char* prefix : {"bstar", "e"})
    for (auto& name : numbered(prefix, d)) header.push_back(std::move(name));
  header.push_back("enorm");
  CsvWriter out(header);
  Vec bhat(d), bstar(d);
  with_model_errors([&] {
    for (Eigen::Index i = 0; i < points.rows.rows(); ++i) {
      const Vec x = points.rows.row(i).transpose();
      model->velocity(args.t, x, bhat);
      oracle.velocity(args.t, x, bstar);
      out.numbers(bhat).numbers(bstar).numbers(bhat - bstar).number((bhat - bstar).norm());
      out.end_row();
    }
  });
  return out.str();
}

std::string run_field(const FieldArgs& args) {
  const auto schedule = parse_schedule(args.schedule);
  check_time(args.t, *schedule);
  require_one_stdin({{"--data", &args.data}, {"--points", &args.points}});
  if (!(args.max_work > 0))
    throw InputError("--max-work must be a number > 0, got " + format_number(args.max_work));
  if (args.seed_opt->count() > 0 && args.selection.n_opt->count() == 0)
    throw InputError("--seed applies only with --n (it draws the subset)");
  const auto selection = make_selection(args.selection, parse_seed("--seed", args.seed));
  const data::Dataset data = data::load_dataset(args.data, selection);
  const data::Dataset points = data::load_dataset(args.points);
  require_moderate(data);
  const OracleField oracle(data.rows, schedule);
  require_dimension_of(points, data);
  require_moderate(points);
  const long rows = static_cast<long>(points.rows.rows()), d = oracle.dim();
  require_affordable(std::to_string(rows) + " points on n = " + std::to_string(oracle.size()) +
                         ", d = " + std::to_string(d),
                     static_cast<double>(rows) * evaluation_cost(oracle.size(), d),
                     static_cast<double>(rows) * (3.0 * d + 2) * (8 + 26), args.max_work);
  if (args.model.given()) return model_field(args, oracle, points);

  FieldBatch batch;
  oracle.evaluate_batch(args.t, points.rows, batch);
  require_finite_field(batch, points, args.t);
  std::vector<std::string> header = numbered("b", oracle.dim());
  for (const char* prefix : {"s", "m"})
    for (auto& name : numbered(prefix, oracle.dim())) header.push_back(std::move(name));
  header.insert(header.end(), {"wmax", "margin"});
  CsvWriter out(header);
  for (Eigen::Index i = 0; i < points.rows.rows(); ++i) {
    out.numbers(batch.b.row(i).transpose())
        .numbers(batch.s.row(i).transpose())
        .numbers(batch.m.row(i).transpose())
        .number(batch.wmax[i])
        .number(batch.margin[i]);
    out.end_row();
  }
  return out.str();
}

}  // namespace

void add_field_command(CLI::App& app) {
  auto args = std::make_shared<FieldArgs>();
  auto* cmd = app.add_subcommand(
      "field",
      "Evaluate the closed-form oracle field at time t on a batch of points. One row per point: "
      "velocity b1..bd, score s1..sd, posterior mean m1..md, largest weight wmax, margin u "
      "(inf when n = 1). With --model: the model's b^ (bhat1..bhatd), the oracle's b* "
      "(bstar1..bstard), e = b^ - b* (e1..ed) and |e| (enorm)");
  add_data_and_schedule_options(*cmd, args->data, args->schedule);
  cmd->add_option("--t", args->t, "Time in (0, 1]; t = 0 is the singular data end")
      ->type_name("T")
      ->required();
  cmd->add_option("--points", args->points,
                  "Points, same dimension as --data: any data spec ('-': CSV on stdin), "
                  "scaled as --scale auto, never subset")
      ->type_name("SPEC")
      ->required()
      ->check(kFileName);
  add_selection_options(*cmd, args->selection);
  args->seed_opt = cmd->add_option("--seed", args->seed, "Seed of the --n subset (default 0)")
                       ->type_name("K");
  add_model_options(*cmd, args->model);
  cmd->add_option("--max-work", args->max_work,
                  "Refuse requests estimated above this many field-term operations (default "
                  "5e9, about 15 s of one core; README, \"Limits\")")
      ->type_name("OPS");
  cmd->callback([args] { write_stdout(run_field(*args)); });
}

}  // namespace siv::app
