#include "app/verify_model.hpp"

#include <cmath>
#include <map>
#include <sstream>
#include <utility>

#include "app/csv.hpp"
#include "data/dataset.hpp"
#include "properties/model/memorization.hpp"
#include "properties/model/model_checks.hpp"
#include "properties/model/torch_loader.hpp"
#include "reports/atomic_file.hpp"
#include "reports/records.hpp"
#include "reports/sample_grid.hpp"

namespace siv::app {

void add_verify_model_options(CLI::App& verify, VerifyModelArgs& args) {
  add_model_options(verify, args.model);
  verify.add_option("--schedule", args.schedule, "With --model: the schedule it was trained on "
                                                 "(siverify's convention; default linear)")
      ->type_name("SPEC");
  verify.add_option("--data-seed", args.data_seed, "With --model and --n: seed of the subset "
                                                   "(default 0, as field and sample)")
      ->type_name("K");
}

namespace {

data::Dataset training_set(const VerifyModelArgs& args) {
  if (args.data.empty()) throw InputError("--model needs --data, the set the model was trained on");
  return data::load_dataset(args.data, make_selection(args.selection, parse_seed("--data-seed", args.data_seed)));
}

ModelTarget model_target(const VerifyModelArgs& args, const data::Dataset& data) {
  return ModelTarget{args.data, data.rows, parse_schedule(args.schedule)->name(),
                     ModelSpec{args.model.file, parse_model_output(args.model.output),
                               parse_model_time(args.model.time), {}}};
}

// Height and width of the training images: the data's own (IDX), else a square d >= 64 read as
// sqrt(d) x sqrt(d) (a flattened image file, as the example export writes); 0 x 0 otherwise.
std::pair<int, int> image_shape(const data::Dataset& data) {
  if (data.source->height > 0) return {data.source->height, data.source->width};
  const auto d = static_cast<int>(data.rows.cols());
  const int side = static_cast<int>(std::lround(std::sqrt(d)));
  return d >= 64 && side * side == d ? std::pair{side, side} : std::pair{0, 0};
}

}  // namespace

std::vector<std::unique_ptr<Check>> model_verify_checks(const VerifyModelArgs& args) {
  const data::Dataset data = training_set(args);
  const OracleField oracle(data.rows, parse_schedule(args.schedule));
  load_model(args.model, oracle);  // probe now: a broken model is refused before anything is written
  return model_checks(model_target(args, data));
}

std::string write_model_samples(const RunResult& result, const VerifyModelArgs& args,
                                const std::filesystem::path& out) {
  const data::Dataset data = training_set(args);
  const auto [height, width] = image_shape(data);
  if (height == 0) return "";
  const CaseRecord* shown = nullptr;
  for (const auto& r : result.records)
    if (r.c.check == "C6.model" && r.c.variant.empty() && !shown) shown = &r;
  if (!shown) return "";
  constexpr int kShown = 8;
  const SampleImages images = model_case_samples(model_target(args, data), shown->c, kShown);
  if (images.samples.empty()) return "";
  std::filesystem::create_directories(out / "figures");
  write_file_atomically(out / "figures" / "model_samples.png", sample_grid_png({images}, height, width));
  return "\n## Generated samples beside their nearest training images\n\n"
         "The first " + std::to_string(images.samples.size()) + " samples of the C6.model case `" +
         to_token(shown->c) + "` (the model's ODE paths, " + std::to_string(height) + " x " +
         std::to_string(width) + " images): samples above, their nearest training images below.\n\n"
         "![samples](figures/model_samples.png)\n";
}

std::vector<std::unique_ptr<Check>> torch_checks(const std::string& claims, const std::string& profile) {
  std::vector<std::unique_ptr<Check>> out;
  const bool asked = claims.find("C6.network") != std::string::npos ||
                     (profile == "deep" && (claims.empty() || claims.find("C6") != std::string::npos));
  if (asked) {
    if (!find_torch()) require_torch("--claims C6.network");  // says why not
    out.push_back(network_ladder_check());
  }
  return out;
}

std::string model_diagnosis(const RunResult& result, const VerifyModelArgs& args) {
  for (const auto& r : result.records)
    if (r.obs.failure.find("model '") != std::string::npos)
      throw InputError("--model: " + r.obs.failure);
  // Means over the cases of each detail of the diagnosis check.
  std::map<std::string, double> mean;
  std::map<std::string, int> count;
  for (const auto& r : result.records) {
    if (r.c.check != "C6.model" && r.c.check != "C4.model.loss") continue;
    for (const auto& [k, v] : r.obs.details) {
      mean[r.c.check + "." + k] += v;
      ++count[r.c.check + "." + k];
    }
  }
  for (auto& [k, v] : mean) v /= count[k];
  const auto get = [&](const std::string& k) { return mean.count(k) ? format_number(mean[k]) : "n/a"; };
  std::ostringstream os;
  os << "# Diagnosis of " << args.model.file << "\n\n"
     << "Model output `" << args.model.output << "`, time `" << args.model.time << "`, training set `"
     << args.data << "`, schedule `" << args.schedule << "`.\n\n"
     << "| quantity | value |\n| --- | --- |\n"
     << "| accumulated error A (mean over paths) | " << get("C6.model.mean_A") << " |\n"
     << "| largest A | " << get("C6.model.max_A") << " |\n"
     << "| excess training loss int_0.01^1 E|b^ - b*|^2 (exact b*, Monte Carlo) | "
     << get("C6.model.excess_loss") << " |\n"
     << "| log concentrability along paths (t >= 0.05) | " << get("C4.model.loss.log_concentrability") << " |\n"
     << "| memorized: dist < gap/20 | " << get("C6.model.memorized_gap") << " |\n"
     << "| memorized: NN1/NN2 < 1/3 | " << get("C6.model.memorized_nn_ratio") << " |\n"
     << "| certified to memorize (overfitting: A + allowance < gap/20) | " << get("C6.model.certified_overfit") << " |\n"
     << "| certified not to memorize (underfitting: A/2 - allowance >= gap/20, ratio >= 1/2) | "
     << get("C6.model.certified_underfit") << " |\n"
     << "| precision floor 10 u max|y| | " << get("C6.model.precision_floor") << " |\n\n";
  const double over = mean.count("C6.model.certified_overfit") ? mean["C6.model.certified_overfit"] : 0;
  const double under = mean.count("C6.model.certified_underfit") ? mean["C6.model.certified_underfit"] : 0;
  os << "Verdict: " << (over >= 0.5 ? "overfits (memorizes): the accumulated error vanishes along most paths"
                        : under >= 0.5 ? "underfits: the accumulated error provably keeps most samples off the training set"
                                       : "neither definition decides most samples (between the regimes)")
     << ".\n";
  return os.str();
}

void write_sample_diagnosis(const VerifyModelArgs& args, std::uint64_t seed, int count,
                            const std::vector<Vec>& samples, const std::string& solver,
                            const std::filesystem::path& dir) {
  const data::Dataset data = training_set(args);
  const ModelTarget target = model_target(args, data);
  const auto checks = model_checks(target);
  Profile profile = make_profile("quick");
  profile.cases = 1;
  profile.starts = count;
  constexpr double kAlpha = 1e-3;
  RunResult result;
  for (const auto& check : checks) {
    const std::string group = check->groups(profile).front();
    Case c = check->generator(group, profile)(rc::Random(seed), rc::kNominalSize).value();
    c.check = check->id();
    c.group = group;
    c.seed = seed;  // the starts of the samples printed
    c.level = case_level(*check, profile, kAlpha);
    result.records.push_back(replay_case(*check, c, c.level));
  }
  std::string text = model_diagnosis(result, args);  // an InputError when the model failed
  const OracleField oracle(data.rows, parse_schedule(args.schedule));
  const std::vector<double> gaps = nearest_gaps(oracle.points());
  long memorized = 0, nn_memorized = 0;
  for (const Vec& z : samples) {
    const Landing at = landing(oracle.points(), gaps, z);
    memorized += at.memorized;
    nn_memorized += at.nn_memorized;
  }
  const double m = samples.empty() ? 1.0 : static_cast<double>(samples.size());
  text += "\n## The samples printed (--solver " + solver + ", --seed " + std::to_string(seed) + ")\n\n"
          "| quantity | value |\n| --- | --- |\n"
          "| samples | " + std::to_string(samples.size()) + " |\n"
          "| memorized: dist < gap/20 | " + format_number(memorized / m) + " |\n"
          "| memorized: NN1/NN2 < 1/3 | " + format_number(nn_memorized / m) + " |\n"
          "\nThe accumulated error A is measured along the model's ODE paths from the same starts "
          "(adaptive, as C4 defines it); with --solver adaptive they end where the samples printed "
          "do, up to the two runs' tolerances.\n"
          "\n## Cases (alpha = 1e-3)\n\n| check | outcome | replay token |\n| --- | --- | --- |\n";
  std::string lines;
  for (const auto& r : result.records) {
    text += "| " + r.c.check + " | " + to_string(r.outcome) + " | `" + to_token(r.c) + "` |\n";
    lines += case_json(r, "sample-diagnosis").dump() + "\n";
  }
  std::string selection;
  if (args.selection.n_opt && args.selection.n_opt->count() > 0)
    selection += " --n " + std::to_string(args.selection.n) + " --data-seed " + args.data_seed;
  if (args.selection.label >= 0) selection += " --class " + std::to_string(args.selection.label);
  if (args.selection.scale != "auto") selection += " --scale " + args.selection.scale;
  text += "\nReplay one: `siverify verify --model " + args.model.file + " --model-output " +
          args.model.output + " --model-time " + args.model.time + " --data " + args.data +
          selection + " --schedule " + args.schedule + " --replay TOKEN`.\n";
  std::filesystem::create_directories(dir);
  text += write_model_samples(result, args, dir);
  write_file_atomically(dir / "cases.jsonl", lines);
  write_file_atomically(dir / "diagnosis.md", text);
}

}  // namespace siv::app
