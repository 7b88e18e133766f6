// The batched oracle kernel (OracleField::evaluate_columns). For a column x and centre k the GEMM
// gives g = y_k . x, and D~ = |x|^2 + a (a |y_k|^2 - 2 g) approximates D = |x - alpha y_k|^2 with
//   |D~ - D| <= E = 2 [gamma_{d+4} (|x| + a |y_k|)^2 + 2 delta |y_k| (|x| + (a + delta) |y_k|)],
// gamma_m = m u / (1 - m u): every dot product and norm errs by at most gamma_d |.| |.| whatever the
// summation order, four more roundings combine them, and delta bounds |a - alpha| (the schedules
// give alpha within 4 (1 + |log alpha|) ulp and 1 - alpha within 4 ulp; tests/theory/schedule_test).
// The factor 2 covers the rounding of the norms and of E itself. Then, with U* = min_k (D~ + E):
//   - a centre with D~ - E > U* + 2 sigma^2 T (T = 760) has weight below e^-T (< 1e-330) relative to
//     the nearest one: it is left out, and log(count) - T is the certificate;
//   - a kept centre whose bound is small against the distance itself (E <= 16 gamma_{d+2} (D~ - E),
//     i.e. within a factor 16 of the direct sum's own bound) keeps its GEMM logit; every other kept
//     centre is recomputed from direct differences, exactly as OracleField::fill_posterior does.
// The margin's second logit is the best kept one unless a left-out centre's upper bound exceeds it;
// such centres are recomputed directly, so the margin is that of the direct kernel's logits.
#include <cmath>
#include <limits>
#include <stdexcept>
#include <thread>
#include <vector>

#include "theory/gemm.hpp"
#include "theory/oracle.hpp"

