// Error messages as printed: one bounded line of printable text, whatever bytes the input held.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace siv::app {

inline constexpr std::size_t kMaxMessageChars = 600;

// Escapes control bytes, DEL and bytes that are not valid UTF-8 as \xNN, keeping valid UTF-8
// characters (a backslash stays, so text the readers escaped already passes unchanged); longer than max_chars characters after escaping, the middle
// is replaced by " [... N characters omitted ...] " so the start (file:line) and the end (what is
// wrong) both stay.
std::string printable(std::string_view text, std::size_t max_chars = kMaxMessageChars);

}  // namespace siv::app
