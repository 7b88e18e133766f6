#include "reports/markdown.hpp"

#include <set>
#include <sstream>

#include "reports/summary.hpp"

namespace siv {
namespace {

// Table cells: a pipe would split the cell.
std::string cell(const std::string& text) {
  std::string out;
  for (const char ch : text) out += ch == '|' ? std::string("\\|") : std::string(1, ch);
  return out;
}

// Code spans need no escaping of * or _ (group names such as power:*).
std::string code(const std::string& text) { return std::string("`").append(cell(text)).append("`"); }

std::string verdict_cell(const GroupResult& g) {
  return g.as_expected() ? verdict_text(g) : "**" + verdict_text(g) + "**";
}

// C6's confusion tables and the like: counts summed over the group's cases.
void count_tables_md(std::ostream& os, const GroupResult& g, const RunResult& run) {
  for (const auto& t : count_tables(g, run)) {
    os << "Counts `" << t.table << "` over the " << g.cases << " cases of " << code(group_label(g))
       << ":\n\n|";
    for (const auto& label : t.labels) os << " " << cell(label) << " |";
    os << " count |\n|";
    for (std::size_t k = 0; k < t.labels.size(); ++k) os << "---|";
    os << "---:|\n";
    for (const auto& [values, count] : t.counts) {
      os << "|";
      for (const auto& v : values) os << " " << cell(v) << " |";
      os << " " << format_number(count, 12) << " |\n";
    }
    os << "\n";
  }
}

void counterexample(std::ostream& os, const GroupResult& g) {
  const CaseRecord& r = *g.counterexample;
  os << "Shrunk counterexample (" << g.shrink_steps << " shrink steps): n = " << r.c.set.n
     << ", d = " << r.c.set.d << ", schedule `" << r.c.schedule << "`";
  if (r.c.steps) os << ", steps " << r.c.steps;
  os << "; observed " << format_number(r.obs.observed, 6) << " vs bound " << format_number(r.obs.bound, 6)
     << " (slack " << format_number(r.obs.slack()) << ")"
     << ".\n\n```sh\nsiverify verify --replay '" << to_token(r.c) << "'\n```\n\n";
}

}  // namespace

std::string markdown_report(const RunResult& run, const RunSettings& settings,
                            const std::vector<Plot>& plots, bool pngs,
                            const std::vector<std::string>& warnings) {
  std::ostringstream os;
  const auto versions = provenance_json();
  int unexpected = 0;
  for (const auto& g : run.groups) unexpected += !g.as_expected();
  os << "# siverify report\n\n";
  if (!run.complete)
    os << "> **INCOMPLETE**: the run was stopped after " << run.records.size() << " of "
       << run.planned << " cases; verdicts below cover only those. Continue it with "
       << "`siverify verify --resume DIR` and the same options.\n\n";
  os
     << "siverify " << versions.at("siverify").get<std::string>() << " (Eigen "
     << versions.at("eigen").get<std::string>() << ", Boost " << versions.at("boost").get<std::string>()
     << "; commit `" << versions.at("git_commit").get<std::string>() << "`, "
     << versions.at("compiler").get<std::string>() << ", " << versions.at("os").get<std::string>()
     << "); run `" << run_id(settings) << "`, profile `" << settings.profile << "` ("
     << settings.sizes.cases << " cases per group, " << settings.sizes.starts << " starts, n <= "
     << settings.sizes.max_n << ", d <= " << settings.sizes.max_d << "), seed " << settings.seed << ", alpha "
     << format_number(settings.alpha) << ", claims " << (settings.claims.empty() ? "all" : settings.claims)
     << ". " << run.groups.size() << " groups, " << run.records.size() << " cases, **"
     << unexpected << " unexpected verdicts** (exit code " << run.exit_code() << ").\n\n";
  for (const auto& w : warnings) os << "> Warning: " << w << "\n\n";
  if (!settings.data.empty())
    os << "Training sets: seeded subsets of `" << settings.data
       << "` (verify --data); its margins, memorization study, sample images and the checks "
          "reduced on it are in [data.md](data.md).\n\n";

  os << "## Verdicts\n\n"
     << "- **exact**: every tested case landed at the error model's floor (observed error 0 or "
        "at rounding): the strongest result.\n"
     << "- **holds**: no case violated the bound (or the test did not reject).\n"
     << "- **holds-but-loose**: holds, with the bound used below " << format_number(100 * kLooseRatio)
     << "% on every case (observed/bound for upper bounds, bound/observed for lower bounds).\n"
     << "- **refuted**: at least one case violated it; the shrunk counterexample is below. "
        "**refuted (expected)** marks a refutation the harness's own precise statement predicts.\n"
     << "- **assumption-not-met**: no case met the statement's assumptions, so nothing was tested.\n"
     << "- **failure**: a case could not be evaluated (a bug or a non-finite value).\n"
     << "- **expected**: the verdict the harness's own precise statement predicts (e.g. the "
        "published sqrt(h) bound is expected refuted for schedules with sigma ~ t^p, p < 1/2).\n"
     << "- **slack**: how far inside the bound, relative to it, for upper and lower bounds alike "
        "((bound - observed)/bound, (observed - bound)/bound); negative when violated; **worst** "
        "is the case with the least slack; **n/a** where nothing was measured.\n"
     << "- **power**: the smallest fraction of violating cases the group detects with 95% "
        "probability, 1 - 0.05^(1/cases); for p-value checks also the raw p a case needs to "
        "reject at the strictest Holm step.\n\n"
     << "| Claim | Check | Group | Verdict | Expected | Cases | Key figure | Power |\n"
     << "|---|---|---|---|---|---:|---|---|\n";
  for (const auto& g : run.groups)
    if (!g.mutant)
      os << "| " << g.claim << " | " << code(g.check) << " | " << code(g.group) << " | "
         << verdict_cell(g) << " | " << expected_text(g) << " | " << g.cases << " | "
         << cell(key_figure(g, run)) << " | " << cell(power_text(g)) << " |\n";

  os << "\n## Refuted claims\n\n";
  bool any = false;
  for (const auto& g : run.groups) {
    if (g.mutant || g.verdict != Verdict::refuted) continue;
    any = true;
    os << "### " << g.check << " on " << code(g.group) << " ("
       << (g.as_expected() ? "expected" : "UNEXPECTED") << ")\n\n"
       << "Statement: " << g.statement << "\n\n"
       << g.violations << " of " << g.cases << " cases violated it.\n\n";
    if (g.counterexample) counterexample(os, g);
  }
  if (!any) os << "None.\n";

  os << "\n## Mutants (planted false claims: each must be refuted)\n\n";
  any = false;
  for (const auto& g : run.groups) {
    if (!g.mutant) continue;
    if (!any)
      os << "| Check | Mutant | Group | False claim | Verdict | Cases | Replay |\n"
         << "|---|---|---|---|---|---:|---|\n";
    any = true;
    os << "| " << code(g.check) << " | " << code(g.variant) << " | " << code(g.group) << " | "
       << cell(g.description) << " | " << verdict_cell(g) << " | " << g.cases << " | "
       << (g.counterexample ? code("siverify verify --replay '" + to_token(g.counterexample->c) + "'")
                            : std::string("-"))
       << " |\n";
  }
  if (!any) os << "Not run (use `--mutants`).\n";

  os << "\n## Details per check\n\n";
  std::set<std::string> done;
  for (const auto& first : run.groups) {
    if (!done.insert(first.check).second) continue;
    os << "### " << first.check << "\n\n" << "Statement: " << first.statement << "\n\n";
    std::vector<const GroupResult*> groups;
    std::set<std::string> keys;
    for (const auto& g : run.groups)
      if (g.check == first.check) {
        groups.push_back(&g);
        for (const auto& [key, a] : detail_aggregates(g, run)) keys.insert(key);
      }
    std::vector<std::string> headline;
    for (const auto& key : headline_keys())
      if (keys.count(key)) headline.push_back(key);
    os << "| Group | Verdict | Pass | Violated | Not met | Failed | slack worst (median) | min p (Holm)";
    for (const auto& key : headline) os << " | " << key << " median [min, max]";
    os << " |\n|---|---|---:|---:|---:|---:|---|---";
    for (std::size_t i = 0; i < headline.size(); ++i) os << "|---";
    os << "|\n";
    for (const auto* g : groups) {
      const bool measured = g->passes + g->violations > 0;
      const bool p = g->comparison == Comparison::p_value;
      os << "| " << code(group_label(*g)) << " | " << verdict_cell(*g) << " | " << g->passes
         << " | " << g->violations << " | " << g->not_met << " | " << g->failures << " | "
         << (measured && !p ? format_number(g->worst_slack) + " (" + format_number(g->median_slack) + ")"
                            : "n/a")
         << " | "
         << (measured && p ? format_number(g->min_p) + " (" + format_number(min_adjusted_p(*g, run)) + ")"
                           : "n/a");
      const auto agg = detail_aggregates(*g, run);
      for (const auto& key : headline) {
        const auto it = agg.find(key);
        os << " | "
           << (it == agg.end() ? "n/a"
                               : format_number(it->second.median) + " [" +
                                     format_number(it->second.min) + ", " +
                                     format_number(it->second.max) + "]");
      }
      os << " |\n";
    }
    os << "\n";
    for (const auto* g : groups) count_tables_md(os, *g, run);
    for (const auto* g : groups)
      for (const auto& w : g->warnings) os << "- Warning (" << code(group_label(*g)) << "): " << w << "\n";
    for (const auto& plot : plots)
      if (plot.check == first.check) {
        if (pngs) os << "![" << cell(plot.caption) << "](figures/" << plot.stem << ".png)\n\n";
        else os << "- Figure (pgfplots only): [figures/" << plot.stem << ".tex](figures/" << plot.stem << ".tex)\n";
      }
    os << "\n";
  }
  return os.str();
}

}  // namespace siv
