// Files are written under a temporary name and renamed into place, so an interrupted run never
// leaves a half-written file that looks complete.
#pragma once

#include <filesystem>
#include <string>

namespace siv {

// Writes content to path atomically (same directory temp file + rename). Throws
// std::runtime_error naming the path when it cannot.
void write_file_atomically(const std::filesystem::path& path, const std::string& content);

}  // namespace siv
