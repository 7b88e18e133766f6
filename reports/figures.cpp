#include "reports/figures.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <sstream>

#include "reports/atomic_file.hpp"
#include "reports/latex.hpp"
#include "reports/summary.hpp"

namespace siv {
namespace {

// Distances (log axis); term.sum_error is a ratio to its allowance and gets its own figure.
const std::vector<std::string> kTermKeys = {"term.disc", "term.est", "term.noise"};

std::string coordinate(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.6g", v);
  return buffer;
}

std::string base_stem(const GroupResult& g) {
  return slug(g.check) + "_" + slug(g.group) + (g.mutant ? "_mutant-" + slug(g.variant) : "");
}

std::map<std::string, double> details_of(const CaseRecord& r) {
  return {r.obs.details.begin(), r.obs.details.end()};
}

// The numeric cells x and y of every row of `table` that has both, in row order.
std::vector<std::pair<double, double>> row_points(const CaseRecord& r, const std::string& table,
                                                  const std::string& x, const std::string& y) {
  std::vector<std::pair<double, double>> points;
  for (const auto& row : r.obs.rows) {
    if (row.table != table) continue;
    std::optional<double> vx, vy;
    for (const auto& [key, cell] : row.cells)
      if (const auto* v = std::get_if<double>(&cell)) {
        if (key == x) vx = *v;
        if (key == y) vy = *v;
      }
    if (vx && vy) points.push_back({*vx, *vy});
  }
  return points;
}

// A tick at each integer position (training point, case number) when there are few.
std::vector<Tick> integer_ticks(const std::vector<std::pair<double, double>>& points) {
  std::vector<Tick> ticks;
  if (points.size() > 20) return ticks;
  for (const auto& [x, y] : points) {
    const std::string text = format_number(x, 6);
    ticks.push_back({x, text, text});
  }
  return ticks;
}

// The header every figure of a group shares: file stem, title, claim and check, axis labels.
Plot group_plot(const GroupResult& g, const std::string& kind, std::string xlabel,
                std::string ylabel) {
  Plot plot;
  plot.stem = base_stem(g) + "_" + kind;
  plot.title = g.check + " " + group_label(g);
  plot.claim = g.claim;
  plot.check = g.check;
  plot.xlabel = std::move(xlabel);
  plot.ylabel = std::move(ylabel);
  return plot;
}

// The ladder points of a record as (h, error), sorted by h.
std::vector<std::pair<double, double>> ladder_points(const CaseRecord& r) {
  std::vector<std::pair<double, double>> points;
  for (const auto& [steps, error] : row_points(r, "ladder", "steps", "error"))
    if (steps > 0 && std::isfinite(error) && error > 0) points.push_back({1.0 / steps, error});
  std::sort(points.begin(), points.end());
  return points;
}

std::optional<Plot> rate_plot(const GroupResult& g, const RunResult& run) {
  Series cases{"cases", "", Series::Style::points, {}};
  Series fits{"fitted slope per case", "", Series::Style::line, {}};
  std::vector<double> hs, errors;
  double bound_slope = std::nan(""), bound_constant = std::nan("");
  bool fitted_constant = true;  // every case recorded the bound's constant
  std::string bound_owner;
  std::vector<double> slopes;
  for (std::size_t i : g.records) {
    const CaseRecord& r = run.records[i];
    if (r.outcome == Outcome::failure) continue;
    const auto d = details_of(r);
    const double floor = d.count("floor") ? d.at("floor") : 0;
    const auto points = ladder_points(r);
    if (points.size() < 2) continue;
    double sum_log_h = 0, sum_log_e = 0;
    int above = 0;
    for (const auto& [h, error] : points) {
      hs.push_back(h);
      errors.push_back(error);
      if (error > floor) {
        sum_log_h += std::log(h);
        sum_log_e += std::log(error);
        ++above;
      }
    }
    cases.segments.push_back(points);
    // The case's fitted slope, drawn through the centre of its points above the rounding floor.
    if (const auto rate = d.find("rate"); rate != d.end() && std::isfinite(rate->second) && above) {
      const double b = (sum_log_e - rate->second * sum_log_h) / above;
      auto at = [&](double h) { return std::make_pair(h, std::exp(b + rate->second * std::log(h))); };
      fits.segments.push_back({at(points.front().first), at(points.back().first)});
    }
    // The claim's line C h^a: a lower bound on the rate claims a = its bound, with the constant
    // the check fitted ("C"); otherwise the predicted rate through the coarsest point. The
    // largest constant over the cases.
    double a = std::nan("");
    if (r.obs.comparison == Comparison::lower && d.count("rate")) a = r.obs.bound;
    else if (d.count("predicted_rate")) a = d.at("predicted_rate");
    if (std::isfinite(a) && a > 0) {
      slopes.push_back(a);
      fitted_constant = fitted_constant && d.count("C");
      const double c = d.count("C") ? d.at("C") : points.back().second / std::pow(points.back().first, a);
      if (std::isfinite(c) && !(c <= bound_constant)) bound_constant = c;
    }
  }
  if (cases.segments.empty()) return std::nullopt;
  Plot plot = group_plot(g, "rate", "h = 1/steps", "observed error");
  plot.tex_xlabel = "$h = 1/N$";
  plot.tex_ylabel = "observed error";
  plot.logx = plot.logy = true;
  const auto agg = detail_aggregates(g, run);
  const auto rate = agg.find("rate"), lo = agg.find("rate_lo"), hi = agg.find("rate_hi");
  std::string slope_text, slope_tex;
  if (rate != agg.end()) {
    const double error =
        lo != agg.end() && hi != agg.end() ? 0.5 * (hi->second.median - lo->second.median) : std::nan("");
    slope_text = format_to_error(rate->second.median, error);
    if (!std::isnan(error))
      slope_text += " [" + format_to_error(lo->second.median, error) + ", " +
                    format_to_error(hi->second.median, error) + "]";
    slope_tex = "$\\hat r = " + slope_text + "$";
    fits.label += ", median " + slope_text;
    fits.tex_label = "fitted slope per case, median " + slope_tex;
  }
  plot.series.push_back(cases);
  if (!fits.segments.empty()) plot.series.push_back(fits);
  // The refuting case: the shrunk counterexample's ladder when it has one, else the worst case's.
  if (g.verdict == Verdict::refuted) {
    std::vector<std::pair<double, double>> points;
    const CaseRecord* refuting = g.counterexample ? &*g.counterexample : nullptr;
    if (refuting) points = ladder_points(*refuting);
    if (points.size() < 2 && g.worst) {
      refuting = &run.records[*g.worst];
      points = ladder_points(*refuting);
    }
    if (points.size() >= 2) {
      // Its own bound: with the largest constant of the other cases it could look inside it.
      const auto d = details_of(*refuting);
      if (const auto c = d.find("C"); fitted_constant && c != d.end() && std::isfinite(c->second)) {
        bound_constant = c->second;
        bound_owner = " (the refuting case's C)";
      }
      for (const auto& [h, error] : points) {
        hs.push_back(h);
        errors.push_back(error);
      }
      plot.series.push_back({"refuting case", "", Series::Style::marked, {points}});
    }
  }
  if (!slopes.empty() && std::isfinite(bound_constant)) {
    std::sort(slopes.begin(), slopes.end());
    bound_slope = slopes[slopes.size() / 2];
    const double h_lo = *std::min_element(hs.begin(), hs.end());
    const double h_hi = *std::max_element(hs.begin(), hs.end());
    const std::string what = fitted_constant ? "bound " : "predicted slope ";
    Series bound{what + format_number(bound_constant) + " h^" + format_number(bound_slope) + bound_owner,
                 what + "$" + format_number(bound_constant) + "\\,h^{" + format_number(bound_slope) + "}$" +
                     bound_owner,
                 Series::Style::bound,
                 {{{h_lo, bound_constant * std::pow(h_lo, bound_slope)},
                   {h_hi, bound_constant * std::pow(h_hi, bound_slope)}}}};
    errors.push_back(bound.segments[0][0].second);
    errors.push_back(bound.segments[0][1].second);
    plot.series.push_back(bound);
  }
  // Ticks at the step counts when there are few (a ladder often spans less than a decade).
  std::vector<double> distinct = hs;
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  if (distinct.size() <= 8) {
    for (const double h : distinct) {
      const std::string steps = format_number(1 / h, 6);
      plot.xticks.push_back({h, "1/" + steps, "$1/" + steps + "$"});
    }
  } else {
    plot.xticks = log_ticks(distinct.front(), distinct.back());
  }
  plot.yticks = log_ticks(*std::min_element(errors.begin(), errors.end()),
                          *std::max_element(errors.begin(), errors.end()));
  plot.caption = plot.title + ": observed error against h for " +
                 std::to_string(cases.segments.size()) + " cases with their fitted slopes" +
                 (rate == agg.end() ? std::string(" (none fitted)") : ", median " + slope_text) +
                 (std::isnan(bound_slope) ? std::string()
                  : fitted_constant       ? "; the claimed bound C h^" + format_number(bound_slope)
                                          : "; the predicted slope h^" + format_number(bound_slope) +
                                                " through the coarsest point") +
                 (g.verdict == Verdict::refuted ? "; the refuting case marked" : "") + ".";
  return plot;
}

std::optional<Plot> landing_plot(const GroupResult& g, const RunResult& run) {
  for (std::size_t i : g.records) {
    const CaseRecord& r = run.records[i];
    std::vector<std::pair<double, double>> counts = row_points(r, "landing", "k", "count");
    double total = 0;
    for (const auto& [k, count] : counts) total += count;
    if (counts.size() < 2) continue;
    std::sort(counts.begin(), counts.end());
    const double expected = total / static_cast<double>(counts.size());
    Plot plot = group_plot(g, "landing", "training point k", "landings");
    plot.tex_xlabel = "training point $k$";
    plot.series.push_back({"observed", "", Series::Style::boxes, {counts}});
    plot.series.push_back({"uniform expectation " + format_number(expected), "", Series::Style::line,
                           {{{counts.front().first - 0.5, expected},
                             {counts.back().first + 0.5, expected}}}});
    // Room above the tallest bar: no bar touches the frame.
    double highest = expected;
    for (const auto& [k, count] : counts) highest = std::max(highest, count);
    plot.ymax = 1.15 * highest;
    plot.xticks = integer_ticks(counts);
    plot.caption = g.check + " " + group_label(g) + ": landing counts of " +
                   format_number(total, 6) + " samples on n = " + std::to_string(counts.size()) +
                   " training points (first case, token " + to_token(r.c) +
                   ") and the uniform expectation.";
    return plot;
  }
  return std::nullopt;
}

std::optional<Plot> terms_plot(const GroupResult& g, const RunResult& run) {
  std::vector<Series> series;
  bool positive = true;
  for (const auto& key : kTermKeys) {
    Series s{key, "", Series::Style::linespoints, {{}}};
    int index = 0;
    for (std::size_t i : g.records) {
      ++index;
      const auto d = details_of(run.records[i]);
      if (const auto it = d.find(key); it != d.end() && std::isfinite(it->second)) {
        s.segments[0].push_back({index, it->second});
        positive = positive && it->second > 0;
      }
    }
    if (!s.segments[0].empty()) series.push_back(s);
  }
  if (series.empty()) return std::nullopt;
  Plot plot = group_plot(g, "terms", "case", "RMS norm of the term");
  plot.series = series;
  plot.xticks = integer_ticks(series.front().segments[0]);
  plot.logy = positive;
  if (positive) {
    double lo = HUGE_VAL, hi = 0;
    for (const auto& s : series)
      for (const auto& [x, y] : s.segments[0]) lo = std::min(lo, y), hi = std::max(hi, y);
    plot.yticks = log_ticks(lo, hi);
  }
  plot.caption = g.check + " " + group_label(g) + ": the terms of the decomposition per case" +
                 (positive ? " (log scale)." : ".");
  return plot;
}

// term.sum_error: the error of the decomposition's sum relative to its rounding allowance,
// against the bound 1.
std::optional<Plot> sum_error_plot(const GroupResult& g, const RunResult& run) {
  Series s{"error of the sum / allowance", "", Series::Style::linespoints, {{}}};
  int index = 0;
  for (std::size_t i : g.records) {
    ++index;
    const auto d = details_of(run.records[i]);
    if (const auto it = d.find("term.sum_error"); it != d.end() && std::isfinite(it->second))
      s.segments[0].push_back({index, it->second});
  }
  if (s.segments[0].empty()) return std::nullopt;
  Plot plot = group_plot(g, "sum-error", "case", "error of the sum / allowance");
  plot.series.push_back(s);
  plot.xticks = integer_ticks(s.segments[0]);
  plot.series.push_back({"bound 1", "", Series::Style::bound, {{{1, 1.0}, {std::max(index, 2), 1.0}}}});
  double highest = 1;
  for (const auto& [x, y] : s.segments[0]) highest = std::max(highest, y);
  plot.ymax = 1.3 * highest;
  plot.caption = g.check + " " + group_label(g) +
                 ": the error of the sum of the terms relative to its rounding allowance per case, "
                 "and the bound 1.";
  return plot;
}

std::string gnuplot_quote(const std::string& text) {
  std::string out = "'";
  for (const char ch : text) out += ch == '\'' ? std::string("''") : std::string(1, ch);
  return out + "'";
}

// One look per series in both programs: colours from a palette safe for colour blindness
// (Okabe-Ito) by series position, black for bounds, red for the refuting case.
struct Look {
  int red, green, blue;
};
Look look_of(const Series& s, std::size_t index) {
  static const Look palette[] = {{0, 114, 178}, {230, 159, 0}, {0, 158, 115}, {204, 121, 167},
                                 {86, 180, 233}, {213, 94, 0}};
  if (s.style == Series::Style::bound) return {0, 0, 0};
  if (s.style == Series::Style::marked) return {200, 0, 0};
  return palette[index % (sizeof palette / sizeof palette[0])];
}

std::string gnuplot_style(const Series& s, std::size_t index) {
  const Look c = look_of(s, index);
  char colour[32];
  std::snprintf(colour, sizeof colour, " lc rgb '#%02x%02x%02x'", c.red, c.green, c.blue);
  switch (s.style) {
    case Series::Style::points: return std::string("points pt 7 ps 0.8") + colour;
    case Series::Style::linespoints: return std::string("linespoints pt 7 lw 1.5") + colour;
    case Series::Style::line: return std::string("lines dt 2 lw 1.5") + colour;
    case Series::Style::boxes: return std::string("boxes fs solid 0.5") + colour;
    case Series::Style::bound: return std::string("lines lw 2.5") + colour;
    case Series::Style::marked: return std::string("points pt 2 ps 2.5 lw 2") + colour;
  }
  return "points";
}

std::string pgfplots_style(const Series& s, std::size_t index) {
  const Look c = look_of(s, index);
  const std::string colour = "color={rgb,255:red," + std::to_string(c.red) + ";green," +
                             std::to_string(c.green) + ";blue," + std::to_string(c.blue) + "}";
  switch (s.style) {
    case Series::Style::points: return colour + ", only marks, mark=*, mark size=1.2pt";
    case Series::Style::linespoints: return colour + ", thick, mark=*, mark size=1.2pt";
    case Series::Style::line: return colour + ", dashed, thick, no marks";
    case Series::Style::boxes: return colour + ", ybar, bar width=0.8, fill=" + colour.substr(6) +
                                      ", fill opacity=0.5, area legend";
    case Series::Style::bound: return colour + ", very thick, no marks";
    case Series::Style::marked: return colour + ", only marks, mark=x, mark size=4pt, very thick";
  }
  return "";
}

// Each line of text (newline-terminated) with prefix in front.
std::string prefixed(const std::string& text, const std::string& prefix) {
  std::string out;
  std::stringstream lines(text);
  for (std::string line; std::getline(lines, line);) out += prefix + line + "\n";
  return out;
}

std::string gnuplot_ticks(const char* axis, const std::vector<Tick>& ticks) {
  if (ticks.empty()) return "";
  std::string out = std::string("set ") + axis + "tics (";
  for (std::size_t i = 0; i < ticks.size(); ++i)
    out += (i ? ", " : "") + gnuplot_quote(ticks[i].text) + " " + coordinate(ticks[i].at);
  return out + ")\n";
}

std::string pgfplots_ticks(const char* axis, const std::vector<Tick>& ticks) {
  if (ticks.empty()) return "";
  std::string at, labels;
  for (std::size_t i = 0; i < ticks.size(); ++i) {
    at += (i ? "," : "") + coordinate(ticks[i].at);
    labels += (i ? "," : "") + std::string("{") + ticks[i].tex + "}";
  }
  return std::string(", ") + axis + "tick={" + at + "}, " + axis + "ticklabels={" + labels + "}";
}

// Runs `gnuplot script` in dir with its output in dir/log; true when it exits with 0.
bool run_gnuplot(const std::string& gnuplot, const std::filesystem::path& dir,
                 const std::string& script, const std::string& log) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    // Child: run in the figures folder so the scripts' relative paths hold.
    if (::chdir(dir.c_str()) != 0) ::_exit(127);
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) ::_exit(127);
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
    ::execl(gnuplot.c_str(), gnuplot.c_str(), script.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  return pid > 0 && ::waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
         WEXITSTATUS(status) == 0;
}

bool has_bars(const Plot& plot) {
  return std::any_of(plot.series.begin(), plot.series.end(),
                     [](const Series& s) { return s.style == Series::Style::boxes; });
}

}  // namespace

