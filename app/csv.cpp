#include "app/csv.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace siv::app {

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
