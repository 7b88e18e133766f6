#include "app/csv.hpp"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace siv::app {
namespace {

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  while (true) {
    const auto comma = line.find(',', start);
    fields.push_back(trim(line.substr(start, comma - start)));
    if (comma == std::string_view::npos) return fields;
    start = comma + 1;
  }
}

struct Parsed {
  enum class Kind { number, empty, not_number, out_of_range, non_finite } kind;
  double value = 0;
};

Parsed parse_number(std::string_view field) {
  if (field.empty()) return {Parsed::Kind::empty};
  // from_chars rejects a leading '+', which some writers emit.
  if (field.size() > 1 && field[0] == '+' && field[1] != '-' && field[1] != '+')
    field.remove_prefix(1);
  double v = 0;
  const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), v);
  if (end != field.data() + field.size()) return {Parsed::Kind::not_number};
  if (ec == std::errc::result_out_of_range) return {Parsed::Kind::out_of_range};
  if (ec != std::errc()) return {Parsed::Kind::not_number};
  if (!std::isfinite(v)) return {Parsed::Kind::non_finite};
  return {Parsed::Kind::number, v};
}

std::string cell_problem(std::size_t column, std::string_view field, Parsed::Kind kind) {
  std::string what = "column " + std::to_string(column + 1) + ": ";
  if (kind == Parsed::Kind::empty) return what + "empty value";
  what.append("'").append(field).append("' ");
  if (kind == Parsed::Kind::out_of_range) return what + "is outside the range of double";
  if (kind == Parsed::Kind::non_finite) return what + "is not finite";
  return what + "is not a number";
}

[[noreturn]] void fail(const std::string& name, long line, const std::string& what) {
  throw InputError(name + ":" + std::to_string(line) + ": " + what);
}

}  // namespace

MatrixFile parse_matrix(std::istream& in, const std::string& name) {
  MatrixFile out{name, {}, {}};
  std::vector<double> values;
  std::size_t width = 0;
  long width_line = 0;  // where the expected width was set
  bool header_possible = true;
  std::string raw;
  for (long number = 1; std::getline(in, raw); ++number) {
    std::string_view line = raw;
    if (number == 1 && line.starts_with("\xEF\xBB\xBF")) line.remove_prefix(3);
    if (line.ends_with('\r')) line.remove_suffix(1);
    const auto content = trim(line);
    if (content.empty() || content.front() == '#') continue;

    const auto fields = split_fields(content);
    if (header_possible) {
      header_possible = false;
      bool any_number = false, any_name = false;
      for (auto f : fields) {
        const auto kind = parse_number(f).kind;
        any_number = any_number || kind != Parsed::Kind::not_number;
        any_name = any_name || kind == Parsed::Kind::not_number;
      }
      if (any_name && !any_number) {
        width = fields.size();
        width_line = number;
        continue;
      }
    }
    if (width == 0) {
      width = fields.size();
      width_line = number;
    } else if (fields.size() != width) {
      fail(name, number,
           std::to_string(fields.size()) + (fields.size() == 1 ? " value" : " values") +
               ", expected " + std::to_string(width) + " as on line " + std::to_string(width_line));
    }
    for (std::size_t c = 0; c < fields.size(); ++c) {
      const auto parsed = parse_number(fields[c]);
      if (parsed.kind != Parsed::Kind::number)
        fail(name, number, cell_problem(c, fields[c], parsed.kind));
      values.push_back(parsed.value);
    }
    out.line.push_back(number);
  }
  if (in.bad()) throw InputError(name + ": read error");
  if (out.line.empty())
    throw InputError(
        name + ": no data rows" +
        (width_line > 0 ? " (line " + std::to_string(width_line) + " was read as a header of names)"
                        : std::string()));

  const auto rows = static_cast<Eigen::Index>(out.line.size());
  const auto cols = static_cast<Eigen::Index>(width);
  out.rows =
      Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
          values.data(), rows, cols);
  return out;
}

MatrixFile read_matrix(const std::string& path) {
  if (path == "-") return parse_matrix(std::cin, "<stdin>");
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw InputError(path + ": is a directory");
  std::ifstream in(path);
  if (!in) throw InputError(path + ": cannot open: " + std::strerror(errno));
  return parse_matrix(in, path);
}

void require_columns(const MatrixFile& file, Eigen::Index d, std::string_view reason) {
  if (file.rows.cols() != d)
    fail(file.name, file.line.front(),
         std::to_string(file.rows.cols()) + " values per row, but " + std::string(reason));
}

std::string format_number(double v) {
  char buffer[32];
  const int n = std::snprintf(buffer, sizeof buffer, "%.17g", v);
  return std::string(buffer, static_cast<std::size_t>(n));
}

std::vector<std::string> numbered(std::string_view prefix, Eigen::Index d) {
  std::vector<std::string> names;
  for (Eigen::Index i = 1; i <= d; ++i) names.push_back(std::string(prefix) + std::to_string(i));
  return names;
}

CsvWriter::CsvWriter(const std::vector<std::string>& header) {
  for (const auto& h : header) text(h);
  end_row();
}

void CsvWriter::separate() {
  if (row_open_) text_ += ',';
  row_open_ = true;
}

CsvWriter& CsvWriter::number(double v) {
  separate();
  text_ += format_number(v);
  return *this;
}

CsvWriter& CsvWriter::integer(long long v) {
  separate();
  text_ += std::to_string(v);
  return *this;
}

CsvWriter& CsvWriter::text(std::string_view v) {
  separate();
  text_ += v;
  return *this;
}

CsvWriter& CsvWriter::numbers(const ConstVecRef& v) {
  for (Eigen::Index i = 0; i < v.size(); ++i) number(v[i]);
  return *this;
}

void CsvWriter::end_row() {
  text_ += '\n';
  row_open_ = false;
}

void write_stdout(const std::string& text) {
  if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0)
    throw std::runtime_error(std::string("cannot write standard output: ") + std::strerror(errno));
}

}  // namespace siv::app
