#include "properties/data_study.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "data/dataset.hpp"
#include "solvers/adaptive.hpp"
#include "solvers/brownian.hpp"
#include "solvers/euler_maruyama.hpp"
#include "solvers/fixed_step.hpp"
#include "solvers/start.hpp"
#include "theory/bounds.hpp"
#include "theory/diffusion.hpp"
#include "theory/field.hpp"
#include "theory/random.hpp"

namespace siv {
namespace {

double median(std::vector<double> v) {
  if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

// Distances from x to the nearest and second nearest column of points (d x n).
std::pair<int, std::pair<double, double>> two_nearest(const Mat& points, const ConstVecRef& x) {
  double d1 = std::numeric_limits<double>::infinity(), d2 = d1;
  int k = -1;
  for (Eigen::Index j = 0; j < points.cols(); ++j) {
    const double d = (points.col(j) - x).norm();
    if (d < d1) {
      d2 = d1;
      d1 = d;
      k = static_cast<int>(j);
    } else if (d < d2) {
      d2 = d;
    }
  }
  return {k, {d1, d2}};
}

struct Tally {
  std::vector<double> d1, ratio;
  int gap_hits = 0, ratio_hits = 0;
  void add(const Mat& points, const std::vector<double>& gaps, const Vec& z, const StudyOptions& o) {
    const auto [k, d] = two_nearest(points, z);
    if (k < 0) return;  // a non-finite endpoint memorizes nothing
    d1.push_back(d.first);
    ratio.push_back(d.first / d.second);
    gap_hits += d.first < o.gap_fraction * gaps[static_cast<std::size_t>(k)];
    ratio_hits += d.first / d.second < o.ratio;
  }
  MemorizationRow row(const std::string& schedule, const std::string& sampler, int n, int steps,
                      int samples) const {
    return {schedule, sampler, n, steps, samples, gap_hits / double(samples),
            ratio_hits / double(samples), median(d1), median(ratio)};
  }
};

}  // namespace

DataStudy study_data(const StudyOptions& o) {
  DataStudy out;
  out.gap_fraction = o.gap_fraction;
  out.ratio = o.ratio;
  out.image_steps = o.image_steps;
  const int finest = *std::max_element(o.steps.begin(), o.steps.end());
  for (int n : o.data.sizes) {
    const std::uint64_t subset_seed = derive_seed(o.seed, 0xda7a0000ull + static_cast<std::uint64_t>(n));
    const data::Dataset set = data::load_dataset(
        o.data.source, {n, o.data.label, data::parse_scale(o.data.scale), subset_seed});
    const Mat points = set.rows.transpose();
    std::vector<double> gaps(static_cast<std::size_t>(n));
    for (int k = 0; k < n; ++k) {
      double best = std::numeric_limits<double>::infinity();
      for (int j = 0; j < n; ++j)
        if (j != k) best = std::min(best, (points.col(j) - points.col(k)).norm());
      gaps[static_cast<std::size_t>(k)] = best;
    }
    out.neighbours.push_back({n, set.selection, *std::min_element(gaps.begin(), gaps.end()),
                              median(gaps), *std::max_element(gaps.begin(), gaps.end())});
    for (const auto& spec : o.schedules) {
      const OracleField oracle(set.rows, make_schedule(spec));
      const Schedule& s = oracle.schedule();
      const OracleVelocity field(oracle);
      std::uint64_t name_hash = 0xcbf29ce484222325ull;  // FNV-1a: stable, unlike std::hash
      for (unsigned char ch : spec) name_hash = (name_hash ^ ch) * 0x100000001b3ull;
      const std::uint64_t stream = derive_seed(subset_seed, name_hash);
      Posterior post;
      for (int steps : o.steps) {
        const double h = 1.0 / steps, need = required_margin(n, h);
        std::vector<double> margins;
        int met = 0;
        Rng rng(stream, 0x3a7 + static_cast<std::uint64_t>(steps));
        for (int i = 0; i < o.samples; ++i) {
          const Vec z = s.alpha(h) * points.col(rng.index(n)) + s.sigma(h) * rng.normal_vector(oracle.dim());
          oracle.posterior(s.alpha(h), s.sigma(h), z, post);
          margins.push_back(post.margin);
          met += post.margin >= need;
        }
        out.margins.push_back({spec, n, steps, h, need, median(margins), met / double(o.samples)});
      }
      const bool images = out.images.empty() && set.source->height > 0;
      if (images) out.image_schedule = spec;
      std::vector<SampleImages> shown{{"euler", {}, {}}, {"em", {}, {}}, {"adaptive", {}, {}}};
      const Diffusion eps = make_diffusion("sigma2:1");
      std::vector<Tally> euler(o.steps.size()), em(o.steps.size());
      Tally adaptive;
      auto keep = [&](SampleImages& img, const Vec& z) {
        if (!images || static_cast<int>(img.samples.size()) >= o.images) return;
        img.samples.push_back(z);
        img.nearest.push_back(points.col(two_nearest(points, z).first));
      };
      for (int i = 0; i < o.samples; ++i) {
        Rng rng(stream, static_cast<std::uint64_t>(i));
        const Vec z1 = draw_start(oracle, rng).z;
        const BrownianPath noise(derive_seed(stream, 0xb000 + static_cast<std::uint64_t>(i)), oracle.dim(), finest);
        for (std::size_t r = 0; r < o.steps.size(); ++r) {
          const Endpoint e = solve_fixed(field, z1, Method::euler, o.steps[r]);
          euler[r].add(points, gaps, e.z, o);
          const Endpoint m = solve_euler_maruyama(field, z1, eps, o.steps[r], noise);
          em[r].add(points, gaps, m.z, o);
          if (o.steps[r] == o.image_steps) {
            keep(shown[0], e.z);
            keep(shown[1], m.z);
          }
        }
        const Endpoint a = solve_adaptive(field, z1, AdaptiveOptions{});
        adaptive.add(points, gaps, a.z, o);
        keep(shown[2], a.z);
      }
      for (std::size_t r = 0; r < o.steps.size(); ++r) {
        out.memorization.push_back(euler[r].row(spec, "euler", n, o.steps[r], o.samples));
        out.memorization.push_back(em[r].row(spec, "em", n, o.steps[r], o.samples));
      }
      out.memorization.push_back(adaptive.row(spec, "adaptive", n, 0, o.samples));
      if (images) out.images = shown;
    }
  }
  return out;
}

}  // namespace siv
