// C8: score smoothing along a line ("On the Interpolation Effect of Score Smoothing"; THEORY.md
// section 6). Training points evenly spaced on a line, y_k = c + a_k u (u.c = 0, spacing Delta),
// in R^d, d >= 2; the empirical score smoothed along u with a Gaussian kernel of width W
// (theory/line_smoothing.hpp, where the two exact consequences below are derived). From exact
// starts Z_1 ~ q_1 the ODE of b_W gives, at every t and for every W:
//   P Z_t - alpha(t) c = (sigma(t)/sigma(1)) (P Z_1 - alpha(1) c)
//       (C8.normal: onto the line at the unsmoothed rate sigma(t)),
//   u.Z_t ~ (1/n) sum_k N(alpha(t) a_k, sigma(t)^2 + W^2)   (C8.tangent: the tangent law),
// so the memorized fraction (tangent coordinate within Delta/10 of a training point) is the
// exact window mass of that law and falls as W grows (C8.memorized). Paths stop at t = 1e-6,
// where the laws are still exact.
#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "properties/claims.hpp"
#include "properties/scene.hpp"
#include "solvers/adaptive.hpp"
#include "theory/line_smoothing.hpp"
#include "theory/random.hpp"
#include "theory/stats.hpp"

namespace siv {
namespace {

constexpr double kLineEnd = 1e-6;         // paths stop here
constexpr double kLineTolerance = 1e-10;  // solver's absolute and relative tolerance
constexpr double kLevel = 1e-3;  // the runner's default family-wise level (RunOptions::alpha)
constexpr double kMemorizedWindow =
    0.1;  // memorized: tangent coordinate within 0.1 Delta of a point

// Widths of C8.memorized's ladder, in units of the spacing Delta.
const std::vector<double>& width_ladder() {
  static const std::vector<double> ladder{0.02, 0.1, 0.3, 1.0};
  return ladder;
}

// "line:R on S": smoothing width W = R Delta on schedule S; "ladder on S" runs width_ladder().
std::string line_group(double ratio, const std::string& schedule) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "line:%g", ratio);
  return std::string(buffer) + " on " + schedule;
}
std::string group_schedule(const std::string& group) {
  return group.substr(group.find(" on ") + 4);
}
double group_ratio(const std::string& group) {
  return std::stod(group.substr(5, group.find(" on ") - 5));
}

std::vector<std::string> single_width_groups() {
  return {line_group(0.1, "linear"), line_group(1, "linear"), line_group(0.3, "bridge:2"),
          line_group(0.3, "vp:0.1:20")};
}

// The case's line: n points at spacing Delta = separation along a random unit u, offset by a
// random c perpendicular to u (|c| of order Delta), all from the set's seed.
struct Line {
  Mat data;     // n x d, rows y_k
  Vec u, c, a;  // direction, normal offset, tangent coordinates a_k = u.y_k
  double spacing = 1;
};
Line make_line(const TrainingSetSpec& spec) {
  Line line;
  const int n = spec.n, d = spec.d;
  line.spacing = spec.separation;
  Rng rng(spec.seed, 0x11e);
  line.u = rng.normal_vector(d);
  line.u /= line.u.norm();
  const Vec g = rng.normal_vector(d);
  line.c = spec.separation * (g - g.dot(line.u) * line.u);
  line.data.resize(n, d);
  for (int k = 0; k < n; ++k)
    line.data.row(k) = (line.c + (k - 0.5 * (n - 1)) * spec.separation * line.u).transpose();
  line.a = line.data * line.u;
  return line;
}

// What every C8 observation starts from: the case's line and its oracle.
struct LineScene {
  Line line;
  OracleField oracle;
  explicit LineScene(const Case& c)
      : line(make_line(c.set)), oracle(line.data, make_schedule(c.schedule)) {}
  const Schedule& schedule() const { return oracle.schedule(); }
  // The group's single width W = R Delta.
  LineSmoothedField group_field(const Case& c) const {
    return LineSmoothedField(oracle, line.u, group_ratio(c.group) * line.spacing);
  }
};

// Cases on line sets: d >= 2 (a normal direction), separation in [0.2, 5].
rc::Gen<Case> line_cases(const std::string& group, const Profile& profile) {
  return rc::gen::map(case_generator(group_schedule(group), profile, 0.2, 5.0, 0), [](Case c) {
    c.set.d = std::max(2, c.set.d);
    return c;
  });
}

// One path of the smoothed ODE from an exact start Z_1 ~ q_1 (stream i of the case seed): the
// same draws (k, xi, eta) for every width, so a ladder compares widths on common random numbers.
struct LinePath {
  Vec z1, z;
  double t = 0;
  long steps = 0;
  Ending ending = Ending::reached_end;
};
LinePath smoothed_path(const LineSmoothedField& field, const Line& line, std::uint64_t seed,
                       int i) {
  const Schedule& s = field.schedule();
  Rng rng(seed, static_cast<std::uint64_t>(i));
  const int k = rng.index(static_cast<int>(line.data.rows()));
  const Vec xi = rng.normal_vector(field.dim());
  const double eta = rng.normal();
  LinePath p;
  p.z1 = s.alpha(1.0) * line.data.row(k).transpose() + s.sigma(1.0) * xi +
         field.width() * eta * line.u;
  AdaptiveOptions o;
  o.abs_tol = o.rel_tol = kLineTolerance;
  o.t_final = kLineEnd;
  o.settle = false;
  o.resolve_basins = false;
  const Endpoint e = solve_adaptive(field, p.z1, o);
  p.z = e.z;
  p.t = e.t_end;
  p.steps = e.steps;
  p.ending = e.ending;
  return p;
}

