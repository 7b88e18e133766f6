// CSV output of the command line: one point per row, numbers as %.17g. (Input: data/.)
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "data/input_error.hpp"
#include "theory/oracle.hpp"

namespace siv::app {

// Bad user input: the command line reports it and exits with 2.
using siv::InputError;

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
