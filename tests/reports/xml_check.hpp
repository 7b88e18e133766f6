// A small well-formedness check for the XML the JUnit writer emits (no XML library is linked):
// tags nest, attribute values are quoted, and every '&' starts an entity.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace siv::test {

inline bool entities_ok(const std::string& text) {
  for (std::size_t i = text.find('&'); i != std::string::npos; i = text.find('&', i + 1)) {
    const auto end = text.find(';', i);
    if (end == std::string::npos) return false;
    const std::string name = text.substr(i + 1, end - i - 1);
    if (name != "amp" && name != "lt" && name != "gt" && name != "quot" && name != "apos")
      return false;
  }
  return true;
}

// Returns "" when well-formed, else what is wrong.
inline std::string xml_problem(const std::string& xml) {
  std::vector<std::string> open;
  std::size_t i = 0;
  if (xml.rfind("<?xml", 0) == 0) i = xml.find("?>") + 2;
  while (i < xml.size()) {
    const auto lt = xml.find('<', i);
    const std::string text = xml.substr(i, lt == std::string::npos ? std::string::npos : lt - i);
    if (text.find('>') != std::string::npos || !entities_ok(text)) return "bad text: " + text;
    if (lt == std::string::npos) break;
    // Find the tag's end outside quoted attribute values.
    std::size_t j = lt + 1;
    char quote = 0;
    for (; j < xml.size(); ++j) {
      if (quote) {
        if (xml[j] == quote) quote = 0;
        else if (xml[j] == '<') return "'<' inside an attribute value";
      } else if (xml[j] == '"' || xml[j] == '\'') quote = xml[j];
      else if (xml[j] == '>') break;
    }
    if (j == xml.size()) return "unterminated tag";
    const std::string tag = xml.substr(lt + 1, j - lt - 1);
    if (!entities_ok(tag)) return "bad entity in tag: " + tag;
    const std::string name = tag.substr(tag[0] == '/', tag.find_first_of(" />", 1) - (tag[0] == '/'));
    if (tag[0] == '/') {
      if (open.empty() || open.back() != name) return "mismatched </" + name + ">";
      open.pop_back();
    } else if (tag.back() != '/') {
      open.push_back(name);
    }
    i = j + 1;
  }
  return open.empty() ? "" : "unclosed <" + open.back() + ">";
}

// "" when xml validates against the JUnit XSD in tests/reports/data (xmllint, libxml2-utils,
// which scripts/run installs: its absence is a failure, not a skip), else xmllint's messages.
inline std::string junit_xsd_problems(const std::string& xml, const std::string& scratch_dir) {
  const std::string file = scratch_dir + "/junit-under-test.xml", log = scratch_dir + "/xmllint.log";
  if (FILE* f = std::fopen(file.c_str(), "w")) {
    std::fwrite(xml.data(), 1, xml.size(), f);
    std::fclose(f);
  } else {
    return "cannot write " + file;
  }
  // append, not "literal" + string: GCC 12 warns falsely on the latter (-Wrestrict, PR 105329).
  std::string command("xmllint --noout --schema '");
  command.append(SIVERIFY_SOURCE_DIR).append("/tests/reports/data/JUnit.xsd' '").append(file);
  command.append("' >'").append(log).append("' 2>&1");
  if (std::system(command.c_str()) == 0) return "";
  std::string out;
  if (FILE* f = std::fopen(log.c_str(), "r")) {
    char buffer[4096];
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, f)) > 0;) out.append(buffer, n);
    std::fclose(f);
  }
  return out.empty() ? "xmllint failed (is libxml2-utils installed?)" : out;
}

inline int count(const std::string& text, const std::string& what) {
  int n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace siv::test