std::vector<Plot> plan_figures(const RunResult& run) {
  std::vector<Plot> plots;
  for (const auto& g : run.groups)
    for (auto plan : {&rate_plot, &landing_plot, &terms_plot, &sum_error_plot})
      if (auto plot = plan(g, run)) plots.push_back(std::move(*plot));
  return plots;
}

std::string slug(const std::string& text) {
  std::string out;
  for (const char ch : text)
    out += std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '-' ? ch : '-';
  return out;
}

std::vector<Tick> log_ticks(double lo, double hi) {
  std::vector<Tick> ticks;
  if (!(lo > 0) || !(hi >= lo) || !std::isfinite(hi)) return ticks;
  const int first = static_cast<int>(std::floor(std::log10(lo)));
  const int last = static_cast<int>(std::ceil(std::log10(hi)));
  // m 10^k correctly rounded (10^|k| is exact up to 10^22): 5e-4, not 5.000000000000001e-4.
  auto value = [](double m, int k) { return k < 0 ? m / std::pow(10.0, -k) : m * std::pow(10.0, k); };
  auto add = [&](double m, int k) {
    const double v = value(m, k);
    const std::string mantissa = format_number(m, 1);
    const std::string tex = k == 0 ? mantissa
                            : m == 1 ? "10^{" + std::to_string(k) + "}"
                                     : mantissa + "\\cdot 10^{" + std::to_string(k) + "}";
    ticks.push_back({v, format_number(v, 2), "$" + tex + "$"});
  };
  if (hi / lo >= 100) {
    // Powers of ten, every step-th so that at most eight remain.
    const int step = (last - first) / 8 + 1;
    for (int k = first; k <= last; k += step) add(1, k);
    return ticks;
  }
  for (const auto& mantissas : {std::vector<double>{1, 2, 5}, std::vector<double>{1, 2, 3, 4, 5, 6, 7, 8, 9}}) {
    ticks.clear();
    for (int k = first; k <= last; ++k)
      for (const double m : mantissas) {
        const double v = value(m, k);
        if (v >= lo / 1.05 && v <= hi * 1.05) add(m, k);
      }
    if (ticks.size() >= 3) break;
  }
  return ticks;
}

