#include "reports/junit.hpp"

#include <map>
#include <sstream>

#include "reports/summary.hpp"

namespace siv {
namespace {

std::string seconds_text(double s) {
  std::ostringstream os;
  os.precision(3);
  os << std::fixed << s;
  return os.str();
}

void property(std::ostream& os, const std::string& name, const std::string& value) {
  os << "      <property name=\"" << xml_escape(name) << "\" value=\"" << xml_escape(value)
     << "\"/>\n";
}

// A failure verdict is an error (a case could not be evaluated); any other verdict that differs
// from the prediction is a failure; an expected assumption-not-met is skipped.
enum class Kind { passed, failed, errored, skipped };
Kind kind(const GroupResult& g) {
  if (g.verdict == Verdict::failure && !g.as_expected()) return Kind::errored;
  if (!g.as_expected()) return Kind::failed;
  if (g.verdict == Verdict::not_met) return Kind::skipped;
  return Kind::passed;
}

void testcase(std::ostream& os, const GroupResult& g, const RunResult& run) {
  os << "    <testcase classname=\"" << xml_escape(g.check) << "\" name=\""
     << xml_escape(group_label(g)) << "\" time=\"" << seconds_text(g.seconds) << "\"";
  const Kind k = kind(g);
  if (k == Kind::passed) {
    os << "/>\n";
    return;
  }
  os << ">\n";
  std::string message = verdict_text(g) + ", expected " + to_string(g.expected) + "; " +
                        key_figure(g, run);
  if (g.counterexample) message += "; counterexample " + to_token(g.counterexample->c);
  if (k == Kind::errored) {
    std::string why;
    for (std::size_t i : g.records)
      if (!run.records[i].obs.failure.empty()) {
        why = run.records[i].obs.failure + " (case " + to_token(run.records[i].c) + ")";
        break;
      }
    os << "      <error type=\"evaluation-failure\" message=\"" << xml_escape(message) << "\">"
       << xml_escape(why) << "</error>\n";
  } else if (k == Kind::failed) {
    os << "      <failure type=\"unexpected-verdict\" message=\"" << xml_escape(message) << "\">"
       << xml_escape(g.statement) << "</failure>\n";
  } else {
    os << "      <skipped message=\"assumptions not met on any case (expected)\"/>\n";
  }
  os << "    </testcase>\n";
}

}  // namespace

std::string xml_escape(const std::string& text) {
  std::string out;
  for (const unsigned char ch : text) switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      // XML 1.0 forbids most control characters even as references.
      default: out += ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r' ? '?' : char(ch);
    }
  return out;
}

std::string junit_xml(const RunResult& run, const RunSettings& settings, const JunitContext& context) {
  std::map<std::string, std::vector<const GroupResult*>> suites;  // one suite per claim
  for (const auto& g : run.groups) suites[g.claim].push_back(&g);
  const auto provenance = provenance_json();
  std::ostringstream os;
  os << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n";
  int id = 0;
  for (const auto& [claim, groups] : suites) {
    int failures = 0, errors = 0, skipped = 0;
    double time = 0;
    std::string lines;
    for (const auto* g : groups) {
      const Kind k = kind(*g);
      failures += k == Kind::failed;
      errors += k == Kind::errored;
      skipped += k == Kind::skipped;
      time += g->seconds;
      lines += g->check + "  " + group_label(*g) + "  " + verdict_text(*g) + "  " +
               std::to_string(g->cases) + " cases; " + key_figure(*g, run) + "; power: " +
               power_text(*g) + "\n";
    }
    os << "  <testsuite name=\"" << xml_escape(claim) << "\" package=\"siverify\" id=\"" << id++
       << "\" timestamp=\"" << xml_escape(context.timestamp) << "\" hostname=\""
       << xml_escape(context.hostname.empty() ? "localhost" : context.hostname) << "\" tests=\""
       << groups.size() << "\" failures=\"" << failures << "\" errors=\"" << errors
       << "\" skipped=\"" << skipped << "\" time=\"" << seconds_text(time) << "\">\n"
       << "    <properties>\n";
    property(os, "run_id", run_id(settings));
    property(os, "profile", settings.profile);
    property(os, "seed", seed_text(settings.seed));
    property(os, "alpha", format_number(settings.alpha));
    for (const char* key : {"siverify", "git_commit", "compiler", "os"})
      property(os, key, provenance.at(key).get<std::string>());
    os << "    </properties>\n";
    for (const auto* g : groups) testcase(os, *g, run);
    os << "    <system-out>" << xml_escape(lines) << "</system-out>\n"
       << "    <system-err></system-err>\n  </testsuite>\n";
  }
  os << "</testsuites>\n";
  return os.str();
}

}  // namespace siv
