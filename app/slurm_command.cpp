#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "app/csv.hpp"
#include "app/long_run_commands.hpp"
#include "app/verify_command.hpp"
#include "reports/atomic_file.hpp"
#include "reports/report_dir.hpp"

namespace siv::app {
namespace {

struct SlurmOptions {
  int shards = 0;
  std::string out, partition, time;
  int cpus = 1;
  bool dry_run = false;
};

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// The verify options go to every shard unchanged; these the slurm command sets itself.
void check_verify_options(const std::vector<std::string>& args) {
  static const std::set<std::string> owned = {"--out", "--threads", "--shard", "--resume",
                                              "--replay", "--merge-from"};
  for (const auto& a : args)
    if (owned.count(a.substr(0, a.find('='))))
      throw InputError("slurm: " + a.substr(0, a.find('=')) +
                       " is set by the slurm command (use --out, --cpus, --shards)");
  // The same parser as verify, without running: a typo fails here, not on the cluster.
  CLI::App probe;
  int unused = 0;
  add_verify_command(probe, unused, /*parse_only=*/true);
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  reversed.push_back("verify");
  try {
    probe.parse(reversed);
  } catch (const CLI::ParseError& e) {
    throw InputError("slurm: verify options: " + std::string(e.what()));
  }
}

std::string self_path() {
  std::error_code ec;
  const auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("siverify") : p.string();
}

struct Scripts {
  std::string shards, merge, submit;
};

Scripts make_scripts(const SlurmOptions& o, const std::vector<std::string>& verify_args) {
  const std::string out = std::filesystem::absolute(o.out).lexically_normal().string();
  const std::string dir = out + "/slurm";
  const std::string bin = quote(self_path());
  const std::string n = std::to_string(o.shards), c = std::to_string(o.cpus);
  std::string common = "#SBATCH --cpus-per-task=" + c + "\n#SBATCH --ntasks=1\n";
  if (!o.partition.empty()) common += "#SBATCH --partition=" + o.partition + "\n";
  if (!o.time.empty()) common += "#SBATCH --time=" + o.time + "\n";
  std::string args;
  for (const auto& a : verify_args) args += " " + quote(a);

  Scripts s;
  s.shards = "#!/bin/bash\n"
             "# siverify: one shard of the run per array task (written by siverify slurm).\n"
             "#SBATCH --job-name=siverify-shards\n"
             "#SBATCH --array=1-" + n + "\n" + common +
             "#SBATCH --output=" + dir + "/shard-%a.log\n"
             "set -euo pipefail\n"
             "k=$SLURM_ARRAY_TASK_ID\n"
             "part=" + quote(out) + "/shard-$k\n"
             "# A requeued or resubmitted task continues its journal.\n"
             "if [[ -s $part/journal.jsonl ]]; then where=(--resume \"$part\"); else where=(--out \"$part\"); fi\n"
             "exec " + bin + " verify" + args + " --threads " + c + " --shard \"$k/" + n +
             "\" \"${where[@]}\"\n";
  std::string parts;
  for (int k = 1; k <= o.shards; ++k) parts += " " + quote(out + "/shard-" + std::to_string(k));
  s.merge = "#!/bin/bash\n"
            "# siverify: merges the shards into the run's report once every array task succeeded.\n"
            "#SBATCH --job-name=siverify-merge\n" + common +
            "#SBATCH --output=" + dir + "/merge.log\n"
            "set -euo pipefail\n"
            "exec " + bin + " merge" + parts + " --out " + quote(out) + " --threads " + c + "\n";
  s.submit = "#!/bin/bash\n"
             "# Submits the shard array and the merge job that waits for it (afterok).\n"
             "set -euo pipefail\n"
             "cd " + quote(dir) + "\n"
             "array=$(sbatch --parsable shards.sbatch)\n"
             "array=${array%%;*}\n"
             "merge=$(sbatch --parsable --dependency=afterok:$array merge.sbatch)\n"
             "merge=${merge%%;*}\n"
             "echo \"shards: job array $array (" + n + " tasks); merge: job $merge -> " + out +
             "\"\n"
             "echo \"$array $merge\" > jobs\n";
  return s;
}

}  // namespace

void add_slurm_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<SlurmOptions>();
  auto* slurm = app.add_subcommand(
      "slurm", "Run verify as a Slurm job array, one shard per task, and a dependent merge job: "
               "siverify slurm [verify options] --shards N --out DIR; --dry-run prints the scripts");
  slurm->allow_extras();  // the verify options, checked by verify's own parser
  slurm->add_option("--shards", o->shards, "Number of shards (array tasks)")
      ->required()
      ->check(CLI::Range(1, 100000));
  slurm->add_option("--out", o->out,
                    "Report directory of the whole run (shards in DIR/shard-K, scripts and logs "
                    "in DIR/slurm)")
      ->required();
  slurm->add_option("--partition", o->partition, "Slurm partition (default: the cluster's)");
  slurm->add_option("--time", o->time, "Time limit per task, as sbatch --time (e.g. 2:00:00)");
  slurm->add_option("--cpus", o->cpus, "CPUs per task (verify --threads)")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  slurm->add_flag("--dry-run", o->dry_run, "Print the scripts; write and submit nothing");
  slurm->callback([o, slurm, &exit_code] {
    const std::vector<std::string> verify_args = slurm->remaining();
    check_verify_options(verify_args);
    for (const auto* text : {&o->partition, &o->time})
      if (!std::regex_match(*text, std::regex("[A-Za-z0-9_:.,-]*")))
        throw InputError("slurm: '" + *text + "' is not a partition name or time limit");
    const Scripts s = make_scripts(*o, verify_args);
    if (o->dry_run) {
      std::cout << "# shards.sbatch\n" << s.shards << "\n# merge.sbatch\n" << s.merge
                << "\n# submit.sh\n" << s.submit;
      exit_code = 0;
      return;
    }
    // DIR is the whole run's report directory: a foreign one is refused before anything is
    // written, and a manifest (listing no report file) marks it as siverify's, so that the merge
    // job may write the report into it beside the shards and the scripts.
    std::vector<std::string> kept;
    try {
      kept = begin_report(o->out);
    } catch (const std::runtime_error& e) {
      throw InputError(std::string("--out: ") + e.what());
    }
    const auto dir = std::filesystem::path(o->out) / "slurm";
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw InputError("slurm: cannot create " + dir.string() + ": " + ec.message());
    write_file_atomically(dir / "shards.sbatch", s.shards);
    write_file_atomically(dir / "merge.sbatch", s.merge);
    write_file_atomically(dir / "submit.sh", s.submit);
    kept.insert(kept.end(), {"slurm/shards.sbatch", "slurm/merge.sbatch", "slurm/submit.sh"});
    RunSettings marker;
    marker.command = "siverify slurm --shards " + std::to_string(o->shards) + " --out " + o->out;
    for (const auto& a : verify_args) marker.command += " " + a;
    write_manifest(o->out, marker, kept);
    if (std::system("command -v sbatch >/dev/null 2>&1") != 0)
      throw InputError("slurm: sbatch not found (install slurm-client); the scripts are in " +
                       dir.string() + ": run bash " + (dir / "submit.sh").string());
    const std::string command = "bash " + quote((dir / "submit.sh").string());
    if (std::system(command.c_str()) != 0)
      throw std::runtime_error("slurm: sbatch failed; the scripts are in " + dir.string());
    exit_code = 0;
  });
}

}  // namespace siv::app