namespace siv {
namespace {

constexpr double kUnit = std::numeric_limits<double>::epsilon() / 2;
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNegligible = 760;  // log weight ratio below which a centre cannot matter

double gamma(double m) { return m * kUnit / (1 - m * kUnit); }

}  // namespace

struct OracleField::Chunk {
  Mat g;     // n x b: GEMM products, then D~, then the weights of the weighted mean
  Mat mean;  // d x b: second GEMM
  Vec diff, offset;
  std::vector<int> kept;  // kept centres of the current column
  std::vector<double> logits;
  std::vector<std::vector<int>> support;  // per column: centres with a nonzero weight, nearest first
  Posterior fallback;
};

// Fills m, the residual x - alpha m (in out.s, scaled by evaluate_columns) and the posterior
// summary of columns first .. first + b - 1.
void OracleField::evaluate_chunk(const Mixture& mix, const ConstMatRef& x, Eigen::Index first,
                                 ColumnBatch& out, Chunk& sc) const {
  const Eigen::Index n = size(), d = dim(), b = x.cols();
  const double sigma = mix.sigma, inv_two_var = 0.5 / (sigma * sigma);
  // The screening coefficient a and its distance delta from the exact alpha(t).
  const double a = mix.use_complement ? 1 - mix.complement : mix.alpha;
  const double delta =
      (mix.use_complement ? kUnit * (1 + 4 * mix.complement)
                          : 4 * kUnit * std::abs(a) * (1 + std::abs(std::log(std::abs(a))))) *
      (1 + 4 * kUnit);
  const double gam = gamma(static_cast<double>(d) + 4), accept = 16 * gamma(static_cast<double>(d) + 2);
  const double cut_width = 2 * sigma * sigma * kNegligible * (1 + 8 * kUnit);
  auto direct_logit = [&](const auto& xj, Eigen::Index k) {
    sc.diff.resize(d);
    for (Eigen::Index i = 0; i < d; ++i) sc.diff[i] = centred_coordinate(mix, xj[i], points_(i, k));
    return -sc.diff.squaredNorm() * inv_two_var;
  };

  sc.g.resize(n, b);
  gemm_tn(points_, x, sc.g);
  sc.support.resize(b);
  Eigen::Index support_total = 0;
  for (Eigen::Index j = 0; j < b; ++j) {
    const Eigen::Index c = first + j;
    const auto xj = x.col(j);
    const double xn2 = xj.squaredNorm(), xn = std::sqrt(xn2);
    auto col = sc.g.col(j);
    auto bound = [&](Eigen::Index k) {
      const double s = xn + std::abs(a) * norms_[k];
      return 2 * (gam * s * s + 2 * delta * norms_[k] * (xn + (std::abs(a) + delta) * norms_[k]));
    };
    double upper = kInf;
    for (Eigen::Index k = 0; k < n; ++k) {
      col[k] = xn2 + a * (a * squared_norms_[k] - 2 * col[k]);
      upper = std::min(upper, col[k] + bound(k));
    }
    std::vector<int>& support = sc.support[j];
    support.clear();
    if (!(std::isfinite(xn2) && std::isfinite(upper))) {
      // Non-finite or overflowing input: the direct kernel, NaN and all.
      fill_posterior(mix, xj, sc.fallback);
      const Posterior& p = sc.fallback;
      out.m.col(c) = p.m;
      sc.diff.resize(d);
      for (Eigen::Index i = 0; i < d; ++i) sc.diff[i] = centred_coordinate(mix, xj[i], points_(i, p.nearest));
      out.s.col(c) = sc.diff - mix.alpha * p.offset;
      out.nearest[c] = p.nearest;
      out.wmax[c] = p.wmax;
      out.log_deficit[c] = p.log_deficit;
      out.margin[c] = p.margin;
      out.log_skipped[c] = -kInf;
      out.candidates[c] = out.direct[c] = static_cast<int>(n);
      out.gemm_mean[c] = 0;
      col.setZero();
      continue;
    }
    sc.kept.clear();
    sc.logits.clear();
    int direct = 0;
    const double cut = upper + cut_width;
    for (Eigen::Index k = 0; k < n; ++k) {
      const double e = bound(k), lower = col[k] - e;
      if (!(lower <= cut)) continue;
      sc.kept.push_back(static_cast<int>(k));
      if (e <= accept * lower) {
        sc.logits.push_back(-col[k] * inv_two_var);
      } else {
        sc.logits.push_back(direct_logit(xj, k));
        ++direct;
      }
    }
    const std::size_t m = sc.kept.size();
    std::size_t best = 0;
    for (std::size_t i = 1; i < m; ++i)
      if (sc.logits[i] > sc.logits[best]) best = i;
    const double top = sc.logits[best];
    double second = -kInf;
    for (std::size_t i = 0; i < m; ++i)
      if (i != best) second = std::max(second, sc.logits[i]);
    // Left-out centres whose logit could still exceed the second: recompute them (rare).
    for (Eigen::Index k = 0, next = 0; k < n; ++k) {
      if (next < static_cast<Eigen::Index>(m) && sc.kept[next] == k) { ++next; continue; }
      if (!(-(col[k] - bound(k)) * inv_two_var > second)) continue;
      second = std::max(second, direct_logit(xj, k));
      ++direct;
    }
    const Eigen::Index left_out = n - static_cast<Eigen::Index>(m);
    out.log_skipped[c] = left_out == 0 ? -kInf : std::log(static_cast<double>(left_out)) - kNegligible;
    out.candidates[c] = static_cast<int>(m);
    out.direct[c] = direct;
    out.margin[c] = top - second;
    out.nearest[c] = sc.kept[best];
    // Weights exp(l - top) in the column, zero elsewhere, summed in index order as fill_posterior.
    col.setZero();
    double others = 0;
    support.push_back(sc.kept[best]);
    for (std::size_t i = 0; i < m; ++i) {
      if (i == best) continue;
      const double e = std::exp(sc.logits[i] - top);
      if (e == 0) continue;
      col[sc.kept[i]] = e;
      others += e;
      support.push_back(sc.kept[i]);
    }
    col[sc.kept[best]] = 1;
    out.wmax[c] = 1 / (1 + others);
    out.log_deficit[c] = others == 0 ? -kInf : std::log(others) - std::log1p(others);
    support_total += static_cast<Eigen::Index>(support.size());
  }

  // The weighted mean from a GEMM pays off when the supports are dense; it is used for a column
  // when its rounding bound, gamma (sum_k w_k |y_k| + |y_0|) with y_0 the nearest centre, is within
  // a factor 2 of the direct sum's, gamma (sum_k w_k |y_k - y_0| + |x - alpha y_0| / alpha), whose
  // first term is at least |m - y_0|.
  const bool gemm_mean = support_total > n * b / 8;
  if (gemm_mean) {
    sc.mean.resize(d, b);
    gemm_nn(points_, sc.g, sc.mean);
  }
  for (Eigen::Index j = 0; j < b; ++j) {
    const std::vector<int>& support = sc.support[j];
    if (support.empty()) continue;  // the fallback filled it
    const Eigen::Index c = first + j;
    const auto xj = x.col(j);
    const int k0 = support[0];
    const auto y0 = points_.col(k0);
    const double total = 1 / out.wmax[c];
    sc.diff.resize(d);
    for (Eigen::Index i = 0; i < d; ++i) sc.diff[i] = centred_coordinate(mix, xj[i], y0[i]);
    bool done = false;
    if (gemm_mean && support.size() > 1) {
      sc.offset = (sc.mean.col(j) - total * y0) / total;
      double lhs = total * norms_[k0];
      for (int k : support) lhs += sc.g(k, j) * norms_[k];
      const double rhs = 2 * total * (sc.diff.norm() / std::abs(mix.alpha) + sc.offset.norm());
      done = lhs <= rhs;
    }
    if (!done) {
      sc.offset.setZero(d);
      for (std::size_t i = 1; i < support.size(); ++i)
        sc.offset += sc.g(support[i], j) * (points_.col(support[i]) - y0);
      sc.offset /= total;
    }
    out.gemm_mean[c] = done;
    out.m.col(c) = y0 + sc.offset;
    out.s.col(c) = sc.diff - mix.alpha * sc.offset;
  }
}

void OracleField::evaluate_columns(double t, const ConstMatRef& x, ColumnBatch& out, int threads) const {
  if (x.rows() != dim())
    throw std::invalid_argument("batch has " + std::to_string(x.rows()) + " rows, field has d = " +
                                std::to_string(dim()));
  if (threads < 1) throw std::invalid_argument("evaluate_columns: threads must be >= 1");
  const Eigen::Index cols = x.cols();
  out.b.resize(dim(), cols);
  out.s.resize(dim(), cols);
  out.m.resize(dim(), cols);
  out.nearest.resize(cols);
  out.wmax.resize(cols);
  out.log_deficit.resize(cols);
  out.margin.resize(cols);
  out.log_skipped.resize(cols);
  out.candidates.resize(cols);
  out.direct.resize(cols);
  out.gemm_mean.resize(cols);
  const Schedule& s = *schedule_;
  const Mixture mix = Mixture::at(s, t);
  const double dalpha = s.dalpha(t), rate = s.log_sigma_rate(t), var = mix.sigma * mix.sigma;
  const Eigen::Index chunks = (cols + kBatchChunk - 1) / kBatchChunk;
  auto work = [&](Eigen::Index worker, Eigen::Index workers) {
    thread_local Chunk sc;
    for (Eigen::Index q = worker; q < chunks; q += workers) {
      const Eigen::Index first = q * kBatchChunk, width = std::min(kBatchChunk, cols - first);
      evaluate_chunk(mix, x.middleCols(first, width), first, out, sc);
      for (Eigen::Index c = first; c < first + width; ++c) {
        // As evaluate(): the residual was left in s.
        out.b.col(c) = dalpha * out.m.col(c) + rate * out.s.col(c);
        out.s.col(c) = -out.s.col(c) / var;
      }
    }
  };
  const Eigen::Index workers = std::min<Eigen::Index>(threads, chunks);
  if (workers <= 1) {
    work(0, 1);
    return;
  }
  std::vector<std::jthread> pool;
  for (Eigen::Index w = 1; w < workers; ++w) pool.emplace_back(work, w, workers);
  work(0, workers);
}

}  // namespace siv
