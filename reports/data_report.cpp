#include "reports/data_report.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "reports/atomic_file.hpp"
#include "reports/figures.hpp"
#include "reports/records.hpp"
#include "reports/sample_grid.hpp"
#include "reports/summary.hpp"

namespace siv {
namespace {

std::string step_label(int steps) { return steps ? std::to_string(steps) : std::string("adaptive"); }

// The ratio criterion's rate against x, one series per key (rows with an empty key left out).
template <class Key, class X>
Plot ratio_rate_plot(const DataStudy& s, const std::string& stem, const std::string& x,
                     const std::string& caption, Key key_of, X x_of) {
  Plot p;
  p.stem = stem;
  p.claim = "C6";
  p.check = "data";
  p.title = "memorization rate (ratio criterion) against " + x;
  p.caption = "Fraction of samples with NN1/NN2 < " + format_number(s.ratio) + " against " + caption;
  p.xlabel = x;
  p.ylabel = "memorization rate";
  std::map<std::string, Series> by;
  for (const auto& r : s.memorization) {
    const std::string key = key_of(r);
    if (key.empty()) continue;
    auto& series = by[key];
    series.label = key;
    series.style = Series::Style::linespoints;
    if (series.segments.empty()) series.segments.emplace_back();
    series.segments[0].emplace_back(x_of(r), r.ratio_rate);
  }
  for (auto& [key, series] : by) p.series.push_back(series);
  return p;
}

Plot memorization_plot(const DataStudy& s) {
  return ratio_rate_plot(
      s, "data_memorization", "h", "the step size h, per sampler, schedule and training-set size n.",
      [](const MemorizationRow& r) {
        return r.steps == 0 ? std::string() : r.sampler + " " + r.schedule + " n=" + std::to_string(r.n);
      },
      [](const MemorizationRow& r) { return 1.0 / r.steps; });
}

// The sample-size study: the ratio criterion's rate against n, per sampler and schedule, at the
// image grid's step count (Euler, EM) and for the adaptive solver.
Plot memorization_by_n_plot(const DataStudy& s) {
  Plot p = ratio_rate_plot(
      s, "data_memorization_n", "n",
      "the training-set size n, per sampler and schedule (Euler and Euler-Maruyama at N = " +
          std::to_string(s.image_steps) + ").",
      [&](const MemorizationRow& r) {
        return r.steps != 0 && r.steps != s.image_steps ? std::string() : r.sampler + " " + r.schedule;
      },
      [](const MemorizationRow& r) { return double(r.n); });
  p.logx = true;
  double lo = std::numeric_limits<double>::infinity(), hi = 0;
  for (const auto& nb : s.neighbours) {
    lo = std::min(lo, double(nb.n));
    hi = std::max(hi, double(nb.n));
  }
  p.xticks = log_ticks(lo, hi);
  return p;
}

}  // namespace

std::vector<std::string> write_data_report(const std::filesystem::path& dir, const DataStudy& s,
                                           const std::string& source,
                                           const std::vector<std::string>& reductions, int height,
                                           int width, const std::string& gnuplot) {
  std::ostringstream md;
  nlohmann::json j;
  md << "# Data set `" << source << "`\n\n"
     << "Every claim ran on seeded subsets of this data set (each case draws its own subset; its "
        "replay token names the data, the size n and the subset seed `set=`). The study below uses "
        "one further subset per size.\n\n## Subsets of the study\n\n";
  for (const auto& nb : s.neighbours) md << "- `" << nb.selection << "`\n";
  md << "\n## Nearest-neighbour distances\n\n| n | min | median | max |\n|---|---|---|---|\n";
  j["source"] = source;
  for (const auto& nb : s.neighbours) {
    md << "| " << nb.n << " | " << format_number(nb.min, 4) << " | " << format_number(nb.median, 4)
       << " | " << format_number(nb.max, 4) << " |\n";
    j["neighbours"].push_back({{"n", nb.n}, {"selection", nb.selection}, {"min", json_number(nb.min)},
                               {"median", json_number(nb.median)}, {"max", json_number(nb.max)}});
  }
  md << "\n## C2's margin assumption at t = h\n\nDraws Z_h ~ rho_h; the assumption is u >= "
        "log((n-1)/sqrt(h)) (theory/bounds.hpp, required_margin).\n\n"
        "| schedule | n | N = 1/h | required u | median u | fraction met |\n|---|---|---|---|---|---|\n";
  for (const auto& m : s.margins) {
    md << "| " << m.schedule << " | " << m.n << " | " << m.steps << " | " << format_number(m.required)
       << " | " << format_number(m.median_margin) << " | " << format_number(m.fraction_met) << " |\n";
    j["margins"].push_back({{"schedule", m.schedule}, {"n", m.n}, {"steps", m.steps},
                            {"required", json_number(m.required)},
                            {"median_margin", json_number(m.median_margin)},
                            {"fraction_met", json_number(m.fraction_met)}});
  }
  md << "\n## Memorization against n and h\n\nA sample z with nearest training point y_k at "
        "distance d1 (second nearest d2) is memorized by the **gap criterion** when d1 < "
     << format_number(s.gap_fraction) << " x (distance from y_k to its nearest other training point), "
     << "and by the **ratio criterion** when d1/d2 < " << format_number(s.ratio)
     << ". EM uses eps = sigma^2; adaptive is dopri5 at 1e-12.\n\n"
        "| schedule | sampler | n | N = 1/h | samples | gap rate | ratio rate | median d1 | median d1/d2 |\n"
        "|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& r : s.memorization) {
    md << "| " << r.schedule << " | " << r.sampler << " | " << r.n << " | " << step_label(r.steps)
       << " | " << r.samples << " | " << format_number(r.gap_rate) << " | "
       << format_number(r.ratio_rate) << " | " << format_number(r.median_d1) << " | "
       << format_number(r.median_ratio) << " |\n";
    j["memorization"].push_back({{"schedule", r.schedule}, {"sampler", r.sampler}, {"n", r.n},
                                 {"steps", r.steps}, {"samples", r.samples},
                                 {"gap_rate", json_number(r.gap_rate)},
                                 {"ratio_rate", json_number(r.ratio_rate)},
                                 {"median_d1", json_number(r.median_d1)},
                                 {"median_ratio", json_number(r.median_ratio)}});
  }
  std::vector<Plot> plots{memorization_plot(s)};
  if (s.neighbours.size() > 1) plots.push_back(memorization_by_n_plot(s));
  std::vector<std::string> warnings = write_figures(plots, dir / "figures", gnuplot,
                                                    build_provenance_lines("") + "data " + source + "\n");
  for (const auto& plot : plots)
    md << "\n![" << plot.caption << "](figures/" << plot.stem << ".png)\n\n" << plot.caption << "\n";
  if (!s.images.empty() && height > 0) {
    write_file_atomically(dir / "figures" / "data_samples.png", sample_grid_png(s.images, height, width));
    md << "\n## Generated samples beside their nearest training images\n\n"
       << "Schedule " << s.image_schedule << ", n = " << s.neighbours.front().n
       << "; row pairs: Euler (N = " << s.image_steps << "), Euler-Maruyama (N = " << s.image_steps
       << ", eps = sigma^2), adaptive; in each pair the samples above, their nearest training "
          "images below.\n\n![samples](figures/data_samples.png)\n";
    j["samples_png"] = "figures/data_samples.png";
  }
  md << "\n## Reduced or skipped on this data set\n\n";
  for (const auto& r : reductions) md << "- " << r << "\n";
  j["reductions"] = reductions;
  write_file_atomically(dir / "data.json", j.dump(2) + "\n");
  write_file_atomically(dir / "data.md", md.str());
  return warnings;
}

}  // namespace siv
