#include "app/commands.hpp"
#include "app/csv.hpp"
#include "theory/schedule.hpp"

namespace siv::app {

void add_schedules_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("schedules",
                                 "List the schedule catalogue: spec and exponent p "
                                 "(sigma(t) ~ c t^p as t -> 0)");
  cmd->callback([] {
    CsvWriter out({"schedule", "p"});
    for (const auto& spec : schedule_catalogue()) {
      out.text(spec).number(make_schedule(spec)->exponent());
      out.end_row();
    }
    write_stdout(out.str());
  });
}

}  // namespace siv::app
