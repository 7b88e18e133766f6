// SHA-256 (FIPS 180-4) of a byte string, as 64 lowercase hex digits: the file hashes of a report
// directory's manifest, comparable with `sha256sum`.
#pragma once

#include <string>

namespace siv {

std::string sha256_hex(const std::string& bytes);

}  // namespace siv