// Fails the observation on a path the solver did not finish.
bool record_failure(const LinePath& p, Observation& obs) {
  if (p.ending == Ending::reached_end && p.z.allFinite()) return false;
  obs.failure = "smoothed path ended " + to_string(p.ending) + " at t = " + std::to_string(p.t);
  return true;
}

constexpr const char* kLineSetting =
    "its training points lie evenly spaced on a line, which a data subset does not";

// The opening every C8 observation shares: its comparison, and the case's line scene, or nullopt
// when the case is a data subset (verify --data leaves C8 out; a hand-made replay token can still
// ask), which is not on a line: obs is then final, with the assumption not met.
std::optional<LineScene> open_line_case(const Case& c, Comparison comparison, Observation& obs) {
  obs.comparison = comparison;
  obs.assume("training points evenly spaced on a line (generated sets)", c.set.data.empty(), 0);
  if (!c.set.data.empty()) return std::nullopt;
  return std::optional<LineScene>(std::in_place, c);
}

class NormalRate final : public Check {
 public:
  std::string id() const override { return "C8.normal"; }
  std::string not_on_data() const override { return kLineSetting; }
  std::string claim() const override { return "C8"; }
  std::string statement() const override {
    return "smoothing along the line keeps normal convergence: |P Z_t - alpha c - (sigma(t)/"
           "sigma(1)) (P Z_1 - alpha(1) c)| <= solver and rounding error at t = 1e-6, for every W";
  }
  std::vector<std::string> groups(const Profile&) const override { return single_width_groups(); }
  rc::Gen<Case> generator(const std::string& group, const Profile& profile) const override {
    return line_cases(group, profile);
  }
  std::vector<Mutant> mutants() const override {
    return {{"off-line", line_group(1, "linear"),
             "smoothing leaves samples off the line: median normal distance at t = 1e-6 >= W/4"}};
  }
  Observation observe(const Case& c) const override {
    Observation obs;
    const auto scene = open_line_case(c, Comparison::upper, obs);
    if (!scene) return obs;
    const Line& line = scene->line;
    const LineSmoothedField field = scene->group_field(c);
    const Schedule& s = scene->schedule();
    const double width = field.width();
    const double eps = std::numeric_limits<double>::epsilon();
    const double y_max = line.data.rowwise().norm().maxCoeff();
    double worst = 0, max_normal = 0;
    std::vector<double> normal;
    for (int i = 0; i < c.starts; ++i) {
      const LinePath p = smoothed_path(field, line, c.seed, i);
      if (record_failure(p, obs)) return obs;
      const auto project = [&](const Vec& z) { return Vec(z - line.u.dot(z) * line.u); };
      const Vec n1 = project(p.z1) - s.alpha(1.0) * line.c;
      const Vec nt = project(p.z) - s.alpha(p.t) * line.c;
      const double gap = (nt - (s.sigma(p.t) / s.sigma(1.0)) * n1).norm();
      // Error model: the solver's global allowance (steps x tolerance x state size, as for every
      // adaptive path here) plus the rounding of the projections.
      const double allowance =
          static_cast<double>(p.steps) * kLineTolerance * (1 + p.z1.norm() + p.z.norm() + y_max) +
          16 * c.set.d * eps * (p.z.norm() + line.c.norm() + n1.norm());
      worst = nan_max(worst, gap / allowance);
      max_normal = nan_max(max_normal, nt.norm());
      normal.push_back(nt.norm());
    }
    std::sort(normal.begin(), normal.end());
    obs.detail("width", width);
    obs.detail("max_normal_distance", max_normal);
    obs.detail("sigma_ratio", s.sigma(kLineEnd) / s.sigma(1.0));
    if (c.variant == "off-line") {
      obs.comparison = Comparison::lower;
      obs.observed = normal[normal.size() / 2];
      obs.bound = width / 4;
    } else {
      obs.observed = worst;
      obs.bound = 1;
    }
    return obs;
  }
};

// Chi-square test of probability-integral-transform values against equal bins.
ChiSquareTest pit_test(const std::vector<double>& pit, int bins) {
  std::vector<long> counts(bins, 0);
  for (double v : pit) ++counts[std::clamp(static_cast<int>(v * bins), 0, bins - 1)];
  return chi_square_uniform(counts);
}

