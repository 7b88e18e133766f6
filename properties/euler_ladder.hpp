// Fixed-step Euler endpoints from common starts over a ladder of step sizes, with what the exact
// last-step identity of THEORY.md C2 needs: the state at t = h, its standardized offset xi_1 and
// its softmax margin.
#pragma once

#include <vector>

#include "properties/scene.hpp"
#include "theory/bounds.hpp"

namespace siv {

struct EulerRung {
  int steps = 0;
  double h = 0;
  double error = 0;            // RMS over starts of dist(Z_0, Y)
  double xi_rms = 0;           // RMS over starts of |xi_1|, xi_1 = (Z_h - alpha(h) y_k) / sigma(h)
  double margin_fraction = 0;  // starts whose margin at t = h reaches required_margin(n, h)
  double min_margin_slack = 0; // min over starts of margin - required_margin
  bool finite = true;
};

struct EulerLadder {
  std::vector<EulerRung> rungs;
  double floor = 0;  // rounding floor of a distance: errors at or below it carry no information
  double y_rms = 0;  // RMS |y_k| of the landing points (finest rung)
};

EulerLadder run_euler_ladder(const Scene& scene, const std::vector<int>& ladder);

}  // namespace siv
