// The siverify command line.
#include <cstdio>
#include <iostream>

#include <CLI/CLI.hpp>

#include "theory/schedule.hpp"

int main(int argc, char** argv) {
  CLI::App app{"siverify: executable checks of theorems about stochastic interpolation"};
  app.require_subcommand(1);

  auto* schedules = app.add_subcommand("schedules", "List the schedule catalogue with exponent p");
  schedules->callback([] {
    std::printf("schedule,p\n");
    for (const auto& spec : siv::schedule_catalogue())
      std::printf("%s,%.17g\n", spec.c_str(), siv::make_schedule(spec)->exponent());
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  return 0;
}
