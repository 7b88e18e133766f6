#include "reports/latex.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "reports/summary.hpp"

namespace siv {
namespace {

const char* const kDigitNames[] = {"Zero", "One", "Two",   "Three", "Four",
                                   "Five", "Six", "Seven", "Eight", "Nine"};

bool is_digit(char ch) { return std::isdigit(static_cast<unsigned char>(ch)) != 0; }
bool is_letter(char ch) { return std::isalpha(static_cast<unsigned char>(ch)) != 0; }

// A cell of an S column: digits siunitx parses, or braced text for what is not a number.
std::string s_cell(const std::string& number) {
  if (number == "n/a" || number == "nan") return "{--}";
  if (number == "inf") return "{$\\infty$}";
  if (number == "-inf") return "{$-\\infty$}";
  return number;
}
std::string s_cell(double v) { return s_cell(format_distinct(v)); }

// siunitx table-format wide enough for every cell of a column ("-1.3e-2").
std::string table_format(const std::vector<std::string>& cells) {
  bool sign = false, exponent = false, exponent_sign = false;
  std::size_t whole = 1, fraction = 0, exponent_digits = 0;
  for (const auto& cell : cells) {
    if (cell.empty() || cell[0] == '{') continue;
    std::string mantissa = cell, power;
    if (const auto e = cell.find('e'); e != std::string::npos) {
      mantissa = cell.substr(0, e);
      power = cell.substr(e + 1);
    }
    if (!mantissa.empty() && mantissa[0] == '-') {
      sign = true;
      mantissa.erase(0, 1);
    }
    const auto dot = mantissa.find('.');
    whole = std::max(whole, dot == std::string::npos ? mantissa.size() : dot);
    if (dot != std::string::npos) fraction = std::max(fraction, mantissa.size() - dot - 1);
    if (!power.empty()) {
      exponent = true;
      if (power[0] == '-' || power[0] == '+') {
        exponent_sign = exponent_sign || power[0] == '-';
        power.erase(0, 1);
      }
      // siunitx drops leading zeros of the exponent ("e-05" prints as 10^-5).
      power.erase(0, std::min(power.find_first_not_of('0'), power.size() - 1));
      exponent_digits = std::max(exponent_digits, power.size());
    }
  }
  // append, not "literal" + string: GCC 12 warns falsely on the latter (-Wrestrict, PR 105329).
  std::string format(sign ? "-" : "");
  format.append(std::to_string(whole)).append(".").append(std::to_string(fraction));
  if (exponent)
    format.append("e").append(exponent_sign ? "-" : "").append(std::to_string(exponent_digits));
  return format;
}

// text: one line (l); wrap: shares the line width left over (tabularx X, ragged right);
// number: an siunitx S column. Headers are LaTeX (math allowed).
struct Column {
  std::string header;
  enum class Kind { text, wrap, number } kind = Kind::text;
  std::vector<std::string> cells;
};

struct Table {
  std::string caption, label;
  std::vector<Column> columns;
  std::vector<std::pair<std::size_t, std::string>> subheads;  // row index -> heading above it
};

// More rows than this: a table that breaks across pages (xltabular) instead of a float.
constexpr std::size_t kFloatRows = 24;

std::string column_spec(const Column& c) {
  switch (c.kind) {
    case Column::Kind::text: return "l";
    case Column::Kind::wrap: return ">{\\raggedright\\arraybackslash}X";
    case Column::Kind::number: return "S[table-format=" + table_format(c.cells) + "]";
  }
  return "l";
}

// A table a paper can \input as is: a float (tabularx) or, when long, an xltabular that repeats
// its header on each page; both with caption and label and as wide as the line.
std::string render(const Table& t, const RunSettings& settings) {
  std::ostringstream os, head;
  const std::size_t n = t.columns.size();
  const std::size_t rows = t.columns.empty() ? 0 : t.columns[0].cells.size();
  const bool long_table = rows > kFloatRows;
  for (std::size_t i = 0; i < n; ++i)
    head << (i ? " & " : "")
         << (t.columns[i].kind == Column::Kind::number ? "{" + t.columns[i].header + "}"
                                                       : t.columns[i].header);
  head << " \\\\\n";
  os << provenance_lines(settings, "% ")
     << "% Needs \\usepackage{booktabs,siunitx,tabularx" << (long_table ? ",xltabular" : "")
     << "}.\n";
  std::string spec = "@{}";
  for (const auto& c : t.columns) spec += column_spec(c);
  spec += "@{}";
  const std::string caption = "\\caption{" + t.caption + "}\\label{" + t.label + "}";
  if (long_table) {
    os << "\\begingroup\\small\\setlength{\\tabcolsep}{4pt}\n"
       << "\\begin{xltabular}{\\linewidth}{" << spec << "}\n"
       << caption << "\\\\\n\\toprule\n" << head.str() << "\\midrule\n\\endfirsthead\n"
       << "\\multicolumn{" << n << "}{@{}l}{\\emph{Table \\thetable, continued}}\\\\\n\\toprule\n"
       << head.str() << "\\midrule\n\\endhead\n"
       << "\\midrule\n\\multicolumn{" << n << "}{r@{}}{\\emph{continued on the next page}}\\\\\n"
       << "\\endfoot\n\\bottomrule\n\\endlastfoot\n";
  } else {
    os << "\\begin{table}[tbp]\n\\centering\\small\\setlength{\\tabcolsep}{4pt}\n" << caption << "\n"
       << "\\begin{tabularx}{\\linewidth}{" << spec << "}\n\\toprule\n" << head.str() << "\\midrule\n";
  }
  auto subhead = t.subheads.begin();
  for (std::size_t r = 0; r < rows; ++r) {
    for (; subhead != t.subheads.end() && subhead->first == r; ++subhead)
      os << (r ? "\\addlinespace\n" : "") << "\\multicolumn{" << n << "}{@{}l}{\\textbf{"
         << subhead->second << "}}\\\\\n";
    for (std::size_t i = 0; i < n; ++i) os << (i ? " & " : "") << t.columns[i].cells[r];
    os << " \\\\\n";
  }
  if (long_table) os << "\\end{xltabular}\n\\endgroup\n";
  else os << "\\bottomrule\n\\end{tabularx}\n\\end{table}\n";
  return os.str();
}

// The verdict, and in bold with the prediction beside it when it is not the predicted one.
std::string verdict_cell(const GroupResult& g) {
  if (g.as_expected()) return latex_escape(verdict_text(g));
  return "\\textbf{" + latex_escape(to_string(g.verdict)) + "} (expected " +
         latex_escape(to_string(g.expected)) + ")";
}

// Replay tokens ("siv1;check=...;group=...") are single words a line cannot hold: allow a
// break after each ';'.
std::string breakable(const std::string& tex) {
  std::string out;
  for (const char ch : tex) out += ch == ';' ? std::string(";\\allowbreak{}") : std::string(1, ch);
  return out;
}

struct KeyText {
  const char* header;       // LaTeX math
  const char* description;  // for the caption
};

// Headers and caption text of the headline details keys; other keys print as escaped names.
const std::map<std::string, KeyText>& key_texts() {
  static const std::map<std::string, KeyText> texts = {
      {"rate", {"$\\hat r$", "$\\hat r$ the fitted convergence rate"}},
      {"rate_lo", {"$\\hat r_{\\mathrm{lo}}$", "$[\\hat r_{\\mathrm{lo}}, \\hat r_{\\mathrm{hi}}]$ its confidence interval"}},
      {"rate_hi", {"$\\hat r_{\\mathrm{hi}}$", ""}},
      {"r2", {"$R^2$", "$R^2$ of the log-log fit"}},
      {"predicted_rate", {"$r_{\\mathrm{pred}}$", "$r_{\\mathrm{pred}}$ the rate the theory predicts"}},
      {"C", {"$\\hat C$", "$\\hat C$ the constant fitted on the coarse half of the step ladder"}},
      {"tightness_fine", {"$\\hat C_{\\mathrm{fine}}/\\hat C$", "$\\hat C_{\\mathrm{fine}}/\\hat C$ the constant on the fine half relative to it"}},
      {"variance_ratio", {"$\\hat v/v$", "$\\hat v/v$ the observed over the predicted residual variance"}},
      {"v_leading_over_exact", {"$v_{\\mathrm{lead}}/v$", "$v_{\\mathrm{lead}}/v$ the leading-order variance over the exact one"}},
      {"median slack", {"slack (median)", "slack (median) the median case's slack"}}};
  return texts;
}

std::string key_header(const std::string& key) {
  const auto it = key_texts().find(key);
  return it == key_texts().end() ? latex_escape(key) : it->second.header;
}

// Columns the cases of a claim share, numeric ones last; subheadings name each check.
Table claim_frame(const std::vector<const GroupResult*>& groups) {
  Table t;
  t.columns.push_back({"Group", Column::Kind::wrap, {}});
  std::string check;
  for (std::size_t r = 0; r < groups.size(); ++r) {
    if (groups[r]->check != check) t.subheads.push_back({r, latex_escape(groups[r]->check)});
    check = groups[r]->check;
    t.columns[0].cells.push_back(latex_escape(group_label(*groups[r])));
  }
  return t;
}

std::vector<const GroupResult*> groups_of(const RunResult& run, const std::string& claim) {
  std::vector<const GroupResult*> groups;
  for (const auto& g : run.groups)
    if (g.claim == claim) groups.push_back(&g);
  return groups;
}

// The value of a measured column of a group, to the digits its uncertainty allows: the rate and
// its interval are rounded at the interval's half-width.
std::string measured_cell(const GroupResult& g, const std::map<std::string, Aggregate>& agg,
                          const std::string& key) {
  if (key == "median slack")
    return s_cell(g.comparison != Comparison::p_value && g.passes + g.violations > 0
                      ? g.median_slack
                      : std::nan(""));
  const auto it = agg.find(key);
  if (it == agg.end()) return "{--}";
  const auto lo = agg.find("rate_lo"), hi = agg.find("rate_hi");
  if ((key == "rate" || key == "rate_lo" || key == "rate_hi") && lo != agg.end() && hi != agg.end())
    return s_cell(format_to_error(it->second.median, 0.5 * (hi->second.median - lo->second.median)));
  return s_cell(it->second.median);
}

}  // namespace

std::string latex_escape(const std::string& text) {
  std::string out;
  for (const char ch : text) switch (ch) {
      case '\\': out += "\\textbackslash{}"; break;
      case '&': case '%': case '$': case '#': case '_': case '{': case '}':
        out += '\\';
        out += ch;
        break;
      case '~': out += "\\textasciitilde{}"; break;
      case '^': out += "\\textasciicircum{}"; break;
      case '<': out += "\\textless{}"; break;
      case '>': out += "\\textgreater{}"; break;
      case '|': out += "\\textbar{}"; break;
      default: out += ch;
    }
  return out;
}

std::string macro_name(const std::vector<std::string>& parts) {
  std::string name = "siv";
  for (const auto& part : parts) {
    bool word_start = true;
    for (std::size_t i = 0; i < part.size(); ++i) {
      const char ch = part[i];
      const bool digit_before = i > 0 && is_digit(part[i - 1]);
      const bool digit_after = i + 1 < part.size() && is_digit(part[i + 1]);
      if (is_letter(ch)) {
        name += word_start ? static_cast<char>(std::toupper(static_cast<unsigned char>(ch))) : ch;
        word_start = false;
        continue;
      }
      word_start = true;
      if (is_digit(ch)) name += kDigitNames[ch - '0'];
      else if (ch == '.' && digit_before && digit_after) name += "Point";
      else if (ch == '-' && digit_after) name += "Minus";
    }
  }
  return name;
}

std::string latex_claim_table(const RunResult& run, const std::string& claim,
                              const RunSettings& settings) {
  const auto groups = groups_of(run, claim);
  bool bounds = false, p_values = false;
  for (const auto* g : groups) (g->comparison == Comparison::p_value ? p_values : bounds) = true;
  Table t = claim_frame(groups);
  t.label = "tab:siv:" + slug(claim);
  t.columns.push_back({"Verdict", Column::Kind::wrap, {}});
  t.columns.push_back({"Cases", Column::Kind::number, {}});
  t.columns.push_back({"Viol.", Column::Kind::number, {}});
  t.columns.push_back({"Not met", Column::Kind::number, {}});
  if (bounds) t.columns.push_back({"slack (worst)", Column::Kind::number, {}});
  if (p_values) t.columns.push_back({"$\\min p_{\\mathrm{Holm}}$", Column::Kind::number, {}});
  t.columns.push_back({"power (\\%)", Column::Kind::number, {}});
  const double nan = std::nan("");
  for (const auto* g : groups) {
    const bool p = g->comparison == Comparison::p_value;
    const bool measured = g->passes + g->violations > 0;
    std::vector<std::string> row = {verdict_cell(*g), s_cell(g->cases), s_cell(g->violations),
                                    s_cell(g->not_met)};
    if (bounds) row.push_back(s_cell(!p && measured ? g->worst_slack : nan));
    if (p_values) row.push_back(s_cell(p && measured ? min_adjusted_p(*g, run) : nan));
    row.push_back(s_cell(format_number(100 * g->detectable_fraction, 2)));
    for (std::size_t i = 0; i < row.size(); ++i) t.columns[i + 1].cells.push_back(row[i]);
  }
  t.caption = "Claim " + latex_escape(claim) +
              ": verdicts per group. Slack: how far inside the bound, relative to it (negative: "
              "violated), of the case with the least" +
              std::string(p_values ? "; $\\min p_{\\mathrm{Holm}}$: the smallest Holm-adjusted "
                                     "p-value of the group's tests"
                                   : "") +
              "; power: the smallest percentage of violating cases the group detects with "
              "probability " + format_number(100 * kPowerLevel, 2) + "\\,\\%; --: not measured.";
  return render(t, settings);
}

std::vector<LatexTable> latex_measured_tables(const RunResult& run, const std::string& claim,
                                              const RunSettings& settings) {
  const auto groups = groups_of(run, claim);
  std::set<std::string> present;
  for (const auto* g : groups) {
    for (const auto& [key, a] : detail_aggregates(*g, run)) present.insert(key);
    if (g->comparison != Comparison::p_value && g->passes + g->violations > 0 &&
        !std::isnan(g->median_slack))
      present.insert("median slack");
  }
  std::vector<std::string> keys;
  for (const auto& key : headline_keys())
    if (present.count(key)) keys.push_back(key);
  if (present.count("median slack")) keys.push_back("median slack");
  // Column subsets, so that every table fits the line width.
  constexpr std::size_t kColumnsPerTable = 5;
  std::vector<LatexTable> tables;
  for (std::size_t first = 0; first < keys.size(); first += kColumnsPerTable) {
    const std::vector<std::string> chunk(
        keys.begin() + static_cast<std::ptrdiff_t>(first),
        keys.begin() + static_cast<std::ptrdiff_t>(std::min(keys.size(), first + kColumnsPerTable)));
    std::vector<const GroupResult*> rows;
    std::vector<std::map<std::string, Aggregate>> aggs;
    for (const auto* g : groups) {
      auto agg = detail_aggregates(*g, run);
      const bool any = std::any_of(chunk.begin(), chunk.end(), [&](const std::string& key) {
        return agg.count(key) ||
               (key == "median slack" && g->comparison != Comparison::p_value &&
                g->passes + g->violations > 0 && !std::isnan(g->median_slack));
      });
      if (!any) continue;
      rows.push_back(g);
      aggs.push_back(std::move(agg));
    }
    Table t = claim_frame(rows);
    const std::string part = std::to_string(tables.size() + 1);
    t.label = "tab:siv:" + slug(claim) + ":measured:" + part;
    std::string legend;
    for (const auto& key : chunk) {
      t.columns.push_back({key_header(key), Column::Kind::number, {}});
      const auto text = key_texts().find(key);
      if (text != key_texts().end() && *text->second.description)
        legend += std::string(legend.empty() ? "" : "; ") + text->second.description;
    }
    for (std::size_t r = 0; r < rows.size(); ++r)
      for (std::size_t k = 0; k < chunk.size(); ++k)
        t.columns[k + 1].cells.push_back(measured_cell(*rows[r], aggs[r], chunk[k]));
    t.caption = "Claim " + latex_escape(claim) + ": medians over the cases of each group" +
                (keys.size() > kColumnsPerTable
                     ? " (part " + part + " of " +
                           std::to_string((keys.size() + kColumnsPerTable - 1) / kColumnsPerTable) + ")"
                     : std::string()) +
                (legend.empty() ? "" : ". " + legend) +
                "; rates are rounded at their interval's half-width; --: not recorded.";
    tables.push_back({slug(claim) + "-measured-" + part, render(t, settings)});
  }
  return tables;
}

std::vector<LatexTable> latex_count_tables(const RunResult& run, const std::string& claim,
                                           const RunSettings& settings) {
  // One table per count table name (C6's "confusion"), its rows summed per group.
  std::vector<std::string> names;
  std::vector<std::vector<std::pair<const GroupResult*, CountTable>>> per_name;
  for (const auto* g : groups_of(run, claim))
    for (auto& t : count_tables(*g, run)) {
      auto it = std::find(names.begin(), names.end(), t.table);
      if (it == names.end()) {
        names.push_back(t.table);
        per_name.emplace_back();
        it = names.end() - 1;
      }
      per_name[static_cast<std::size_t>(it - names.begin())].push_back({g, std::move(t)});
    }
  std::vector<LatexTable> tables;
  for (std::size_t k = 0; k < names.size(); ++k) {
    std::vector<const GroupResult*> rows;
    for (const auto& [g, t] : per_name[k])
      for (std::size_t i = 0; i < t.counts.size(); ++i) rows.push_back(g);
    Table table = claim_frame(rows);
    // A group's label once, on its first row.
    for (std::size_t r = 1; r < rows.size(); ++r)
      if (rows[r] == rows[r - 1]) table.columns[0].cells[r] = "";
    const auto& labels = per_name[k].front().second.labels;
    for (const auto& label : labels) table.columns.push_back({latex_escape(label), Column::Kind::text, {}});
    table.columns.push_back({"Count", Column::Kind::number, {}});
    for (const auto& [g, t] : per_name[k])
      for (const auto& [values, count] : t.counts) {
        for (std::size_t i = 0; i < labels.size(); ++i)
          table.columns[i + 1].cells.push_back(i < values.size() ? latex_escape(values[i]) : "");
        table.columns.back().cells.push_back(s_cell(format_number(count, 12)));
      }
    table.label = "tab:siv:" + slug(claim) + ":counts:" + slug(names[k]);
    table.caption = "Claim " + latex_escape(claim) + ": the counts of \\emph{" +
                    latex_escape(names[k]) + "}, summed over the cases of each group.";
    tables.push_back({slug(claim) + "-counts-" + slug(names[k]), render(table, settings)});
  }
  return tables;
}

std::string latex_overall_table(const RunResult& run, const RunSettings& settings) {
  std::vector<const GroupResult*> groups;
  for (const auto& g : run.groups) groups.push_back(&g);
  Table t = claim_frame(groups);
  t.label = "tab:siv:overall";
  t.columns.push_back({"Verdict", Column::Kind::wrap, {}});
  t.columns.push_back({"Cases", Column::Kind::number, {}});
  t.columns.push_back({"Key figure", Column::Kind::wrap, {}});
  for (const auto* g : groups) {
    t.columns[1].cells.push_back(verdict_cell(*g));
    t.columns[2].cells.push_back(s_cell(g->cases));
    t.columns[3].cells.push_back(latex_escape(key_figure(*g, run)));
  }
  t.caption = "All verdicts, by check; the key figure is the group's median with its worst case.";
  return render(t, settings);
}

std::string latex_values(const RunResult& run, const RunSettings& settings) {
  std::set<std::string> used;
  std::ostringstream os;
  auto define = [&](const std::vector<std::string>& parts, const std::string& value) {
    std::string name = macro_name(parts);
    while (!used.insert(name).second) name += "X";
    os << "\\newcommand{\\" << name << "}{" << value << "}\n";
  };
  int unexpected = 0;
  for (const auto& g : run.groups) unexpected += !g.as_expected();
  os << provenance_lines(settings, "% ")
     << "% One macro per headline number. Names: \"siv\" + the words of\n"
        "% check, group and field; digits spelled out (2 -> Two), '.' between digits -> Point,\n"
        "% '-' before a digit -> Minus, other punctuation dropped; a repeated name gets X appended.\n";
  define({"version"}, latex_escape(provenance_json().at("siverify").get<std::string>()));
  define({"profile"}, latex_escape(settings.profile));
  define({"seed"}, seed_text(settings.seed));
  define({"groups"}, std::to_string(run.groups.size()));
  define({"cases"}, std::to_string(run.records.size()));
  define({"unexpected"}, std::to_string(unexpected));
  for (const auto& g : run.groups) {
    std::vector<std::string> base = {g.check, g.group};
    if (g.mutant) {
      base.push_back("mutant");
      base.push_back(g.variant);
    }
    auto with = [&](const std::string& field) {
      auto parts = base;
      parts.push_back(field);
      return parts;
    };
    define(with("verdict"), latex_escape(to_string(g.verdict)));
    define(with("expected"), latex_escape(expected_text(g)));
    define(with("cases"), std::to_string(g.cases));
    define(with("violations"), std::to_string(g.violations));
    define(with("not met"), std::to_string(g.not_met));
    if (g.passes + g.violations > 0) {
      if (g.comparison == Comparison::p_value) {
        define(with("min p"), format_distinct(g.min_p));
        define(with("min p holm"), format_distinct(min_adjusted_p(g, run)));
      } else {
        define(with("worst slack"), format_distinct(g.worst_slack));
        define(with("median slack"), format_distinct(g.median_slack));
      }
    }
    const auto agg = detail_aggregates(g, run);
    for (const auto& key : headline_keys()) {
      const auto it = agg.find(key);
      if (it == agg.end()) continue;
      define(with(key), format_distinct(it->second.median));
      define(with(key + " min"), format_distinct(it->second.min));
      define(with(key + " max"), format_distinct(it->second.max));
    }
  }
  return os.str();
}

std::vector<std::string> claims_of(const RunResult& run) {
  std::vector<std::string> claims;
  for (const auto& g : run.groups)
    if (std::find(claims.begin(), claims.end(), g.claim) == claims.end()) claims.push_back(g.claim);
  return claims;
}


std::string latex_report(const RunResult& run, const RunSettings& settings,
                         const std::vector<Plot>& plots,
                         const std::vector<std::string>& tables_of_claims) {
  std::ostringstream os;
  os << provenance_lines(settings, "% ") << "% Compile with: latexmk -pdf report.tex\n"
     << "\\documentclass[10pt]{article}\n"
        "\\usepackage[T1]{fontenc}\n"
        "\\usepackage[margin=2cm]{geometry}\n"
        "\\usepackage{booktabs}\n"
        "\\usepackage{siunitx}\n"
        "\\usepackage{tabularx}\n"
        "\\usepackage{xltabular}\n"
        "\\usepackage{graphicx}\n"
        "\\usepackage{float}\n"
        // A float never appears before the text that issues it (not above a long table's end).
        "\\usepackage{flafter}\n"
        "\\usepackage{pgfplots}\n"
        "\\pgfplotsset{compat=1.16}\n"
        // Long identifiers in statements and captions: stretch spaces rather than overrun.
        "\\setlength{\\emergencystretch}{3em}\n"
        "\\input{tables/values.tex}\n"
        "\\begin{document}\n"
        "\\section*{siverify report}\n"
        "siverify \\sivVersion, profile \\sivProfile, seed \\sivSeed, $\\alpha = "
     << format_number(settings.alpha) << "$: \\sivGroups{} groups, \\sivCases{} cases, "
     << "\\sivUnexpected{} unexpected verdicts (in bold, with the predicted one beside them).\n\n"
        "Verdicts: \\emph{exact} (every tested case at the error model's floor: the strongest "
        "result), \\emph{holds} (no case violated the bound, or the test did not reject), "
        "\\emph{holds-but-loose} (holds with the bound used below "
     << format_number(100 * kLooseRatio)
     << "\\,\\% on every case), \\emph{refuted} (a case violated it; \\emph{refuted (expected)}: "
        "a refutation the harness's precise statement predicts), \\emph{assumption-not-met} (no "
        "case met the assumptions, nothing was tested), \\emph{failure} (a case could not be "
        "evaluated).\n\n"
        "\\input{tables/overall.tex}\n";
  for (const auto& claim : claims_of(run)) {
    os << "\\clearpage\n\\section{Claim " << latex_escape(claim) << "}\n";
    std::set<std::string> seen;
    for (const auto& g : run.groups)
      if (g.claim == claim && seen.insert(g.check).second)
        os << "\\paragraph{" << latex_escape(g.check) << "} " << latex_escape(g.statement)
           << "\n\n";
    for (const auto& name : tables_of_claims)
      if (name == claim || name.rfind(slug(claim) + "-", 0) == 0)
        os << "\\input{tables/" << name << ".tex}\n";
    for (const auto& plot : plots)
      if (plot.claim == claim)
        os << "\\begin{figure}[H]\\centering\n\\input{figures/" << plot.stem << ".tex}\n\\caption{"
           << breakable(latex_escape(plot.caption)) << "}\n\\end{figure}\n";
  }
  os << "\\end{document}\n";
  return os.str();
}

}  // namespace siv