std::string gnuplot_data(const Plot& plot) {
  std::ostringstream os;
  os << "# series x y; one blank line between a series' segments, two between series\n";
  for (std::size_t s = 0; s < plot.series.size(); ++s) {
    if (s) os << "\n\n";  // two blank lines: next gnuplot index
    os << "# series " << s << ": " << plot.series[s].label << "\n";
    for (std::size_t k = 0; k < plot.series[s].segments.size(); ++k) {
      if (k) os << "\n";  // one blank line: a break in the line
      for (const auto& [x, y] : plot.series[s].segments[k])
        os << s << " " << coordinate(x) << " " << coordinate(y) << "\n";
    }
  }
  return os.str();
}

std::string gnuplot_script(const Plot& plot, const std::string& png, const std::string& provenance) {
  std::ostringstream os;
  os << prefixed(provenance, "# ")
     << "# gnuplot " << plot.stem << ".gp (run in this folder); siverify renames the output below\n"
     << "# to " << plot.stem << ".png once it is complete. The data is " << plot.stem
     << ".dat, which " << plot.stem << ".tex (pgfplots) reads too.\n"
     << "set terminal pngcairo size 900,600 noenhanced\n"
     << "set output " << gnuplot_quote(png) << "\n"
     << "set title " << gnuplot_quote(plot.title) << "\n"
     << "set xlabel " << gnuplot_quote(plot.xlabel) << "\n"
     << "set ylabel " << gnuplot_quote(plot.ylabel) << "\n"
     // The legend above the plot: it never hides a point or a bar.
     << "set key tmargin center vertical Left reverse box\nset grid\n";
  if (plot.logx) os << "set logscale x\nset autoscale xfix\nset offsets graph 0.03, graph 0.03, 0, 0\n";
  if (plot.logy) os << "set logscale y\n";
  if (plot.logx || plot.logy) os << "set format " << (plot.logx ? "x" : "") << (plot.logy ? "y" : "")
                                 << " '%.2g'\n";
  os << gnuplot_ticks("x", plot.xticks) << gnuplot_ticks("y", plot.yticks);
  if (has_bars(plot)) os << "set boxwidth 0.8\nset offsets 0.6, 0.6, 0, 0\n";
  if (!std::isnan(plot.ymax)) os << "set yrange [" << (plot.logy ? "*" : "0") << ":" << coordinate(plot.ymax) << "]\n";
  os << "plot ";
  for (std::size_t s = 0; s < plot.series.size(); ++s)
    os << (s ? ", \\\n     " : "") << gnuplot_quote(plot.stem + ".dat") << " index " << s
       << " using 2:3 with " << gnuplot_style(plot.series[s], s) << " title "
       << gnuplot_quote(plot.series[s].label);
  os << "\nset output\n";
  return os.str();
}

