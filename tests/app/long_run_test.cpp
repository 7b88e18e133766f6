// Long runs through the built binary: SIGKILL at several points then --resume equals the
// uninterrupted run; SIGINT writes a report marked incomplete (exit 4); 4 shards merged equal the
// unsharded run; foreign journals and incomplete shard sets are refused.
#include <gtest/gtest.h>

#include <csignal>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include <nlohmann/json.hpp>

#include "run_binary.hpp"

extern char** environ;

namespace siv {
namespace {

using test::read_text;
using test::run_siverify;

// Fast checks of three kinds (bounds, Euler-Maruyama terms, p-values under Holm): 84 cases.
const std::vector<std::string> kRun = {"verify", "--profile", "quick", "--claims",
                                       "C4.bound,C5.terms,C1.law.ode"};

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

// summary.json without its timings ("seconds" keys), everything else as written.
std::string summary_without_timings(const std::string& dir) {
  nlohmann::json j = nlohmann::json::parse(read_text(dir + "/summary.json"));
  j.erase("seconds");
  for (auto& g : j.at("groups")) {
    g.erase("seconds");
    auto& w = g.at("warnings");  // "slow: N s per case" is a timing too
    w.erase(std::remove_if(w.begin(), w.end(),
                           [](const auto& x) { return x.template get<std::string>().rfind("slow: ", 0) == 0; }),
            w.end());
  }
  return j.dump(1);
}

std::size_t lines_in(const std::string& file) {
  const std::string text = read_text(file);
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

// The binary as a child process (stdout and stderr to files), to be signalled.
class Child {
 public:
  Child(const std::vector<std::string>& args, const std::string& log) {
    std::vector<std::string> argv_text = {SIVERIFY_BINARY};
    argv_text.insert(argv_text.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_text) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
  }
  ~Child() {
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      wait();
    }
  }
  // Polls until the file has at least `lines` lines or the child ended; true if still running.
  bool wait_for_lines(const std::string& file, std::size_t lines) {
    while (true) {
      if (lines_in(file) >= lines) return true;
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        reaped_ = true;
        status_ = status;
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  void signal(int sig) { ::kill(pid_, sig); }
  // Exit code, or 128 + signal.
  int wait() {
    if (!reaped_) {
      ::waitpid(pid_, &status_, 0);
      reaped_ = true;
    }
    return WIFEXITED(status_) ? WEXITSTATUS(status_) : 128 + WTERMSIG(status_);
  }
  bool started() const { return pid_ > 0; }

 private:
  pid_t pid_ = -1;
  int status_ = 0;
  bool reaped_ = false;
};

class LongRun : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir;
    const auto r = run_siverify(with(kRun, {"--threads", "2", "--out", path("full")}));
    ASSERT_EQ(r.code, 0) << r.out << r.err;
  }
  static void TearDownTestSuite() { delete dir_; }
  static std::string path(const std::string& name) { return dir_->path(name); }

  // The uninterrupted run's cases, summary (timings aside) and report.
  static void expect_same_as_full(const std::string& dir) {
    EXPECT_EQ(read_text(dir + "/cases.jsonl"), read_text(path("full/cases.jsonl"))) << dir;
    EXPECT_EQ(summary_without_timings(dir), summary_without_timings(path("full"))) << dir;
    EXPECT_EQ(read_text(dir + "/report.md"), read_text(path("full/report.md"))) << dir;
  }
  static test::TempDir* dir_;
};
test::TempDir* LongRun::dir_ = nullptr;

TEST_F(LongRun, SigkillAtSeveralPointsThenResumeEqualsUninterrupted) {
  // Kill points by journal lines: just after the header, early, late.
  for (const std::size_t kill_at : {1u, 20u, 70u}) {
    const std::string dir = path("kill" + std::to_string(kill_at));
    {
      Child child(with(kRun, {"--threads", "1", "--out", dir}), dir + ".log");
      ASSERT_TRUE(child.started());
      std::filesystem::create_directories(dir);
      if (child.wait_for_lines(dir + "/journal.jsonl", kill_at)) child.signal(SIGKILL);
      EXPECT_EQ(child.wait(), 128 + SIGKILL) << "the run finished before line " << kill_at;
    }
    EXPECT_FALSE(std::filesystem::exists(dir + "/summary.json"));
    const auto resumed = run_siverify(with(kRun, {"--threads", "2", "--resume", dir}));
    ASSERT_EQ(resumed.code, 0) << resumed.out << resumed.err;
    expect_same_as_full(dir);
    EXPECT_EQ(lines_in(dir + "/journal.jsonl"), 85u);  // header + 84 cases: none observed twice
  }
}

TEST_F(LongRun, SigintGivesReportMarkedIncompleteThenResumes) {
  for (const int sig : {SIGINT, SIGTERM}) {
    const std::string dir = path("int" + std::to_string(sig));
    {
      Child child(with(kRun, {"--threads", "1", "--out", dir}), dir + ".log");
      std::filesystem::create_directories(dir);
      ASSERT_TRUE(child.wait_for_lines(dir + "/journal.jsonl", 30)) << read_text(dir + ".log");
      child.signal(sig);
      EXPECT_EQ(child.wait(), 4) << read_text(dir + ".log");
    }
    const std::string report = read_text(dir + "/report.md");
    EXPECT_EQ(report.rfind("# siverify report\n\n> **INCOMPLETE**", 0), 0u) << report.substr(0, 300);
    const auto summary = nlohmann::json::parse(read_text(dir + "/summary.json"));
    EXPECT_FALSE(summary.at("complete").get<bool>());
    EXPECT_EQ(summary.at("totals").at("exit_code"), 4);
    EXPECT_LT(summary.at("totals").at("cases").get<int>(), 84);
    EXPECT_EQ(summary.at("totals").at("planned"), 84);
    EXPECT_NE(read_text(dir + ".log").find("--resume " + dir), std::string::npos);

    const auto resumed = run_siverify(with(kRun, {"--threads", "2", "--resume", dir}));
    ASSERT_EQ(resumed.code, 0) << resumed.out << resumed.err;
    EXPECT_TRUE(nlohmann::json::parse(read_text(dir + "/summary.json")).at("complete").get<bool>());
    expect_same_as_full(dir);
  }
}

TEST_F(LongRun, FourShardsMergedEqualTheUnshardedRun) {
  std::vector<std::string> merge = {"merge"};
  std::size_t cases = 0;
  for (int k = 1; k <= 4; ++k) {
    const std::string dir = path("shard" + std::to_string(k));
    const auto r = run_siverify(
        with(kRun, {"--threads", "1", "--shard", std::to_string(k) + "/4", "--out", dir}));
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    EXPECT_FALSE(std::filesystem::exists(dir + "/summary.json"));  // a shard is not a report
    cases += lines_in(dir + "/journal.jsonl") - 1;
    merge.push_back(dir);
  }
  EXPECT_EQ(cases, 84u);  // every case in exactly one shard (merge checks which)
  const auto r = run_siverify(with(merge, {"--out", path("merged"), "--threads", "2"}));
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  expect_same_as_full(path("merged"));

  // Incomplete or mixed shard sets are refused, naming the problem.
  auto refused = run_siverify({"merge", path("shard1"), path("shard2"), path("shard4"), "--out",
                               path("bad")});
  EXPECT_EQ(refused.code, 2);
  EXPECT_NE(refused.err.find("shard 3/4 is missing"), std::string::npos) << refused.err;
  refused = run_siverify({"merge", path("shard1"), path("shard2"), path("shard2"), path("shard4"),
                          "--out", path("bad")});
  EXPECT_EQ(refused.code, 2);
  EXPECT_NE(refused.err.find("both shard 2/4"), std::string::npos) << refused.err;
  const auto other = run_siverify(with(kRun, {"--seed", "7", "--shard", "3/4", "--out", path("other3")}));
  ASSERT_EQ(other.code, 0) << other.err;
  refused = run_siverify({"merge", path("shard1"), path("shard2"), path("other3"), path("shard4"),
                          "--out", path("bad")});
  EXPECT_EQ(refused.code, 2);
  EXPECT_NE(refused.err.find("not from the same run"), std::string::npos) << refused.err;
  EXPECT_FALSE(std::filesystem::exists(path("bad")));  // refused before anything is written
}

TEST_F(LongRun, ResumeRefusesAJournalFromOtherOptionsAndLeavesItAlone) {
  const std::string dir = path("full");
  const std::string before = read_text(dir + "/summary.json");
  for (const auto& extra : std::vector<std::vector<std::string>>{{"--seed", "7"}, {"--mutants"}}) {
    const auto r = run_siverify(with(with(kRun, extra), {"--resume", dir}));
    EXPECT_EQ(r.code, 2) << r.out;
    EXPECT_NE(r.err.find("is not from this run: it was started with options"), std::string::npos)
        << r.err;
  }
  auto r = run_siverify(with(kRun, {"--resume", path("nowhere")}));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("no journal"), std::string::npos) << r.err;
  r = run_siverify(with(kRun, {"--shard", "5/4", "--out", path("s")}));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--shard"), std::string::npos) << r.err;
  r = run_siverify(with(kRun, {"--shard", "1/4"}));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--shard needs --out"), std::string::npos) << r.err;
  EXPECT_EQ(read_text(dir + "/summary.json"), before);
}

// The ci profile killed at three points (label slow: a ci run takes minutes).
TEST(LongRunSlow, CiProfileSigkillThenResumeEqualsUninterrupted) {
  const test::TempDir dir;
  const std::vector<std::string> ci = {"verify", "--profile", "ci", "--threads", "2"};
  ASSERT_EQ(run_siverify(with(ci, {"--out", dir.path("full")})).code, 0);
  const std::size_t total = lines_in(dir.path("full/cases.jsonl"));
  const std::string run = dir.path("run");
  for (const std::size_t kill_at : {total / 10, total / 2, total - 5}) {
    Child child(with(ci, kill_at == total / 10 ? std::vector<std::string>{"--out", run}
                                               : std::vector<std::string>{"--resume", run}),
                run + ".log");
    std::filesystem::create_directories(run);
    if (child.wait_for_lines(run + "/journal.jsonl", kill_at)) child.signal(SIGKILL);
    EXPECT_EQ(child.wait(), 128 + SIGKILL);
  }
  ASSERT_EQ(run_siverify(with(ci, {"--resume", run})).code, 0);
  EXPECT_EQ(read_text(run + "/cases.jsonl"), read_text(dir.path("full/cases.jsonl")));
  EXPECT_EQ(summary_without_timings(run), summary_without_timings(dir.path("full")));
}

}  // namespace
}  // namespace siv

