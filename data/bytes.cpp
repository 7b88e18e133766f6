#include "data/bytes.hpp"

#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

#include "data/idx.hpp"
#include "data/input_error.hpp"
#include "data/npy.hpp"

namespace siv::data {
namespace {

std::string mib(std::size_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

}  // namespace

std::string read_bytes(const std::string& path, ReadMode mode,
                       const std::function<void(std::string_view)>& check_start) {
  const bool from_stdin = path == "-";
  const std::string name = from_stdin ? "<stdin>" : path;
  std::unique_ptr<std::FILE, FileCloser> owned;
  std::FILE* file = stdin;
  if (!from_stdin) {
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (std::filesystem::is_directory(status)) throw InputError(path + ": is a directory");
    if (std::filesystem::is_regular_file(status)) {
      const auto size = std::filesystem::file_size(path, ec);
      if (!ec && size > kMaxBytes)
        throw InputError(path + ": " + std::to_string(size) + " bytes, larger than the " +
                         mib(kMaxBytes) + " limit of siverify's readers");
    }
    owned.reset(std::fopen(path.c_str(), "rb"));
    if (!owned) throw InputError(path + ": cannot open: " + std::strerror(errno));
    file = owned.get();
  }
  std::string out;
  std::size_t line_start = 0;  // text: offset where the current line began
  long line = 1;
  char chunk[1 << 16];
  while (true) {
    const std::size_t got = std::fread(chunk, 1, sizeof chunk, file);
    if (got == 0) break;
    if (out.size() + got > kMaxBytes)
      throw InputError(name + ": larger than the " + mib(kMaxBytes) + " limit of siverify's readers");
    const std::size_t base = out.size();
    out.append(chunk, got);
    if (base == 0) {
      if (mode == ReadMode::sniff)
        mode = is_gzip(out) || out.starts_with(kNpyMagic) || looks_like_idx(out) ? ReadMode::binary
                                                                               : ReadMode::text;
      if (mode == ReadMode::binary && check_start) check_start(out);
    }
    if (mode != ReadMode::text) continue;
    for (std::size_t i = base; i < out.size(); ++i) {
      if (out[i] == '\0')
        throw InputError(name + ":" + std::to_string(line) + ": contains a NUL byte (offset " +
                         std::to_string(i) + "): not a CSV text file");
      if (out[i] == '\n') {
        ++line;
        line_start = i + 1;
      }
    }
    if (out.size() - line_start > kMaxLineBytes)
      throw InputError(name + ":" + std::to_string(line) + ": line longer than the " +
                       mib(kMaxLineBytes) + " limit");
  }
  if (std::ferror(file)) throw InputError(name + ": read error: " + std::strerror(errno));
  return out;
}

bool is_gzip(std::string_view bytes) {
  return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
         static_cast<unsigned char>(bytes[1]) == 0x8b;
}

std::string gunzip(std::string_view bytes, const std::string& name, std::size_t limit) {
  if (!is_gzip(bytes)) throw InputError(name + ": not gzip data (wrong magic)");
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) throw InputError(name + ": zlib cannot start inflating");
  const std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&zs, inflateEnd);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  zs.avail_in = static_cast<uInt>(bytes.size());  // kMaxBytes < 4 GiB
  std::string out;
  char chunk[1 << 16];
  while (true) {
    zs.next_out = reinterpret_cast<Bytef*>(chunk);
    zs.avail_out = sizeof chunk;
    const int rc = inflate(&zs, Z_NO_FLUSH);
    out.append(chunk, sizeof chunk - zs.avail_out);
    if (out.size() > limit)
      throw InputError(name + ": inflates to more than the " + mib(limit) +
                       " limit of siverify's readers");
    if (rc == Z_STREAM_END) {
      // Concatenated members are one gzip file (RFC 1952); anything else after the end is not.
      if (zs.avail_in == 0) return out;
      if (!is_gzip({reinterpret_cast<const char*>(zs.next_in), zs.avail_in}))
        throw InputError(name + ": " + std::to_string(zs.avail_in) +
                         " bytes of garbage after the gzip data");
      inflateReset(&zs);
      continue;
    }
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) throw InputError(name + ": truncated gzip data");
    if (rc != Z_OK)
      throw InputError(name + ": corrupt gzip data (zlib: " + (zs.msg ? std::string(zs.msg) : "error " + std::to_string(rc)) + ")");
  }
}

}  // namespace siv::data
