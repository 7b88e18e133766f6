// siverify list: what a run can select, with one line of explanation each.
#include <algorithm>
#include <sstream>
#include <stdexcept>

#include "app/commands.hpp"
#include "app/csv.hpp"
#include "app/message.hpp"
#include "properties/claims.hpp"
#include "theory/schedule.hpp"

namespace siv::app {
namespace {

const std::vector<std::string> kSections = {"checks", "profiles", "schedules", "error-models",
                                            "data-sets"};

void list_checks(std::ostream& os, const Profile& profile) {
  os << "claims and checks (--claims takes either; groups for profile " << profile.name << "):\n";
  std::string claim;
  for (const auto& check : all_checks()) {
    if (check->claim() != claim) os << check->claim() << "\n";
    claim = check->claim();
    os << "  " << check->id() << "  " << check->statement() << "\n    groups: ";
    const auto groups = check->groups(profile);
    for (std::size_t i = 0; i < groups.size(); ++i) {
      os << (i ? "; " : "") << groups[i];
      if (check->expected(groups[i]) != Verdict::holds)
        os << " (expected " << to_string(check->expected(groups[i])) << ")";
    }
    os << "\n";
    if (!check->not_on_data().empty()) os << "    not run with --data: " << check->not_on_data() << "\n";
    for (const auto& m : check->mutants())
      os << "    mutant " << m.variant << " on " << m.group << ": " << m.description << "\n";
  }
}

void list_profiles(std::ostream& os) {
  os << "profiles (--profile; --cases, --starts, --max-n, --max-d override a value):\n";
  for (const char* name : {"quick", "ci", "deep"}) {
    const Profile p = make_profile(name);
    os << "  " << p.name << "  " << p.cases << " cases per group, " << p.starts
       << " starts per case, n <= " << p.max_n << ", d <= " << p.max_d << ", ladder of "
       << p.ladder << " step counts, shrink budget " << p.shrink_budget << "\n";
  }
}

void list_schedules(std::ostream& os) {
  os << "schedules (sigma(t) ~ c t^p as t -> 0; siverify schedules gives CSV):\n";
  for (const auto& spec : schedule_catalogue())
    os << "  " << spec << "  p = " << make_schedule(spec)->exponent() << "\n";
}

void list_error_models(std::ostream& os) {
  os << "error models (the estimate b^ = b* + e of claims C4-C7):\n"
        "  none                        e = 0: the oracle itself\n"
        "  rff:AMP[:FEATURES[:LENGTH]]  bounded smooth random Fourier features, |e| <= AMP\n"
        "  singular:C                  e = C v sigma'/sigma, singular as t -> 0\n"
        "  rotating:C:OMEGA            a singular error turning with log sigma (it cancels)\n"
        "  density:C[:CAP]             e proportional to 1/rho_t, capped at CAP times C\n"
        "  smooth:W                    the oracle of the training set smoothed at width W\n"
        "  learned:LAMBDA[:...]        a fitted random-feature model (theory/learned.hpp)\n";
}

void list_data_sets(std::ostream& os) {
  os << "data sets (verify --data SPEC, field/sample --data SPEC):\n"
        "  fashion-mnist[:train|test]  Debian's dataset-fashion-mnist, 60000 / 10000 28x28 images\n"
        "  PATH                        .csv, .npy, .idx or *-ubyte (optionally .gz), else by content\n"
        "  fmt:csv|npy|idx:PATH        the format given\n"
        "  -                           CSV on standard input\n";
}

}  // namespace

void add_list_command(CLI::App& app) {
  auto what = std::make_shared<std::vector<std::string>>();
  auto profile = std::make_shared<std::string>("quick");
  auto* cmd = app.add_subcommand(
      "list", "List what a run can select: claims and checks with their statements, groups and "
              "mutants; profiles; schedules; error models; data sets");
  std::string sections;
  for (const auto& s : kSections) sections += (sections.empty() ? "" : ", ") + s;
  cmd->add_option("what", *what, "Sections to list (" + sections + "); all when omitted");
  cmd->add_option("--profile", *profile, "Profile whose groups are listed")->capture_default_str();
  cmd->callback([what, profile, sections] {
    for (const auto& w : *what)
      if (std::find(kSections.begin(), kSections.end(), w) == kSections.end())
        throw InputError("list: unknown section '" + w + "' (known: " + sections + ")");
    Profile p;
    try {
      p = make_profile(*profile);
    } catch (const std::invalid_argument& e) {
      throw InputError(std::string("--profile: ") + e.what());
    }
    auto wanted = [&](const std::string& s) {
      return what->empty() || std::find(what->begin(), what->end(), s) != what->end();
    };
    std::ostringstream os;
    if (wanted("checks")) list_checks(os, p);
    if (wanted("profiles")) list_profiles(os);
    if (wanted("schedules")) list_schedules(os);
    if (wanted("error-models")) list_error_models(os);
    if (wanted("data-sets")) list_data_sets(os);
    write_stdout(os.str());
  });
}

}  // namespace siv::app
