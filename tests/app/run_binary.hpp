// End-to-end helpers: run the built siverify on temporary files and read its CSV output.
#pragma once

#include <sys/wait.h>

#include <Eigen/Dense>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace siv::test {

// A fresh folder, removed with everything in it when the object goes.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "siverify-test-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string path(const std::string& name) const { return (path_ / name).string(); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path_ / name, std::ios::binary) << text;
    return path(name);
  }

 private:
  std::filesystem::path path_;
};

inline std::string read_text(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

inline std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

struct Result {
  int code = -1;
  std::string out, err;
};

// Runs SIVERIFY_BINARY with args; stdin_file (if any) is its standard input.
inline Result run_siverify(const std::vector<std::string>& args,
                           const std::string& stdin_file = "") {
  const TempDir io;
  // A hang guard only (exit 124), far above any run's time: no test is timed.
  std::string command = "timeout 1800 " + shell_quote(SIVERIFY_BINARY);
  // append, not "literal" + string: GCC 12 warns falsely on the latter (-Wrestrict, PR 105329).
  for (const auto& a : args) command.append(" ").append(shell_quote(a));
  command.append(" <").append(shell_quote(stdin_file.empty() ? "/dev/null" : stdin_file));
  command.append(" >").append(shell_quote(io.path("out")));
  command.append(" 2>").append(shell_quote(io.path("err")));
  const int status = std::system(command.c_str());
  Result run;
  run.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.out = read_text(io.path("out"));
  run.err = read_text(io.path("err"));
  return run;
}

// %.17g: every double survives the trip through text.
inline std::string format(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", v);
  return buffer;
}

// Matrix as the CLI reads it, one row per line, after an optional header line.
inline std::string to_csv(const Eigen::MatrixXd& m, const std::string& header = "") {
  std::string text = header;
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    for (Eigen::Index j = 0; j < m.cols(); ++j) text.append(j ? "," : "").append(format(m(i, j)));
    text += "\n";
  }
  return text;
}

// The CLI's output, split without the reader under test: header, then cells of each row.
struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  double number(std::size_t row, std::size_t col) const {
    return std::strtod(rows.at(row).at(col).c_str(), nullptr);
  }
};

inline std::vector<std::string> split(const std::string& line, char sep) {
  std::vector<std::string> cells;
  std::stringstream in(line);
  for (std::string cell; std::getline(in, cell, sep);) cells.push_back(cell);
  return cells;
}

inline Table parse_output(const std::string& text) {
  Table table;
  const auto lines = split(text, '\n');
  if (lines.empty()) return table;
  table.header = split(lines[0], ',');
  for (std::size_t i = 1; i < lines.size(); ++i) table.rows.push_back(split(lines[i], ','));
  return table;
}

}  // namespace siv::test
