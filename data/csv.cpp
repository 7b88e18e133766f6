#include "data/csv.hpp"

#include <bit>
#include <charconv>
#include <cstdio>
#include <cmath>
#include <cstring>
#include <vector>

#include "data/bytes.hpp"
#include "data/input_error.hpp"

namespace siv::data {
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

// A field quoted in a message: long or binary fields would flood the terminal.
std::string quoted(std::string_view field) {
  std::string out = "'";
  for (std::size_t i = 0; i < field.size() && i < 40; ++i) {
    const auto c = static_cast<unsigned char>(field[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    }
  }
  return out + (field.size() > 40 ? "...'" : "'");
}

std::string cell_problem(std::size_t column, std::string_view field, Parsed::Kind kind) {
  std::string what = "column " + std::to_string(column + 1) + ": ";
  if (kind == Parsed::Kind::empty) return what + "empty value";
  what += quoted(field) + " ";
  if (kind == Parsed::Kind::out_of_range) return what + "is outside the range of double";
  if (kind == Parsed::Kind::non_finite) return what + "is not finite";
  return what + "is not a number";
}

[[noreturn]] void fail(const std::string& name, long line, const std::string& what) {
  throw InputError(name + ":" + std::to_string(line) + ": " + what);
}

}  // namespace

Table parse_csv(std::string_view text, const std::string& name) {
  Table out;
  out.name = name;
  std::vector<double> values;
  std::size_t width = 0;
  long width_line = 0;  // where the expected width was set
  bool header_possible = true;
  std::size_t pos = 0;
  for (long number = 1; pos < text.size(); ++number) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.size() > kMaxLineBytes) fail(name, number, "line longer than the 16 MiB limit");
    if (line.find('\0') != std::string_view::npos)
      fail(name, number, "contains a NUL byte: not a CSV text file");
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
    if (values.size() + fields.size() > kMaxValues)
      fail(name, number, "more than the limit of " + std::to_string(kMaxValues) + " values");
    for (std::size_t c = 0; c < fields.size(); ++c) {
      const auto parsed = parse_number(fields[c]);
      if (parsed.kind != Parsed::Kind::number)
        fail(name, number, cell_problem(c, fields[c], parsed.kind));
      values.push_back(parsed.value);
    }
    out.line.push_back(number);
  }
  if (out.line.empty())
    throw InputError(
        name + ": no data rows" +
        (width_line > 0 ? " (line " + std::to_string(width_line) + " was read as a header of names)"
                        : std::string()));
  out.rows = static_cast<long>(out.line.size());
  out.dims = {static_cast<long>(width)};
  out.dtype = Dtype::f64;
  out.big_endian = std::endian::native == std::endian::big;
  out.bytes = std::make_shared<const std::string>(reinterpret_cast<const char*>(values.data()),
                                                  values.size() * sizeof(double));
  return out;
}

}  // namespace siv::data
