// Speed of the hot paths, on the sizes the profiles use: field evaluations (single point and
// batch), one adaptive sample, one Euler sample. Run: build/siverify_bench.
#include <benchmark/benchmark.h>

#include "properties/training_set.hpp"
#include "solvers/adaptive.hpp"
#include "solvers/fixed_step.hpp"
#include "solvers/start.hpp"
#include "theory/field.hpp"

namespace siv {
namespace {

OracleField make_oracle(int n, int d, const char* schedule = "bridge:2") {
  return OracleField(build_training_set({n, d, 1.0, 7}), make_schedule(schedule));
}

void BM_Velocity(benchmark::State& state) {
  const OracleField oracle = make_oracle(state.range(0), state.range(1));
  Rng rng(1);
  const Vec x = draw_start(oracle, rng).z * 0.1;
  Vec b(oracle.dim());
  for (auto _ : state) {
    oracle.velocity(0.05, x, b);
    benchmark::DoNotOptimize(b.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Velocity)->Args({5, 2})->Args({64, 2})->Args({64, 16});

void BM_Batch(benchmark::State& state) {
  const OracleField oracle = make_oracle(state.range(0), state.range(1));
  const Mat x = Mat::Random(1024, oracle.dim());
  FieldBatch out;
  for (auto _ : state) {
    oracle.evaluate_batch(0.05, x, out);
    benchmark::DoNotOptimize(out.b.data());
  }
  state.SetItemsProcessed(state.iterations() * x.rows());
}
BENCHMARK(BM_Batch)->Args({5, 2})->Args({64, 16});

void BM_AdaptiveSample(benchmark::State& state) {
  const OracleField oracle = make_oracle(state.range(0), state.range(1));
  const OracleVelocity field(oracle);
  Rng rng(2);
  const Vec z1 = draw_start(oracle, rng).z;
  AdaptiveOptions options;
  for (auto _ : state) benchmark::DoNotOptimize(solve_adaptive(field, z1, options).dist);
}
BENCHMARK(BM_AdaptiveSample)->Args({5, 2})->Args({64, 16});

void BM_SnrSample(benchmark::State& state) {
  const OracleField oracle = make_oracle(state.range(0), state.range(1));
  Rng rng(2);
  const Vec z1 = draw_start(oracle, rng).z;
  AdaptiveOptions options;
  for (auto _ : state) benchmark::DoNotOptimize(solve_snr(oracle, z1, options).dist);
}
BENCHMARK(BM_SnrSample)->Args({5, 2})->Args({64, 16});

void BM_EulerSample(benchmark::State& state) {
  const OracleField oracle = make_oracle(5, 2);
  const OracleVelocity field(oracle);
  Rng rng(3);
  const Vec z1 = draw_start(oracle, rng).z;
  for (auto _ : state)
    benchmark::DoNotOptimize(solve_fixed(field, z1, Method::euler, static_cast<int>(state.range(0))).dist);
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_EulerSample)->Arg(1024)->Arg(16384);

}  // namespace
}  // namespace siv

BENCHMARK_MAIN();  // one main for oracle_bench.cpp and field_bench.cpp
