// Whole-file reads with size guards, and gzip through zlib. Every reader parses from a byte
// buffer (a fuzz target calls the parse functions directly); only this unit touches files.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace siv::data {

// Guards: no input may make siverify read, inflate or convert more than this.
inline constexpr std::size_t kMaxBytes = std::size_t{512} << 20;     // file or inflated size
inline constexpr std::size_t kMaxValues = std::size_t{64} << 20;     // numbers in a data set
inline constexpr std::size_t kMaxLineBytes = std::size_t{16} << 20;  // one line of a text file

enum class ReadMode {
  text,    // a NUL byte or a line longer than kMaxLineBytes stops the read at once
  binary,  // `check_start` sees the first bytes (up to 64 KiB) and throws when they are wrong
  sniff,   // binary when the file starts like gzip, NPY or IDX, else text
};

// Reads path ("-": standard input) whole, never more than kMaxBytes: /dev/zero, a pipe or a
// huge file is refused without reading it all.
std::string read_bytes(const std::string& path, ReadMode mode,
                       const std::function<void(std::string_view)>& check_start = {});

bool is_gzip(std::string_view bytes);

// Inflates one or more gzip members, at most `limit` bytes; errors name `name` and say what is
// wrong.
std::string gunzip(std::string_view bytes, const std::string& name, std::size_t limit = kMaxBytes);

}  // namespace siv::data
