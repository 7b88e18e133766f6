// CSV input and output of the command line: one point per row, numbers as %.17g.
//
// Input rules (README.md, "CSV files"):
//   - fields are separated by commas; spaces and tabs around a field are ignored;
//   - lines that are blank or whose first non-blank character is '#' are skipped anywhere;
//   - the first remaining line is a header, and skipped, when every field is a non-empty text that
//     is not a number (nan and inf count as numbers); it must have as many fields as the data rows;
//   - every other line is a data row of finite numbers (std::from_chars syntax, an optional
//     leading '+'), all rows of the same length, at least one row;
//   - CRLF line ends and a UTF-8 byte order mark are accepted.
// Every violation throws InputError with the message "<file>:<line>: <what>".
#pragma once

#include <istream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "theory/oracle.hpp"

namespace siv::app {

// Bad user input (a file, a value or an option): the command line reports it and exits with 2.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A matrix read from a file, with where each row came from for later error messages.
struct MatrixFile {
  std::string name;        // the path as given, or "<stdin>"
  Mat rows;                // n x d, row i is point i
  std::vector<long> line;  // line[i]: 1-based line number of row i
};

// Parses text in the format above; name is used in messages only.
MatrixFile parse_matrix(std::istream& in, const std::string& name);

// Reads path ("-" reads standard input).
MatrixFile read_matrix(const std::string& path);

// Throws InputError at the first row of `file` unless it has d columns; `reason` says where d
// comes from, e.g. "the training set 'data.csv' has d = 2".
void require_columns(const MatrixFile& file, Eigen::Index d, std::string_view reason);

// %.17g: the shortest printf format that parses back to the same double.
std::string format_number(double v);

// "b1", ..., "bd".
std::vector<std::string> numbered(std::string_view prefix, Eigen::Index d);

// CSV text built in memory, so that a failing command prints nothing on standard output.
class CsvWriter {
 public:
  explicit CsvWriter(const std::vector<std::string>& header);
  CsvWriter& number(double v);  // format_number
  CsvWriter& integer(long long v);
  CsvWriter& text(std::string_view v);  // must not contain commas or line ends
  CsvWriter& numbers(const ConstVecRef& v);
  void end_row();
  const std::string& str() const { return text_; }

 private:
  void separate();
  std::string text_;
  bool row_open_ = false;
};

// Writes text to standard output; throws std::runtime_error if it cannot.
void write_stdout(const std::string& text);

}  // namespace siv::app
