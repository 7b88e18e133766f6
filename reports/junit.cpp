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

void testcase(std::ostream& os, const GroupResult& g, const RunResult& run) {
  os << "    <testcase classname=\"" << xml_escape(g.check) << "\" name=\""
     << xml_escape(group_label(g)) << "\" time=\"" << seconds_text(g.seconds) << "\">\n";
  os << "     <properties>\n";
  property(os, "verdict", to_string(g.verdict));
  property(os, "expected", to_string(g.expected));
  property(os, "cases", std::to_string(g.cases));
  property(os, "violations", std::to_string(g.violations));
  property(os, "assumption_not_met", std::to_string(g.not_met));
  property(os, "failures", std::to_string(g.failures));
  property(os, "key_figure", key_figure(g, run));
  os << "     </properties>\n";
  if (!g.as_expected()) {
    std::string message = to_string(g.verdict) + ", expected " + to_string(g.expected);
    if (g.counterexample) message += "; counterexample " + to_token(g.counterexample->c);
    os << "     <failure type=\"unexpected-verdict\" message=\"" << xml_escape(message) << "\">"
       << xml_escape(g.statement) << "</failure>\n";
  } else if (g.verdict == Verdict::not_met) {
    os << "     <skipped message=\"assumptions not met on any case (expected)\"/>\n";
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

std::string junit_xml(const RunResult& run) {
  std::map<std::string, std::vector<const GroupResult*>> suites;  // one suite per claim
  for (const auto& g : run.groups) suites[g.claim].push_back(&g);
  int failures = 0, skipped = 0;
  for (const auto& g : run.groups) {
    failures += !g.as_expected();
    skipped += g.as_expected() && g.verdict == Verdict::not_met;
  }
  std::ostringstream os;
  os << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"siverify\" tests=\""
     << run.groups.size() << "\" failures=\"" << failures << "\" skipped=\"" << skipped
     << "\" time=\"" << seconds_text(run.seconds) << "\">\n";
  for (const auto& [claim, groups] : suites) {
    int f = 0, s = 0;
    double time = 0;
    for (const auto* g : groups) {
      f += !g->as_expected();
      s += g->as_expected() && g->verdict == Verdict::not_met;
      time += g->seconds;
    }
    os << "  <testsuite name=\"" << xml_escape(claim) << "\" tests=\"" << groups.size()
       << "\" failures=\"" << f << "\" errors=\"0\" skipped=\"" << s << "\" time=\""
       << seconds_text(time) << "\">\n";
    for (const auto* g : groups) testcase(os, *g, run);
    os << "  </testsuite>\n";
  }
  os << "</testsuites>\n";
  return os.str();
}

}  // namespace siv
