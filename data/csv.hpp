// CSV input: one point per row.
//
// Rules (README.md, "CSV files"):
//   - fields are separated by commas; spaces and tabs around a field are ignored;
//   - lines that are blank or whose first non-blank character is '#' are skipped anywhere;
//   - the first remaining line is a header, and skipped, when every field is a non-empty text that
//     is not a number (nan and inf count as numbers); it must have as many fields as the data rows;
//   - every other line is a data row of finite numbers (std::from_chars syntax, an optional
//     leading '+'), all rows of the same length, at least one row;
//   - CRLF line ends and a UTF-8 byte order mark are accepted.
// Every violation throws InputError with the message "<file>:<line>: <what>".
#pragma once

#include <string>
#include <string_view>

#include "data/table.hpp"

namespace siv::data {

// Parses text in the format above (a float64 table with the line of each row); name is used in
// messages only.
Table parse_csv(std::string_view text, const std::string& name);

}  // namespace siv::data
