// A small well-formedness check for the XML the JUnit writer emits (no XML library is linked):
// tags nest, attribute values are quoted, and every '&' starts an entity.
#pragma once

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

inline int count(const std::string& text, const std::string& what) {
  int n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace siv::test
