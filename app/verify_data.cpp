#include "app/verify_data.hpp"

#include <algorithm>
#include <charconv>
#include <sstream>

#include <filesystem>
#include <iostream>

#include "app/csv.hpp"
#include "data/dataset.hpp"
#include "properties/data_study.hpp"
#include "reports/data_report.hpp"
#include "reports/figures.hpp"

namespace siv::app {
namespace {

constexpr int kDataStarts = 8;

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> parts;
  std::stringstream ss(text);
  for (std::string part; std::getline(ss, part, ',');)
    if (!part.empty()) parts.push_back(part);
  return parts;
}

}  // namespace

void add_verify_data_options(CLI::App& verify, VerifyDataOptions& o) {
  verify.add_option("--data", o.data,
                    "Run every claim on seeded subsets of this data set instead of generated sets: "
                    "a CSV, NPY or IDX file (.gz too) or fashion-mnist[:train|test]")
      ->type_name("SPEC");
  o.sizes_opt = verify.add_option("--n", o.sizes, "With --data: subset sizes, e.g. 10,100,1000 (default 100)")
      ->type_name("N,...");
  o.label_opt = verify.add_option("--class", o.label, "With --data: only points of this label")->type_name("K");
  verify.add_option("--scale", o.scale, "With --data: auto | unit | symmetric | none (as for field)")
      ->type_name("S");
  verify.add_option("--study-n", o.study_sizes,
                    "With --data: subset sizes of the data study alone (margins, memorization "
                    "against n and h), e.g. 10,100,1000,10000 (default: those of --n)")
      ->type_name("N,...");
  verify.add_option("--schedules", o.schedules,
                    "Only groups of these schedules, e.g. linear,bridge:2 (default all)")
      ->type_name("S,...");
}

std::vector<std::string> apply_verify_data(const VerifyDataOptions& o, RunOptions& run) {
  const auto known = schedule_catalogue();
  for (const auto& s : split(o.schedules)) {
    if (std::find(known.begin(), known.end(), s) == known.end()) {
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
      throw InputError("--schedules: '" + s + "' is not a schedule of the claim groups (known: " + list + ")");
    }
    run.schedules.push_back(s);
  }
  if (o.data.empty()) {
    if (o.label >= 0 || o.scale != "auto" || o.sizes != "100" || !o.study_sizes.empty())
      throw InputError("--n, --study-n, --class and --scale of verify apply only with --data");
    return {};
  }
  if (o.label < -1) throw InputError("--class must be >= 0, got " + std::to_string(o.label));
  const auto source = data::open_source(o.data);
  data::Selection one;  // checks --class and --scale before the run
  one.n = 1;
  one.label = o.label;
  one.scale = data::parse_scale(o.scale);
  data::take(source, one);
  // Each case draws its own subset of these; distinct candidates make every subset distinct.
  data::require_distinct(*source, o.label);
  long candidates = source->table.rows;
  if (o.label >= 0) candidates = std::count(source->labels.begin(), source->labels.end(), o.label);
  auto sizes = [&](const std::string& option, const std::string& list) {
    std::vector<int> out;
    for (const auto& text : split(list)) {
      int n = 0;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
      if (ec != std::errc() || end != text.data() + text.size() || n < 2)
        throw InputError(option + ": subset sizes must be integers >= 2, got '" + text + "'");
      if (n > candidates)
        throw InputError(option + " " + text + ": '" + o.data + "' has only " +
                         std::to_string(candidates) + " points" +
                         (o.label >= 0 ? " of class " + std::to_string(o.label) : std::string()));
      out.push_back(n);
    }
    if (out.empty()) throw InputError(option + ": give at least one subset size");
    return out;
  };
  DataSets sets{o.data, o.label, o.scale, sizes("--n", o.sizes), {}};
  if (!o.study_sizes.empty()) sets.study_sizes = sizes("--study-n", o.study_sizes);
  run.profile.data = sets;
  run.profile.paper_case = false;  // the papers' n = 5, d = 2 is not a subset of the data
  // Real data sets are large (d = 784 for images): a few starts per case, and by default the two
  // schedules every claim has groups for. The report lists these reductions.
  std::vector<std::string> reductions{
      "the papers' case (n = 5, d = 2) is not run: it is not a subset of the data"};
  if (run.profile.starts > kDataStarts)
    reductions.push_back("starts per case: " + std::to_string(kDataStarts) + " instead of the " +
                         run.profile.name + " profile's " + std::to_string(run.profile.starts) +
                         " (each start is a path in d = " + std::to_string(source->table.cols()) +
                         "; checks that scale their starts, such as the landing laws with 8 n, scale these)");
  run.profile.starts = std::min(run.profile.starts, kDataStarts);
  if (run.schedules.empty()) {
    run.schedules = {"linear", "bridge:2"};
    reductions.push_back("schedules: linear and bridge:2, the two every claim has groups for "
                         "(--schedules widens it); groups of no single schedule run as always");
  }
  return reductions;
}

std::vector<std::string> fit_checks_to_data(std::vector<const Check*>& checks, const Profile& profile,
                                            std::vector<std::string>& reductions) {
  std::vector<const Check*> kept;
  std::string left_out;
  std::vector<std::string> notes;
  for (const Check* check : checks) {
    const std::string why = check->not_on_data();
    if (why.empty()) {
      kept.push_back(check);
      const std::string reduced = check->data_reduction(profile);
      if (!reduced.empty() && std::find(reductions.begin(), reductions.end(), reduced) == reductions.end())
        reductions.push_back(reduced);
      continue;
    }
    left_out += (left_out.empty() ? "" : ", ") + check->id();
    notes.push_back(check->id() + " is not run: " + why);
  }
  if (kept.empty())
    throw InputError("--claims: none of " + left_out +
                     " runs on a data set (their settings are constructed; see siverify list)");
  reductions.insert(reductions.end(), notes.begin(), notes.end());
  checks = std::move(kept);
  return notes;
}

void study_verify_data(const RunOptions& run, const std::string& out,
                       const std::vector<std::string>& reductions) {
  StudyOptions options;
  options.data = run.profile.data;
  if (!options.data.study_sizes.empty()) options.data.sizes = options.data.study_sizes;
  options.schedules = run.schedules;
  options.seed = run.seed;
  const DataStudy study = study_data(options);
  for (const auto& nb : study.neighbours)
    std::cout << "data n=" << nb.n << ": nearest-neighbour distance min " << format_number(nb.min)
              << ", median " << format_number(nb.median) << "; " << nb.selection << "\n";
  for (const auto& r : study.memorization)
    if (r.steps == 0 || r.steps == options.image_steps)
      std::cout << "memorization " << r.schedule << " " << r.sampler << " n=" << r.n << " N="
                << (r.steps ? std::to_string(r.steps) : std::string("adaptive")) << ": gap "
                << r.gap_rate << ", NN1/NN2 " << r.ratio_rate << "\n";
  if (out.empty()) return;
  const auto source = data::open_source(run.profile.data.source);
  for (const auto& w : write_data_report(out, study, run.profile.data.source, reductions,
                                         source->height, source->width, find_gnuplot()))
    std::cerr << "warning: " << w << "\n";
  std::cout << "data report: " << (std::filesystem::path(out) / "data.md").string() << "\n";
}

}  // namespace siv::app
