#include "theory/basin.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>
#include <vector>

#if defined(__AVX__) && defined(__FMA__)
#include <immintrin.h>
#endif

namespace siv {
namespace {

constexpr double kEps = std::numeric_limits<double>::epsilon();
// Gaps beyond this are invisible in double precision (e^-40 < 2^-57): such a point may move by
// up to g_j - kInvisibleGap within one step without ever mattering to it.
constexpr double kInvisibleGap = 40.0;

// Slack on a Cauchy-Schwarz bound for the rounding of the sums it bounds (d eps << 1e-9).
constexpr double kBoundSlack = 1 + 1e-9;
constexpr double kMemoBytes = 64e6;

// x - alpha y with one rounding per entry (as the oracle forms its logits).
double centred_sq(double alpha, const ConstVecRef& x, const ConstVecRef& y, Vec& out) {
  for (Eigen::Index i = 0; i < x.size(); ++i) out[i] = std::fma(-alpha, y[i], x[i]);
  return out.squaredNorm();
}

// The step ceiling of one gap (see BasinReading::max_step): decreasing in the rate a and the
// curvature bound, also as rounded.
double gap_step(double a, double curve, double gap) {
  const double allowed = std::max(1.0, gap - kInvisibleGap);
  return 2 * allowed / (a + std::sqrt(a * a + 2 * curve * allowed));
}

// Centres per block of a pass over many columns: 256 KB of them, so that they stay in a 512 KB L2
// cache while every column passes over them.
Eigen::Index cache_block(Eigen::Index d) { return std::max<Eigen::Index>(1, (1 << 18) / (8 * std::max<Eigen::Index>(d, 1))); }

}  // namespace

BasinGeometry::BasinGeometry(const Mat& points) : points_(points) {
  for (Eigen::Index i = 0; i < points.cols(); ++i) max_norm_ = std::max(max_norm_, points.col(i).norm());
  const double per_leader = 8.0 * static_cast<double>(std::max<Eigen::Index>(points.cols(), 1));
  memo_capacity_ = static_cast<std::size_t>(
      std::clamp(kMemoBytes / per_leader, 1.0, static_cast<double>(std::max<Eigen::Index>(points.cols(), 1))));
}

std::shared_ptr<const Vec> BasinGeometry::distances_from(int k) const {
  {
    const std::lock_guard lock(mutex_);
    for (auto it = memo_.begin(); it != memo_.end(); ++it)
      if (it->first == k) {
        auto found = *it;
        memo_.erase(it);
        memo_.push_front(found);
        return found.second;
      }
  }
  auto dist = std::make_shared<Vec>(points_.cols());
  const auto yk = points_.col(k);
  for (Eigen::Index i = 0; i < points_.cols(); ++i) (*dist)[i] = (points_.col(i) - yk).norm();
  const std::lock_guard lock(mutex_);
  memo_.emplace_front(k, dist);
  if (memo_.size() > memo_capacity_) memo_.pop_back();
  return dist;
}

Mat basin_logits(const BasinGeometry& geometry, double alpha, double sigma, const ConstMatRef& x) {
  const Mat& points = geometry.points();
  const Eigen::Index n = points.cols(), d = points.rows();
  const Eigen::Index block = cache_block(d);
  thread_local Vec diff;
  diff.resize(d);
  const double inv_two_var = 0.5 / (sigma * sigma);
  Mat logits(n, x.cols());
  for (Eigen::Index first = 0; first < n; first += block)
    for (Eigen::Index j = 0; j < x.cols(); ++j)
      for (Eigen::Index i = first; i < std::min(n, first + block); ++i)
        logits(i, j) = -centred_sq(alpha, x.col(j), points.col(i), diff) * inv_two_var;
  return logits;
}

BasinSnapshot::BasinSnapshot(const BasinGeometry& geometry, double alpha, double sigma,
                             const ConstVecRef& x)
    : BasinSnapshot(geometry, alpha, sigma, x, basin_logits(geometry, alpha, sigma, x)) {}

BasinSnapshot::BasinSnapshot(const BasinGeometry& geometry, double alpha, double sigma,
                             const ConstVecRef& x, Vec logits)
    : BasinSnapshot(Phased{}, geometry, alpha, sigma, x, std::move(logits)) {
  const Eigen::Index n = logits_.size();
  add_offsets(0, n);
  prepare_rates();
  add_rates(n);
  finish();
}

std::vector<BasinSnapshot> BasinSnapshot::many(const BasinGeometry& geometry, double alpha, double sigma,
                                               const ConstMatRef& x) {
  const Mat logits = basin_logits(geometry, alpha, sigma, x);
  std::vector<BasinSnapshot> out;
  out.reserve(static_cast<std::size_t>(x.cols()));
  for (Eigen::Index c = 0; c < x.cols(); ++c)
    out.push_back(BasinSnapshot(Phased{}, geometry, alpha, sigma, x.col(c), logits.col(c)));
  // Each pass over the centres goes block by block for all columns (every sum still runs in
  // index order within its column).
  const Eigen::Index n = geometry.points().cols(), block = cache_block(geometry.points().rows());
  for (Eigen::Index first = 0; first < n; first += block)
    for (BasinSnapshot& s : out) s.add_offsets(first, std::min(n, first + block));
  for (BasinSnapshot& s : out) s.prepare_rates();
  for (Eigen::Index first = 0; first < n; first += block)
    for (BasinSnapshot& s : out) s.add_rates(std::min(n, first + block));
  for (BasinSnapshot& s : out) s.finish();
  return out;
}

BasinSnapshot::BasinSnapshot(Phased, const BasinGeometry& geometry, double alpha, double sigma,
                             const ConstVecRef& x, Vec logits)
    : geometry_(geometry), alpha_(alpha), sigma_(sigma), lambda_(alpha / sigma), x_(x),
      logits_(std::move(logits)) {
  const Eigen::Index n = geometry.points().cols();
  if (logits_.size() != n) throw std::invalid_argument("BasinSnapshot: logits must have one entry per centre");
  Eigen::Index k = 0;
  for (Eigen::Index i = 1; i < n; ++i)
    if (logits_[i] > logits_[k]) k = i;
  leader_ = k;
  max_step_ = std::numeric_limits<double>::infinity();
  dist_ = geometry.distances_from(static_cast<int>(k));
  const Vec& dist = *dist_;
  closest_ = std::numeric_limits<double>::infinity();
  weights_.resize(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const double w = weights_[i] = std::exp(logits_[i] - logits_[k]);
    total_ += w;
    if (dist[i] == 0) {
      cluster_ += w;
      copies_ += i != k;
    } else {
      reach_ = std::max(reach_, dist[i]);
      closest_ = std::min(closest_, dist[i]);
    }
  }
  r_.setZero(geometry.points().rows());
}

void BasinSnapshot::add_offsets(Eigen::Index first, Eigen::Index last) {
  const Mat& points = geometry_.points();
  const Vec& dist = *dist_;
  const auto yk = points.col(leader_);
  for (Eigen::Index i = first; i < last; ++i)
    if (dist[i] != 0 && weights_[i] != 0) r_ += weights_[i] * (points.col(i) - yk);  // zero weights add exact zeros
}

void BasinSnapshot::prepare_rates() {
  r_ /= total_;
  if (!(reach_ > 0)) return;  // a single point, up to duplicates: nothing to decide
  const Eigen::Index n = logits_.size(), d = x_.size();
  // Rounding of u = x / sigma and of the centres alpha y_i, in standardized units.
  resolution_ = 2 * kEps * std::sqrt(static_cast<double>(d)) * (x_.norm() / sigma_ + lambda_ * geometry_.max_norm());
  lazy_ = logits_.allFinite() && std::isfinite(resolution_) && std::isfinite(total_);
  // Gap rates dg_j/dlambda = delta . (u - lambda y_j + lambda r) where the weight is nonzero.
  rate_.setConstant(n, -1);
  const Vec& dist = *dist_;
  for (Eigen::Index j = 0; j < n; ++j)
    if (dist[j] > 0 && !(lazy_ && weights_[j] == 0)) needed_.push_back(j);
  spread_.resize(n);
}

void BasinSnapshot::add_rates(Eigen::Index last) {
  const std::size_t from = next_needed_;
  while (next_needed_ < needed_.size() && needed_[next_needed_] < last) ++next_needed_;
  fill_gap_rates(std::span(needed_).subspan(from, next_needed_ - from), &spread_);
}

void BasinSnapshot::finish() {
  if (!(reach_ > 0)) return;
  const Mat& points = geometry_.points();
  const Vec& dist = *dist_;
  const Eigen::Index n = logits_.size(), k = leader_;
  const auto yk = points.col(k);
  // The rate of m (zero weights add exact zeros).
  for (const Eigen::Index j : needed_) m_rate_ += 2 * weights_[j] / total_ * dist[j] * rate_[j];
  // Predicted |change of g_j| over a step h: |gdot| h + K h^2 / 2, K bounding d2g/dlambda2 =
  // |delta|^2 + 2 delta . r + lambda delta . dm/dlambda. A gap whose rate is unknown enters with
  // the bound |gdot| <= |delta| (|u - lambda y_j| + lambda |r|), |u - lambda y_j| = sqrt(-2 l_j),
  // and only when that bound could lower the ceiling is its rate computed.
  const double r_norm = r_.norm();
  const auto curve = [&](Eigen::Index j) { return dist[j] * (dist[j] + 2 * r_norm + lambda_ * m_rate_); };
  for (Eigen::Index j = 0; j < n; ++j)
    if (rate_[j] >= 0) max_step_ = std::min(max_step_, gap_step(rate_[j], curve(j), logits_[k] - logits_[j]));
  for (Eigen::Index j = 0; j < n; ++j) {
    if (dist[j] == 0 || rate_[j] >= 0) continue;
    const double gap = logits_[k] - logits_[j];
    const double bound = kBoundSlack * dist[j] * (std::sqrt(-2 * logits_[j]) + lambda_ * r_norm);
    if (!(gap_step(bound, curve(j), gap) < max_step_)) continue;
    rate_[j] = gap_rate(j);
    max_step_ = std::min(max_step_, gap_step(rate_[j], curve(j), gap));
  }
  for (Eigen::Index i = 0; i < n; ++i) {
    if (lazy_ && weights_[i] == 0) continue;
    variance_ += weights_[i] / total_ * (dist[i] > 0 ? spread_[i] : (points.col(i) - yk - r_).squaredNorm());
  }
}

double BasinSnapshot::gap_rate(Eigen::Index j) const {
  const Mat& points = geometry_.points();
  const auto yk = points.col(leader_);
  double s = 0;
  for (Eigen::Index i = 0; i < points.rows(); ++i)
    s += (yk[i] - points(i, j)) * (std::fma(-alpha_, points(i, j), x_[i]) / sigma_ + lambda_ * r_[i]);
  return std::abs(s);
}

void BasinSnapshot::fill_gap_rates(std::span<const Eigen::Index> js, Vec* spread) {
  const auto yk_col = geometry_.points().col(leader_);
  const auto fill_spread = [&](Eigen::Index j) {
    if (spread) (*spread)[j] = (geometry_.points().col(j) - yk_col - r_).squaredNorm();
  };
  std::size_t q = 0;
#if defined(__AVX__) && defined(__FMA__)
  // Four centres at once, one per lane: each lane does gap_rate's operations in its order, so the
  // rates are the same bits, without gap_rate's chain of one division per term.
  const Mat& points = geometry_.points();
  const double* yk = points.col(leader_).data();
  const __m256d minus_alpha = _mm256_set1_pd(-alpha_), sigma = _mm256_set1_pd(sigma_);
  for (; q + 4 <= js.size(); q += 4) {
    const double* y0 = points.col(js[q]).data();
    const double* y1 = points.col(js[q + 1]).data();
    const double* y2 = points.col(js[q + 2]).data();
    const double* y3 = points.col(js[q + 3]).data();
    __m256d s = _mm256_setzero_pd();
    for (Eigen::Index i = 0; i < points.rows(); ++i) {
      const __m256d y = _mm256_set_pd(y3[i], y2[i], y1[i], y0[i]);
      const __m256d centred = _mm256_fmadd_pd(minus_alpha, y, _mm256_set1_pd(x_[i]));
      const __m256d v = _mm256_add_pd(_mm256_div_pd(centred, sigma), _mm256_set1_pd(lambda_ * r_[i]));
      s = _mm256_add_pd(s, _mm256_mul_pd(_mm256_sub_pd(_mm256_set1_pd(yk[i]), y), v));
    }
    alignas(32) double lanes[4];
    _mm256_store_pd(lanes, s);
    for (int l = 0; l < 4; ++l) {
      rate_[js[q + l]] = std::abs(lanes[l]);
      fill_spread(js[q + l]);
    }
  }
#endif
  for (; q < js.size(); ++q) {
    rate_[js[q]] = gap_rate(js[q]);
    fill_spread(js[q]);
  }
}

void BasinSnapshot::complete_gap_rates() {
  const Vec& dist = *dist_;
  std::vector<Eigen::Index> missing;
  for (Eigen::Index j = 0; j < rate_.size(); ++j)
    if (dist[j] > 0 && rate_[j] < 0) missing.push_back(j);
  fill_gap_rates(missing);
}

BasinReading BasinSnapshot::read(const BasinErrors& errors) {
  BasinReading out;
  out.leader = static_cast<int>(leader_);
  out.copies = copies_;
  out.max_step = max_step_;
  if (!(reach_ > 0)) {
    out.certified = std::isfinite(total_);
    return out;
  }
  out.resolution = resolution_;
  const double error = errors.state + resolution_;
  // A rate the snapshot left unknown multiplies errors.lambda: needed unless that is zero.
  if (errors.lambda != 0) complete_gap_rates();
  const Vec& dist = *dist_;
  const double lk = logits_[leader_];
  const double rho = closest_ / (2 * reach_);
  double widest = 0;  // largest uncertainty of a gap over the error ball
  double odds = 0;  // sum over j outside the cluster of w_j / w_C, at the worst state of the ball
  for (Eigen::Index j = 0; j < logits_.size(); ++j) {
    if (dist[j] == 0) continue;
    const double gap = lk - logits_[j];
    const double scaled = lambda_ * dist[j];
    const double rate = rate_[j] >= 0 ? rate_[j] : 0.0;
    const double uncertainty = scaled * error + errors.lambda * rate +
                               4 * kEps * (std::abs(lk) + std::abs(logits_[j]));
    const double robust = gap - uncertainty;
    if (!(robust > 0)) {
      out.ambiguous = true;
      if (scaled >= 1 && error >= scaled / 4) out.unresolvable = true;
    }
    odds += std::exp(-robust) / cluster_;
    widest = std::max(widest, uncertainty);
  }
  // |dm/du| = lambda |Cov_w| <= lambda tr Cov_w; over the ball each weight ratio moves by at most
  // e^(2 widest).
  out.growth = lambda_ * variance_ * std::exp(std::min(2 * widest, 700.0));
  out.certified = !out.ambiguous && odds / (1 + odds) < rho;
  return out;
}

BasinReading read_basin(const BasinGeometry& geometry, double alpha, double sigma, const ConstVecRef& x,
                        const BasinErrors& errors) {
  return BasinSnapshot(geometry, alpha, sigma, x).read(errors);
}

BasinReading read_basin(const Mat& points, double alpha, double sigma, const ConstVecRef& x,
                        const BasinErrors& errors) {
  const BasinGeometry geometry(points);
  return read_basin(geometry, alpha, sigma, x, errors);
}

}  // namespace siv