namespace siv {
namespace {

TEST(SlurmCommand, DryRunPrintsArrayShardsAndDependentMerge) {
  const auto r = test::run_siverify({"slurm", "--profile", "ci", "--claims", "C2", "--shards", "3",
                                     "--cpus", "2", "--time", "1:00:00", "--partition", "long",
                                     "--out", "/tmp/siverify-never-written", "--dry-run"});
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* text :
       {"#SBATCH --array=1-3", "#SBATCH --cpus-per-task=2", "#SBATCH --time=1:00:00",
        "#SBATCH --partition=long", " verify '--profile' 'ci' '--claims' 'C2' --threads 2 --shard \"$k/3\"",
        "--resume \"$part\"", " merge '/tmp/siverify-never-written/shard-1' "
        "'/tmp/siverify-never-written/shard-2' '/tmp/siverify-never-written/shard-3' --out "
        "'/tmp/siverify-never-written' --threads 2",
        "--dependency=afterok:$array merge.sbatch"})
    EXPECT_NE(r.out.find(text), std::string::npos) << text << "\n" << r.out;
  EXPECT_FALSE(std::filesystem::exists("/tmp/siverify-never-written"));
}

TEST(SlurmCommand, RejectsBadVerifyOptionsBeforeWritingAnything) {
  for (const auto& bad : std::vector<std::vector<std::string>>{
           {"--claimz", "C2"}, {"--threads", "2"}, {"--shard", "1/2"}, {"--alpha", "7"}}) {
    auto args = std::vector<std::string>{"slurm", "--shards", "2", "--out",
                                         "/tmp/siverify-never-written"};
    args.insert(args.end(), bad.begin(), bad.end());
    const auto r = test::run_siverify(args);
    EXPECT_EQ(r.code, 2) << bad.front() << r.out;
    EXPECT_NE(r.err.find("siverify: slurm: "), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty());
  }
  EXPECT_FALSE(std::filesystem::exists("/tmp/siverify-never-written"));
}

// The whole run's directory is a report directory: a foreign one is refused before any script
// is written (the merge job would fail on it after every shard had run).
TEST(SlurmCommand, RefusesAForeignOutDirectoryBeforeWritingScripts) {
  const test::TempDir dir;
  const std::string out = dir.path("theirs");
  std::filesystem::create_directories(out);
  dir.write("theirs/notes.txt", "mine\n");
  const auto r = test::run_siverify({"slurm", "--profile", "quick", "--shards", "2", "--out", out});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("--out: " + out + " is not empty and not a siverify report directory"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(std::filesystem::exists(out + "/slurm"));
}

}  // namespace
}  // namespace siv
