// Speed targets of the batched oracle field (issue 9), each measured against its peer in the
// same run and printed as a ratio:
//   BM_FieldBatch/B/n   batched field, d = 784, against single-thread OpenBLAS dgemm on the same
//                       two products (Y^T X and Y W) called here; counter dgemm_share = dgemm time
//                       / field time in thread CPU time (target >= 0.6); the label names the
//                       OpenBLAS kernel in use
//   BM_Euler/M/n/thr    Euler, d = 784, N = 100 steps, M samples, on `thr` threads; when PyTorch
//                       is installed, bench/peer_euler.py runs the same loop on the same data and
//                       start points in float64 (GEMM distances) on the same number of threads:
//                       counters peer_ratio = peer wall time / ours, peer_cpu_ratio the same in
//                       CPU time (robust on a loaded machine), endpoint_gap = max relative
//                       endpoint difference.
// Data: random pixels in [0, 1] of Fashion-MNIST shape (d = 784), float64, held once (n d 8 bytes,
// counter data_MB); the kernel adds n x 64 doubles of scratch per thread (counter scratch_MB).
// Run: build/siverify_bench --benchmark_filter='FieldBatch|Euler'
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <cblas.h>
#include <time.h>
#include <unistd.h>

#include "solvers/fixed_step.hpp"
#include "solvers/start.hpp"
#include "theory/field.hpp"
#include "theory/gemm.hpp"
#include "theory/random.hpp"