class TangentLaw final : public Check {
 public:
  std::string id() const override { return "C8.tangent"; }
  std::string not_on_data() const override { return kLineSetting; }
  std::string claim() const override { return "C8"; }
  std::string statement() const override {
    return "the tangent coordinate u.Z_t at t = 1e-6 has law (1/n) sum_k N(alpha a_k, sigma^2 + "
           "W^2) "
           "(chi-square on 3n equiprobable bins, max(M, 15 n) paths)";
  }
  std::vector<std::string> groups(const Profile&) const override { return single_width_groups(); }
  rc::Gen<Case> generator(const std::string& group, const Profile& profile) const override {
    return line_cases(group, profile);
  }
  std::vector<Mutant> mutants() const override {
    return {
        {"uniform", line_group(0.1, "linear"),
         "the tangent law is uniform on the segment [a_1 - Delta/2, a_n + Delta/2] for every W"}};
  }
  Observation observe(const Case& c) const override {
    Observation obs;
    const auto scene = open_line_case(c, Comparison::p_value, obs);
    if (!scene) return obs;
    const Line& line = scene->line;
    const LineSmoothedField field = scene->group_field(c);
    const Schedule& s = scene->schedule();
    std::vector<double> pit;
    // 3n bins with at least 5 expected samples each: max(M, 15 n) paths.
    const int paths = std::max(c.starts, 15 * c.set.n);
    for (int i = 0; i < paths; ++i) {
      const LinePath p = smoothed_path(field, line, c.seed, i);
      if (record_failure(p, obs)) return obs;
      const double alpha = s.alpha(p.t), tangent = line.u.dot(p.z);
      if (c.variant == "uniform") {
        const double lo = alpha * (line.a.minCoeff() - line.spacing / 2);
        pit.push_back((tangent - lo) / (alpha * line.spacing * c.set.n));
      } else {
        pit.push_back(mixture_cdf(alpha * line.a, field.tangent_variance(p.t), tangent));
      }
    }
    const ChiSquareTest test = pit_test(pit, 3 * c.set.n);
    obs.observed = test.p_value;
    obs.bound = kLevel;
    obs.detail("width", field.width());
    obs.detail("chi2", test.statistic);
    obs.detail("dof", test.dof);
    return obs;
  }
};

// Two-sided binomial p-value of count successes in trials at probability p.
double binomial_two_sided(long count, long trials, double p) {
  return std::min(1.0, 2 * std::min(binomial_lower_tail(count, trials, p),
                                    binomial_upper_tail(count, trials, p)));
}

class MemorizedFraction final : public Check {
 public:
  std::string id() const override { return "C8.memorized"; }
  std::string not_on_data() const override { return kLineSetting; }
  std::string claim() const override { return "C8"; }
  std::string statement() const override {
    return "over W = 0.02, 0.1, 0.3, 1 Delta the fraction of tangent coordinates within Delta/10 "
           "of "
           "a training point is the exact window mass of the tangent law (it falls from ~1 as W "
           "grows); two-sided binomial per width, Bonferroni over the ladder";
  }
  std::vector<std::string> groups(const Profile&) const override {
    return {"ladder on linear", "ladder on bridge:2"};
  }
  rc::Gen<Case> generator(const std::string& group, const Profile& profile) const override {
    return line_cases(group, profile);
  }
  std::vector<Mutant> mutants() const override {
    return {{"still-memorize", "ladder on linear",
             "smoothed samples still memorize: the fraction stays at its W = 0.02 Delta value"}};
  }
  Observation observe(const Case& c) const override {
    Observation obs;
    const auto scene = open_line_case(c, Comparison::p_value, obs);
    if (!scene) return obs;
    const Line& line = scene->line;
    const Schedule& s = scene->schedule();
    const double delta = kMemorizedWindow * line.spacing;
    double smallest_p = 1, first_predicted = 0;
    for (double ratio : width_ladder()) {
      const LineSmoothedField field(scene->oracle, line.u, ratio * line.spacing);
      long hits = 0;
      double predicted = 0;
      for (int i = 0; i < c.starts; ++i) {
        const LinePath p = smoothed_path(field, line, c.seed, i);
        if (record_failure(p, obs)) return obs;
        const Vec centres = s.alpha(p.t) * line.a;
        hits += ((centres.array() - line.u.dot(p.z)).abs() < delta).any();
        // Every path stops at the same t up to rounding of t: the law there is the same.
        predicted = window_mass(centres, field.tangent_variance(p.t), delta);
      }
      if (ratio == width_ladder().front()) first_predicted = predicted;
      const double claimed = c.variant == "still-memorize" ? first_predicted : predicted;
      smallest_p = std::min(smallest_p, binomial_two_sided(hits, c.starts, claimed));
      obs.row("width_ladder", {{"width_over_spacing", ratio},
                               {"predicted", predicted},
                               {"memorized", static_cast<double>(hits) / c.starts}});
    }
    obs.observed = std::min(1.0, smallest_p * static_cast<double>(width_ladder().size()));
    obs.bound = kLevel;
    obs.detail("delta", delta);
    return obs;
  }
};

}  // namespace

std::vector<std::unique_ptr<Check>> c8_checks() {
  std::vector<std::unique_ptr<Check>> out;
  out.push_back(std::make_unique<NormalRate>());
  out.push_back(std::make_unique<TangentLaw>());
  out.push_back(std::make_unique<MemorizedFraction>());
  return out;
}

}  // namespace siv
