#include "reports/atomic_file.hpp"

#include <fstream>
#include <stdexcept>
#include <unistd.h>

namespace siv {

void write_file_atomically(const std::filesystem::path& path, const std::string& content) {
  // append, not "literal" + string: GCC 12 warns falsely on the latter (-Wrestrict, PR 105329).
  const std::filesystem::path temp =
      path.parent_path() /
      std::string(".").append(path.filename().string()).append(".tmp").append(std::to_string(::getpid()));
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write " + temp.string());
    out << content;
    out.flush();
    if (!out) {
      std::filesystem::remove(temp);
      throw std::runtime_error("cannot write " + temp.string());
    }
  }
  std::error_code ec;
  std::filesystem::rename(temp, path, ec);
  if (ec) {
    std::filesystem::remove(temp);
    throw std::runtime_error("cannot rename " + temp.string() + " to " + path.string() + ": " +
                             ec.message());
  }
}

}  // namespace siv
