// Journal overhead on the quick profile (issue 14: under 5%). The same run_checks call twice, with
// and without the journal hooks siverify verify --out installs (plan identity and fingerprint, one
// flushed line per finished case). Process CPU time, so other load on the machine matters less;
// the counter journal_share is the measured time inside the hooks over the run's time.
//   build/siverify_journal_bench --benchmark_repetitions=3
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "properties/claims.hpp"
#include "properties/runner.hpp"
#include "reports/journal.hpp"

namespace {

using Clock = std::chrono::steady_clock;

std::vector<const siv::Check*> every_check() {
  std::vector<const siv::Check*> checks;
  for (const auto& c : siv::all_checks()) checks.push_back(c.get());
  return checks;
}

void quick_profile(benchmark::State& state) {
  const bool journal = state.range(0) != 0;
  const auto file = std::filesystem::temp_directory_path() / "siverify-journal-bench.jsonl";
  double in_hooks = 0, total = 0;
  std::size_t bytes = 0;
  for (auto _ : state) {
    siv::RunOptions options;
    options.profile = siv::make_profile("quick");
    options.seed = 20260522;
    options.threads = 1;
    std::unique_ptr<siv::JournalWriter> writer;
    if (journal) {
      options.long_run.plan = [&](const std::vector<siv::Case>& cases, auto&, auto&) {
        const auto start = Clock::now();
        writer = std::make_unique<siv::JournalWriter>(
            file, siv::run_identity({"--profile=quick", "--seed=20260522"}, cases), 1, 1);
        in_hooks += std::chrono::duration<double>(Clock::now() - start).count();
      };
      options.long_run.finished = [&](std::size_t i, const siv::CaseRecord& r) {
        const auto start = Clock::now();
        writer->write(i, r);
        in_hooks += std::chrono::duration<double>(Clock::now() - start).count();
      };
    }
    const auto start = Clock::now();
    const siv::RunResult result = siv::run_checks(every_check(), options);
    total += std::chrono::duration<double>(Clock::now() - start).count();
    benchmark::DoNotOptimize(result.records.data());
    writer.reset();
    if (journal) bytes += std::filesystem::file_size(file);
  }
  std::filesystem::remove(file);
  state.counters["journal_share"] = total > 0 ? in_hooks / total : 0;
  state.counters["journal_bytes"] = benchmark::Counter(static_cast<double>(bytes),
                                                       benchmark::Counter::kAvgIterations);
}
BENCHMARK(quick_profile)->ArgName("journal")->Arg(0)->Arg(1)->Iterations(1)
    ->MeasureProcessCPUTime()->Unit(benchmark::kSecond);

}  // namespace

BENCHMARK_MAIN();
