// Figures planned from details keys and rows alone, so new checks get figures without code here:
//   rows.ladder {steps, error} per case -> log-log error against h = 1/steps, with each case's
//       fitted slope (details "rate") through its points above "floor", the claim's line C h^a
//       (a lower bound on the rate: a its bound, C details "C"; else a = details
//       "predicted_rate" through the coarsest point), and the refuting case marked;
//   rows.landing {k, count}             -> landing counts per training point of the group's first
//                                          case and the uniform expectation;
//   term.disc, term.est, term.noise     -> the three terms of the decomposition per case (log y);
//   term.sum_error                      -> the sum's error against its allowance, bound line 1.
// One data file, figures/<stem>.dat (columns: series index, x, y; segments separated by blank
// lines, series by two), is read by both the gnuplot script (.gp, rendered to .png) and the
// pgfplots figure (.tex, for papers: it reads \sivFigureDir<stem>.dat, default figures/).
#pragma once

#include <filesystem>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "properties/runner.hpp"

namespace siv {

struct Series {
  std::string label;      // plain text (gnuplot)
  std::string tex_label;  // LaTeX for pgfplots; "" = the escaped label
  // bound: the claimed bound (solid black); marked: the refuting case (large red crosses).
  enum class Style { points, linespoints, line, boxes, bound, marked } style = Style::points;
  std::vector<std::vector<std::pair<double, double>>> segments;  // drawn unconnected
};

// An axis tick: position, gnuplot label, LaTeX label.
struct Tick {
  double at = 0;
  std::string text, tex;
};

struct Plot {
  std::string stem;     // file name without extension, starts with the check id
  std::string claim, check;
  std::string title;    // short: check and group
  std::string caption;  // a sentence for report.md and LaTeX
  std::string xlabel, ylabel;        // plain text
  std::string tex_xlabel, tex_ylabel;  // LaTeX; "" = the escaped plain label
  bool logx = false, logy = false;
  std::vector<Tick> xticks, yticks;  // empty: the plotting program's own
  double ymax = std::numeric_limits<double>::quiet_NaN();  // NaN: automatic
  std::vector<Series> series;
};

// Text for file names and LaTeX labels: letters, digits, '.' and '-' kept, anything else '-'.
std::string slug(const std::string& text);

// Ticks for a log axis over [lo, hi] (lo > 0): powers of ten when the range spans two decades,
// else 1-2-5 steps (1..9 when those give fewer than three); empty when lo <= 0.
std::vector<Tick> log_ticks(double lo, double hi);

std::vector<Plot> plan_figures(const RunResult& run);

// provenance: comment lines (summary.hpp's provenance_lines) without their prefix character.
std::string gnuplot_script(const Plot& plot, const std::string& png, const std::string& provenance);
std::string gnuplot_data(const Plot& plot);
std::string pgfplots_figure(const Plot& plot, const std::string& provenance);

// Writes every figure's .dat, .gp and .tex into dir and renders the PNGs with one gnuplot child
// process per figure. Returns warnings (gnuplot missing or failing): PNGs are then absent,
// nothing throws. provenance: comment lines for each file, as above.
std::vector<std::string> write_figures(const std::vector<Plot>& plots,
                                       const std::filesystem::path& dir,
                                       const std::string& gnuplot, const std::string& provenance);

// The gnuplot executable on PATH, or "" when there is none.
std::string find_gnuplot();

}  // namespace siv