namespace siv {
namespace {

constexpr int kPixels = 784;

Mat random_pixels(int n, std::uint64_t seed) {
  Rng rng(seed);
  Mat y(n, kPixels);
  for (Eigen::Index i = 0; i < y.size(); ++i) y(i) = rng.uniform();
  return y;
}

// CPU seconds of this thread or of the whole process: on a shared machine wall time measures the
// other jobs too, CPU time only this one.
double cpu_seconds(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}
double thread_cpu() { return cpu_seconds(CLOCK_THREAD_CPUTIME_ID); }
double process_cpu() { return cpu_seconds(CLOCK_PROCESS_CPUTIME_ID); }

void memory_counters(benchmark::State& state, int n, int threads) {
  state.counters["data_MB"] = 8.0 * n * kPixels / 1e6;
  state.counters["scratch_MB"] = 8.0 * n * kBatchChunk * threads / 1e6;
}

// Batched field at t = 0.5 on the linear schedule (weights spread over many centres: both GEMMs
// run), against the two dgemm calls of the same shapes.
void BM_FieldBatch(benchmark::State& state) {
  const int b = static_cast<int>(state.range(0)), n = static_cast<int>(state.range(1));
  const OracleField oracle(random_pixels(n, 1), make_schedule("linear"));
  Rng rng(2);
  const double t = 0.5;
  Mat x(kPixels, b);
  for (int i = 0; i < b; ++i) x.col(i) = draw_start(oracle, rng).z * t + (1 - t) * oracle.points().col(rng.index(n));
  Mat g(n, b), w = Mat::Constant(n, b, 1.0 / n), mean(kPixels, b);
  ColumnBatch out;
  double field_time = 0, dgemm_time = 0;
  for (auto _ : state) {
    double start = thread_cpu();
    oracle.evaluate_columns(t, x, out);
    field_time += thread_cpu() - start;
    benchmark::DoNotOptimize(out.b.data());
    start = thread_cpu();
    gemm_tn(oracle.points(), x, g);
    gemm_nn(oracle.points(), w, mean);
    dgemm_time += thread_cpu() - start;
    benchmark::DoNotOptimize(mean.data());
  }
  const double flops = 4.0 * n * kPixels * b * static_cast<double>(state.iterations());
  state.counters["field_GFLOPs"] = flops / field_time / 1e9;
  state.counters["dgemm_GFLOPs"] = flops / dgemm_time / 1e9;
  state.counters["dgemm_share"] = dgemm_time / field_time;
  // OpenBLAS 0.3.21 takes AMD Zen 4 for Haswell (no AVX-512 kernel) unless OPENBLAS_CORETYPE says.
  state.SetLabel(std::string("OpenBLAS ") + openblas_get_corename());
  state.counters["direct_frac"] = out.direct.cast<double>().sum() / (static_cast<double>(n) * b);
  memory_counters(state, n, 1);
}
BENCHMARK(BM_FieldBatch)
    ->Args({256, 1000})->Args({1024, 1000})->Args({256, 10000})->Args({1024, 10000})
    ->Unit(benchmark::kMillisecond)->UseRealTime();

void write_raw(const std::filesystem::path& file, const Mat& rows) {
  const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> r = rows;
  std::ofstream(file, std::ios::binary).write(reinterpret_cast<const char*>(r.data()),
                                              static_cast<std::streamsize>(r.size() * sizeof(double)));
}

Mat read_raw(const std::filesystem::path& file, Eigen::Index rows, Eigen::Index cols) {
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> r(rows, cols);
  std::ifstream(file, std::ios::binary).read(reinterpret_cast<char*>(r.data()),
                                             static_cast<std::streamsize>(r.size() * sizeof(double)));
  return r;
}

// The first of $SIVERIFY_PYTHON, python3 and /usr/bin/python3 (Debian's, where python3-torch
// installs) that imports torch; empty when none does.
std::string torch_python() {
  std::vector<std::string> candidates;
  if (const char* env = std::getenv("SIVERIFY_PYTHON")) candidates.emplace_back(env);
  candidates.insert(candidates.end(), {"python3", "/usr/bin/python3"});
  for (const std::string& p : candidates)
    if (std::system((p + " -c 'import torch' 2>/dev/null").c_str()) == 0) return p;
  return "";
}

// Euler, N = 100 steps, linear schedule. The peer reads the same data and starts.
void BM_Euler(benchmark::State& state) {
  const int m = static_cast<int>(state.range(0)), n = static_cast<int>(state.range(1));
  const int threads = static_cast<int>(state.range(2)), steps = 100;
  const Mat data = random_pixels(n, 3);
  const OracleField oracle(data, make_schedule("linear"));
  const OracleVelocity field(oracle, threads);
  Rng rng(4);
  Mat z1(kPixels, m);
  for (int i = 0; i < m; ++i) z1.col(i) = draw_start(oracle, rng).z;
  std::vector<Endpoint> ends;
  double ours = 0, ours_cpu = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    const double cpu = process_cpu();
    ends = solve_fixed_batch(field, z1, Method::euler, steps);
    ours_cpu += process_cpu() - cpu;
    ours += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  ours /= static_cast<double>(state.iterations());
  ours_cpu /= static_cast<double>(state.iterations());
  state.counters["ours_s"] = ours;
  state.counters["ours_cpu_s"] = ours_cpu;
  memory_counters(state, n, threads);
  const std::string script = SIVERIFY_SOURCE_DIR "/bench/peer_euler.py";
  const std::string python = torch_python();
  if (python.empty()) {
    state.SetLabel("peer: PyTorch not installed");
    return;
  }
  const auto dir = std::filesystem::temp_directory_path() / ("siverify_peer_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  write_raw(dir / "data.f64", data);
  write_raw(dir / "z1.f64", z1.transpose());
  const std::string command = python + " " + script + " " + dir.string() + " " + std::to_string(n) + " " +
                              std::to_string(m) + " " + std::to_string(steps) + " " + std::to_string(threads) +
                              " > " + (dir / "peer.txt").string();
  if (std::system(command.c_str()) != 0) {
    state.SkipWithError("bench/peer_euler.py failed");
    return;
  }
  double peer = 0, peer_cpu = 0;
  std::ifstream(dir / "peer.txt") >> peer >> peer_cpu;
  const Mat theirs = read_raw(dir / "z0.f64", m, kPixels).transpose();
  double gap = 0;
  for (int i = 0; i < m; ++i)
    gap = std::max(gap, (theirs.col(i) - ends[static_cast<std::size_t>(i)].z).norm() / ends[static_cast<std::size_t>(i)].z.norm());
  std::filesystem::remove_all(dir);
  state.counters["peer_s"] = peer;
  state.counters["peer_cpu_s"] = peer_cpu;
  state.counters["peer_ratio"] = peer / ours;
  state.counters["peer_cpu_ratio"] = peer_cpu / ours_cpu;
  state.counters["endpoint_gap"] = gap;
}
BENCHMARK(BM_Euler)
    ->Args({256, 1000, 1})->Args({256, 1000, 2})->Args({64, 60000, 2})
    ->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();

}  // namespace
}  // namespace siv
