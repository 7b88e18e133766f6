// JUnit XML for CI dashboards: one testcase per claim x group (x mutant variant).
//   classname = check id, name = group label ("bridge:2 / mutant exponent-1" for mutants);
//   <failure> when the verdict is not the expected one (message: verdict vs expected and the
//   counterexample token);
//   <skipped> when assumptions were not met on every case and that was expected: nothing was
//   tested, yet nothing is wrong (an unexpected not-met is a failure);
//   <properties> carry the verdict, counts and key figure.
#pragma once

#include <string>

#include "properties/runner.hpp"

namespace siv {

std::string xml_escape(const std::string& text);
std::string junit_xml(const RunResult& run);

}  // namespace siv
