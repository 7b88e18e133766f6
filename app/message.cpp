#include "app/message.hpp"

#include <cstdio>
#include <vector>

namespace siv::app {
namespace {

// Length of the valid UTF-8 sequence at s[i] (no overlongs, surrogates or code points beyond
// U+10FFFF), or 0.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  std::size_t length = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) length = 2;
  else if (c >= 0xE0 && c <= 0xEF) {
    length = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    length = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + length > s.size() || byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < length; ++k)
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  return length;
}

}  // namespace

std::string printable(std::string_view text, std::size_t max_chars) {
  std::vector<std::string> units;  // one printed character (or escape) each
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7F) {
      units.emplace_back(1, static_cast<char>(c));
      ++i;
      continue;
    }
    if (const std::size_t n = c >= 0x80 ? utf8_length(text, i) : 0) {
      units.emplace_back(text.substr(i, n));
      i += n;
      continue;
    }
    char escape[5];
    std::snprintf(escape, sizeof escape, "\\x%02X", c);
    units.emplace_back(escape);
    ++i;
  }
  std::string out;
  if (units.size() <= max_chars) {
    for (const auto& u : units) out += u;
    return out;
  }
  const std::size_t head = max_chars * 2 / 3, tail = max_chars / 4;
  for (std::size_t k = 0; k < head; ++k) out += units[k];
  out += " [... " + std::to_string(units.size() - head - tail) + " characters omitted ...] ";
  for (std::size_t k = units.size() - tail; k < units.size(); ++k) out += units[k];
  return out;
}

}  // namespace siv::app
