// JUnit XML for CI servers: one testsuite per claim, one testcase per claim x group; valid
// against the Jenkins/Ant JUnit.xsd (tests/reports/data/JUnit.xsd). An unexpected verdict is a
// <failure>, a case that could not be evaluated an <error>, an expected assumption-not-met
// <skipped>. The run's id, seed, profile and provenance are the suites' properties.
#pragma once

#include <string>

#include "properties/runner.hpp"
#include "reports/records.hpp"

namespace siv {

std::string xml_escape(const std::string& text);

struct JunitContext {
  std::string timestamp;  // "2026-05-22T10:00:00", when the run started (UTC, no zone)
  std::string hostname;   // "" -> "localhost"
};

std::string junit_xml(const RunResult& run, const RunSettings& settings, const JunitContext& context);

}  // namespace siv
