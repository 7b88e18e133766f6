// The siverify command line: wires the sub-commands and maps failures to exit codes
// (0 as expected, 1 a verdict differs, 2 bad input or usage, 3 internal error).
#include "app/cli.hpp"

#include <CLI/CLI.hpp>

#include "properties/runner.hpp"
#include <cstdio>
#include <exception>
#include <string>

#include "app/commands.hpp"
#include "app/csv.hpp"
#include "app/long_run_commands.hpp"
#include "app/message.hpp"
#include "app/verify_command.hpp"
#include "reports/summary.hpp"

namespace {

// CLI11 would only say that a sub-command is required.
void require_command(CLI::App& app, const std::string& name) {
  std::string known;
  for (const CLI::App* command : app.get_subcommands({})) {
    if (command->check_name(name)) return;
    known += (known.empty() ? "" : ", ") + command->get_name();
  }
  throw siv::app::InputError("unknown command '" + name + "' (known: " + known + ")");
}

}  // namespace

namespace siv {

int run_cli(int argc, char** argv) {
  CLI::App app{
      "siverify: executable checks of theorems about stochastic interpolation on a finite "
      "training set (closed-form optimal velocity and score)"};
  app.require_subcommand(1);
  // One line, like every other error message of siverify.
  app.failure_message([](const CLI::App*, const CLI::Error& e) {
    return "siverify: " + siv::app::printable(e.what()) + " (see --help)\n";
  });
  const auto build = provenance_json();
  app.set_version_flag("--version", "siverify " + build.at("siverify").get<std::string>() +
                                        " (commit " + build.at("git_commit").get<std::string>() +
                                        "; " + build.at("compiler").get<std::string>() + "; " +
                                        build.at("os").get<std::string>() + ")");
  int exit_code = 0;
  siv::app::add_schedules_command(app);
  siv::app::add_field_command(app);
  siv::app::add_sample_command(app);
  siv::app::add_verify_command(app, exit_code);
  siv::app::add_merge_command(app, exit_code);
  siv::app::add_slurm_command(app, exit_code);
  siv::app::add_list_command(app);

  try {
    if (argc > 1 && argv[1][0] != '-') require_command(app, argv[1]);
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  } catch (const siv::app::InputError& e) {
    std::fprintf(stderr, "siverify: %s\n", siv::app::printable(e.what()).c_str());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "siverify: internal error: %s\n", siv::app::printable(e.what()).c_str());
    return siv::kExitInternal;
  } catch (...) {
    std::fprintf(stderr, "siverify: internal error: unknown exception\n");
    return siv::kExitInternal;
  }
  return exit_code;
}

}  // namespace siv
