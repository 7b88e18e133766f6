// Figures planned from details keys alone, so new checks get figures without code here:
//   error.N<steps> per case  -> log-log error against h = 1/steps, with each case's fitted slope
//                               (details "rate") drawn through its points above "floor";
//   landing.<k> per case     -> landing counts per training point of the group's first case and
//                               the uniform expectation;
//   term.disc, term.est, term.noise, term.sum_error -> the three-term decomposition per case.
// Each figure is written as figures/<stem>.dat + .gp (gnuplot, rendered to .png) and .tex
// (pgfplots tikzpicture for papers).
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "properties/runner.hpp"

namespace siv {

struct Series {
  std::string label;
  enum class Style { points, linespoints, line, boxes } style = Style::points;
  std::vector<std::vector<std::pair<double, double>>> segments;  // drawn unconnected
};

struct Plot {
  std::string stem;     // file name without extension, starts with the check id
  std::string claim, check;
  std::string title;    // short: check and group
  std::string caption;  // a sentence for report.md and LaTeX
  std::string xlabel, ylabel;
  bool loglog = false;
  std::vector<Series> series;
};

std::vector<Plot> plan_figures(const RunResult& run);

std::string gnuplot_script(const Plot& plot, const std::string& png);
std::string gnuplot_data(const Plot& plot);
std::string pgfplots_figure(const Plot& plot);

// Writes every figure's .dat, .gp and .tex into dir and renders the PNGs with one gnuplot child
// process. Returns warnings (gnuplot missing or failing): PNGs are then absent, nothing throws.
std::vector<std::string> write_figures(const std::vector<Plot>& plots,
                                       const std::filesystem::path& dir,
                                       const std::string& gnuplot);

// The gnuplot executable on PATH, or "" when there is none.
std::string find_gnuplot();

}  // namespace siv
