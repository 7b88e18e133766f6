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

const std::vector<std::string> kTermKeys = {"term.disc", "term.est", "term.noise", "term.sum_error"};

std::string coordinate(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.6g", v);
  return buffer;
}

// File names keep letters, digits, '.' and '-'; everything else becomes '-'.
std::string slug(const std::string& text) {
  std::string out;
  for (const char ch : text)
    out += std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '-' ? ch : '-';
  return out;
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

std::optional<Plot> rate_plot(const GroupResult& g, const RunResult& run) {
  Series cases{"cases", Series::Style::points, {}};
  Series fits{"fitted slope (per case)", Series::Style::line, {}};
  for (std::size_t i : g.records) {
    const CaseRecord& r = run.records[i];
    if (r.outcome == Outcome::failure) continue;
    const auto d = details_of(r);
    const double floor = d.count("floor") ? d.at("floor") : 0;
    std::vector<std::pair<double, double>> points;
    double sum_log_h = 0, sum_log_e = 0;
    int above = 0;
    for (const auto& [steps, error] : row_points(r, "ladder", "steps", "error"))
      if (steps > 0 && std::isfinite(error) && error > 0) {
        const double h = 1.0 / steps;
        points.push_back({h, error});
        if (error > floor) {
          sum_log_h += std::log(h);
          sum_log_e += std::log(error);
          ++above;
        }
      }
    if (points.size() < 2) continue;
    std::sort(points.begin(), points.end());
    cases.segments.push_back(points);
    // The case's fitted slope, drawn through the centre of its points above the rounding floor.
    if (const auto rate = d.find("rate"); rate != d.end() && std::isfinite(rate->second) && above) {
      const double b = (sum_log_e - rate->second * sum_log_h) / above;
      auto at = [&](double h) { return std::make_pair(h, std::exp(b + rate->second * std::log(h))); };
      fits.segments.push_back({at(points.front().first), at(points.back().first)});
    }
  }
  if (cases.segments.empty()) return std::nullopt;
  Plot plot = group_plot(g, "rate", "h = 1/steps", "observed error");
  plot.loglog = true;
  plot.series.push_back(cases);
  if (!fits.segments.empty()) plot.series.push_back(fits);
  const auto agg = detail_aggregates(g, run);
  const auto rate = agg.find("rate");
  plot.caption = plot.title + ": observed error against h for " +
                 std::to_string(cases.segments.size()) + " cases with their fitted slopes" +
                 (rate == agg.end() ? std::string(" (none fitted)")
                                    : ", median " + format_number(rate->second.median)) +
                 ".";
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
    plot.series.push_back({"observed", Series::Style::boxes, {counts}});
    plot.series.push_back({"uniform expectation " + format_number(expected), Series::Style::line,
                           {{{counts.front().first - 0.5, expected},
                             {counts.back().first + 0.5, expected}}}});
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
  for (const auto& key : kTermKeys) {
    Series s{key, Series::Style::linespoints, {{}}};
    int index = 0;
    for (std::size_t i : g.records) {
      ++index;
      const auto d = details_of(run.records[i]);
      if (const auto it = d.find(key); it != d.end() && std::isfinite(it->second))
        s.segments[0].push_back({index, it->second});
    }
    if (!s.segments[0].empty()) series.push_back(s);
  }
  if (series.empty()) return std::nullopt;
  Plot plot = group_plot(g, "terms", "case", "term");
  plot.series = series;
  plot.caption = g.check + " " + group_label(g) +
                 ": the terms of the decomposition per case, and the error of their sum.";
  return plot;
}

std::string gnuplot_quote(const std::string& text) {
  std::string out = "'";
  for (const char ch : text) out += ch == '\'' ? std::string("''") : std::string(1, ch);
  return out + "'";
}

const char* gnuplot_style(Series::Style s) {
  switch (s) {
    case Series::Style::points: return "points pt 7";
    case Series::Style::linespoints: return "linespoints pt 7 lw 1.5";
    case Series::Style::line: return "lines dt 2 lw 2";
    case Series::Style::boxes: return "boxes fs solid 0.5";
  }
  return "points";
}

const char* pgfplots_style(Series::Style s) {
  switch (s) {
    case Series::Style::points: return "only marks, mark=*";
    case Series::Style::linespoints: return "mark=*, mark size=1.2pt";
    case Series::Style::line: return "dashed, thick, no marks, red";
    case Series::Style::boxes: return "ybar, fill=blue!30, draw=blue";
  }
  return "";
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
    for (auto plan : {&rate_plot, &landing_plot, &terms_plot})
      if (auto plot = plan(g, run)) plots.push_back(std::move(*plot));
  return plots;
}

std::string gnuplot_data(const Plot& plot) {
  std::ostringstream os;
  for (std::size_t s = 0; s < plot.series.size(); ++s) {
    if (s) os << "\n\n";  // two blank lines: next gnuplot index
    os << "# " << plot.series[s].label << "\n";
    for (std::size_t k = 0; k < plot.series[s].segments.size(); ++k) {
      if (k) os << "\n";  // one blank line: a break in the line
      for (const auto& [x, y] : plot.series[s].segments[k])
        os << coordinate(x) << " " << coordinate(y) << "\n";
    }
  }
  return os.str();
}

std::string gnuplot_script(const Plot& plot, const std::string& png) {
  std::ostringstream os;
  os << "# Generated by siverify: gnuplot " << plot.stem << ".gp (run in this folder); siverify\n"
     << "# renames the output below to " << plot.stem << ".png once it is complete.\n"
     << "set terminal pngcairo size 900,600 noenhanced\n"
     << "set output " << gnuplot_quote(png) << "\n"
     << "set title " << gnuplot_quote(plot.title) << "\n"
     << "set xlabel " << gnuplot_quote(plot.xlabel) << "\n"
     << "set ylabel " << gnuplot_quote(plot.ylabel) << "\n"
     << "set key left top\nset grid\n";
  if (plot.loglog) os << "set logscale xy\nset format xy '%.0e'\nset autoscale xfix\n";
  if (has_bars(plot)) os << "set boxwidth 0.8\nset yrange [0:*]\n";
  os << "plot ";
  for (std::size_t s = 0; s < plot.series.size(); ++s)
    os << (s ? ", \\\n     " : "") << gnuplot_quote(plot.stem + ".dat") << " index " << s
       << " with " << gnuplot_style(plot.series[s].style) << " title "
       << gnuplot_quote(plot.series[s].label);
  os << "\nset output\n";
  return os.str();
}

std::string pgfplots_figure(const Plot& plot) {
  std::ostringstream os;
  const char* axis = plot.loglog ? "loglogaxis" : "axis";
  os << "% Generated by siverify; needs \\usepackage{pgfplots}. " << latex_escape(plot.stem) << "\n"
     << "\\begin{tikzpicture}\n\\begin{" << axis
     << "}[width=0.85\\linewidth, height=0.55\\linewidth, xlabel={" << latex_escape(plot.xlabel)
     << "}, ylabel={" << latex_escape(plot.ylabel)
     << "}, legend pos=north west, legend cell align=left, grid=major"
     << (has_bars(plot) ? ", ymin=0" : "") << "]\n";
  for (const auto& s : plot.series)
    for (std::size_t k = 0; k < s.segments.size(); ++k) {
      os << "\\addplot[" << pgfplots_style(s.style) << (k ? ", forget plot" : "")
         << "] coordinates {";
      for (const auto& [x, y] : s.segments[k]) os << " (" << coordinate(x) << "," << coordinate(y) << ")";
      os << " };\n";
      if (k == 0) os << "\\addlegendentry{" << latex_escape(s.label) << "}\n";
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
                                       const std::string& gnuplot) {
  std::filesystem::create_directories(dir);
  for (const auto& plot : plots) {
    write_file_atomically(dir / (plot.stem + ".dat"), gnuplot_data(plot));
    // gnuplot renders to a temporary name; the PNG appears under its own name only when complete.
    write_file_atomically(dir / (plot.stem + ".gp"),
                          gnuplot_script(plot, "." + plot.stem + ".png.tmp"));
    write_file_atomically(dir / (plot.stem + ".tex"), pgfplots_figure(plot));
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