std::string pgfplots_figure(const Plot& plot, const std::string& provenance) {
  std::ostringstream os;
  const char* axis = plot.logx && plot.logy ? "loglogaxis"
                     : plot.logx            ? "semilogxaxis"
                     : plot.logy            ? "semilogyaxis"
                                            : "axis";
  auto tex = [](const std::string& tex_text, const std::string& plain) {
    return tex_text.empty() ? latex_escape(plain) : tex_text;
  };
  os << prefixed(provenance, "% ")
     << "% Needs \\usepackage{pgfplots}; reads " << latex_escape(plot.stem)
     << ".dat (the data of the PNG) from \\sivFigureDir (default figures/).\n"
     << "\\providecommand{\\sivFigureDir}{figures/}\n"
     << "\\begin{tikzpicture}\n\\begin{" << axis
     << "}[width=0.85\\linewidth, height=0.42\\linewidth, xlabel={" << tex(plot.tex_xlabel, plot.xlabel)
     << "}, ylabel={" << tex(plot.tex_ylabel, plot.ylabel)
     << "}, legend cell align=left, legend style={at={(0.5,1.03)}, anchor=south, "
        "font=\\footnotesize}, grid=major"
     << pgfplots_ticks("x", plot.xticks) << pgfplots_ticks("y", plot.yticks)
     << (has_bars(plot) ? ", ymin=0, enlarge x limits={abs=0.6}" : "")
     << (std::isnan(plot.ymax) ? std::string() : ", ymax=" + coordinate(plot.ymax)) << "]\n";
  for (std::size_t s = 0; s < plot.series.size(); ++s) {
    const Series& series = plot.series[s];
    // Rows of other series become NaN: unbounded, so the line jumps over them.
    os << "\\addplot[" << pgfplots_style(series, s) << "] table[header=false, x index=1, "
       << "y expr={\\thisrowno{0} == " << s << " ? \\thisrowno{2} : nan}, "
       << "unbounded coords=jump, empty line=jump] {\\sivFigureDir " << plot.stem << ".dat};\n"
       << "\\addlegendentry{" << tex(series.tex_label, series.label) << "}\n";
  }
  os << "\\end{" << axis << "}\n\\end{tikzpicture}\n";
  return os.str();
}

