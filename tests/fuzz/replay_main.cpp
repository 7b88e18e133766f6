// Without libFuzzer (GCC builds): runs a fuzz entry on every file of a corpus folder and on
// deterministic mutations of each (byte flips, cuts, repeats, inserted special bytes), so the
// default and sanitizer test runs exercise the readers on malformed input all the same.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

constexpr int kMutationsPerFile = 400;

std::string mutate(std::string bytes, std::mt19937_64& rng) {
  const auto pick = [&](std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(rng() % n); };
  static const char special[] = {'\0', '\n', '\r', ',', '#', '-', '.', 'e', '\x7f', '\xff', '\x93', '9'};
  for (int edits = 1 + static_cast<int>(rng() % 4); edits > 0; --edits) {
    switch (rng() % 5) {
      case 0:  // flip a bit
        if (!bytes.empty()) bytes[pick(bytes.size())] ^= static_cast<char>(1 << (rng() % 8));
        break;
      case 1:  // cut the tail
        bytes.resize(pick(bytes.size() + 1));
        break;
      case 2:  // insert a special byte
        bytes.insert(pick(bytes.size() + 1), 1, special[pick(sizeof special)]);
        break;
      case 3: {  // repeat a chunk
        const std::size_t from = pick(bytes.size()), length = pick(bytes.size() - from + 1);
        bytes.insert(pick(bytes.size() + 1), bytes.substr(from, length));
        break;
      }
      default:  // overwrite a byte with an extreme one
        if (!bytes.empty()) bytes[pick(bytes.size())] = static_cast<char>(rng() & 1 ? 0xff : 0);
    }
  }
  return bytes;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
    return 2;
  }
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(argv[1]))
    if (entry.is_regular_file()) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    std::fprintf(stderr, "%s: empty corpus\n", argv[1]);
    return 1;
  }
  long runs = 0;
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    const std::string seed{std::istreambuf_iterator<char>(in), {}};
    std::mt19937_64 rng(std::hash<std::string>{}(file.filename().string()));
    for (int k = 0; k <= kMutationsPerFile; ++k, ++runs) {
      const std::string input = k == 0 ? seed : mutate(seed, rng);
      LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
    }
  }
  std::printf("%ld inputs from %zu corpus files, no crash\n", runs, files.size());
  return 0;
}