std::string find_gnuplot() {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const std::filesystem::path candidate = std::filesystem::path(dir.empty() ? "." : dir) / "gnuplot";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return "";
}

std::vector<std::string> write_figures(const std::vector<Plot>& plots,
                                       const std::filesystem::path& dir,
                                       const std::string& gnuplot, const std::string& provenance) {
  std::filesystem::create_directories(dir);
  for (const auto& plot : plots) {
    write_file_atomically(dir / (plot.stem + ".dat"), gnuplot_data(plot));
    // gnuplot renders to a temporary name; the PNG appears under its own name only when complete.
    write_file_atomically(dir / (plot.stem + ".gp"),
                          gnuplot_script(plot, "." + plot.stem + ".png.tmp", provenance));
    write_file_atomically(dir / (plot.stem + ".tex"), pgfplots_figure(plot, provenance));
  }
  if (plots.empty()) return {};
  if (gnuplot.empty() || ::access(gnuplot.c_str(), X_OK) != 0)
    return {"gnuplot not found: PNG figures skipped (the pgfplots .tex figures are complete)"};
  std::vector<std::string> warnings;
  for (const auto& plot : plots) {
    // One process per figure: a gnuplot error stops only its own script.
    const std::string log = "." + plot.stem + ".log";
    if (!run_gnuplot(gnuplot, dir, plot.stem + ".gp", log)) {
      std::error_code ec;
      std::filesystem::remove(dir / ("." + plot.stem + ".png.tmp"), ec);
      warnings.push_back("gnuplot failed on figures/" + plot.stem + ".gp (see figures/" + log + ")");
      continue;
    }
    std::error_code ec;
    std::filesystem::remove(dir / log, ec);
    std::filesystem::rename(dir / ("." + plot.stem + ".png.tmp"), dir / (plot.stem + ".png"), ec);
    if (ec) warnings.push_back("gnuplot wrote no figures/" + plot.stem + ".png");
  }
  return warnings;
}

}  // namespace siv
