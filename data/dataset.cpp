#include "data/dataset.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <numeric>

#include "data/bytes.hpp"
#include "data/csv.hpp"
#include "data/idx.hpp"
#include "data/npy.hpp"
#include "theory/random.hpp"

namespace siv::data {
namespace {

bool ends_with(std::string_view s, std::string_view tail) { return s.ends_with(tail); }

// The format a path's name implies, "" when it implies none. ".gz" is looked through.
std::string format_of_name(std::string_view path) {
  if (ends_with(path, ".gz")) path.remove_suffix(3);
  if (ends_with(path, ".csv") || ends_with(path, ".txt")) return "csv";
  if (ends_with(path, ".npy")) return "npy";
  if (ends_with(path, ".idx") || ends_with(path, "-ubyte") || ends_with(path, ".idx1") ||
      ends_with(path, ".idx3"))
    return "idx";
  return "";
}

std::shared_ptr<const std::string> read_file(const std::string& path, const std::string& format) {
  ReadMode mode = ReadMode::sniff;
  std::function<void(std::string_view)> check;
  const std::string name = path == "-" ? "<stdin>" : path;
  if (ends_with(path, ".gz")) {
    mode = ReadMode::binary;
    check = [name](std::string_view b) {
      if (!is_gzip(b)) throw InputError(name + ": not gzip data (wrong magic) although named .gz");
    };
  } else if (format == "csv") {
    mode = ReadMode::text;
  } else if (format == "npy" || format == "idx") {
    mode = ReadMode::binary;
    // Wrong magic is refused from the first bytes, before reading the rest.
    check = [name, format](std::string_view b) {
      if (is_gzip(b)) return;
      auto keep = std::make_shared<const std::string>(b.substr(0, std::min<std::size_t>(b.size(), 64)));
      if (format == "npy" && !b.starts_with(kNpyMagic)) parse_npy(keep, name);
      if (format == "idx" && !looks_like_idx(b)) parse_idx(keep, name);
    };
  }
  std::string bytes = read_bytes(path, mode, check);
  if (is_gzip(bytes)) bytes = gunzip(bytes, name);
  return std::make_shared<const std::string>(std::move(bytes));
}

Table parse_any(const std::shared_ptr<const std::string>& bytes, const std::string& name,
                std::string& format) {
  if (format.empty())
    format = bytes->starts_with(kNpyMagic) ? "npy" : looks_like_idx(*bytes) ? "idx" : "csv";
  if (format == "npy") return parse_npy(bytes, name);
  if (format == "idx") return parse_idx(bytes, name);
  return parse_csv(*bytes, name);
}

std::vector<int> read_labels(const std::string& path, long rows) {
  const Table t = parse_idx(read_file(path, "idx"), path);
  if (t.rows != rows || t.cols() != 1)
    throw InputError(path + ": " + std::to_string(t.rows) + " x " + std::to_string(t.cols()) +
                     " labels for " + std::to_string(rows) + " points (expected one label per point)");
  std::vector<int> labels(static_cast<std::size_t>(rows));
  for (long i = 0; i < rows; ++i) labels[static_cast<std::size_t>(i)] = static_cast<int>(t.at(i, 0));
  return labels;
}

// "x-images-idx3-ubyte.gz" -> "x-labels-idx1-ubyte.gz" when it exists, else "".
std::string sibling_labels(const std::string& path) {
  const auto at = path.rfind("images-idx3");
  if (at == std::string::npos) return "";
  std::string labels = path;
  labels.replace(at, 11, "labels-idx1");
  std::error_code ec;
  return std::filesystem::is_regular_file(labels, ec) ? labels : "";
}

std::shared_ptr<Source> open_uncached(const std::string& spec) {
  auto source = std::make_shared<Source>();
  source->spec = spec;
  std::string path = spec, format, labels;
  if (spec == "fashion-mnist" || spec.starts_with("fashion-mnist:")) {
    const std::string part = spec == "fashion-mnist" ? "train" : spec.substr(14);
    if (part != "train" && part != "test")
      throw InputError("data set '" + spec + "': unknown part '" + part + "' (known: train, test)");
    const std::string stem = std::string(kFashionMnistDir) + "/" + (part == "train" ? "train" : "t10k");
    path = stem + "-images-idx3-ubyte.gz";
    labels = stem + "-labels-idx1-ubyte.gz";
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
      throw InputError("data set '" + spec + "': " + path +
                       " is missing; install Debian's dataset-fashion-mnist (scripts/run does)");
    format = "idx";
  } else if (spec.starts_with("fmt:")) {
    const auto colon = spec.find(':', 4);
    format = spec.substr(4, colon == std::string::npos ? std::string::npos : colon - 4);
    if (format != "csv" && format != "npy" && format != "idx")
      throw InputError("data spec '" + spec + "': unknown format '" + format +
                       "' (known: fmt:csv:, fmt:npy:, fmt:idx:)");
    if (colon == std::string::npos || colon + 1 == spec.size())
      throw InputError("data spec '" + spec + "': give a file after fmt:" + format + ":");
    path = spec.substr(colon + 1);
  } else {
    format = format_of_name(spec);
  }
  if (labels.empty() && (format == "idx" || format.empty())) labels = sibling_labels(path);
  const std::string name = path == "-" ? "<stdin>" : path;
  source->table = parse_any(read_file(path, format), name, format);
  source->format = format;
  if (!labels.empty()) source->labels = read_labels(labels, source->table.rows);
  if (source->table.dims.size() == 2) {
    source->height = static_cast<int>(source->table.dims[0]);
    source->width = static_cast<int>(source->table.dims[1]);
  }
  // The range scales non-pixel data (--scale unit); pixels scale by 255.
  const Table& t = source->table;
  if (source->pixels()) return source;
  const long d = t.cols();
  source->min = source->max = t.at(0, 0);
  for (long i = 0; i < t.rows; ++i)
    for (long j = 0; j < d; ++j) {
      const double v = t.at(i, j);
      source->min = std::min(source->min, v);
      source->max = std::max(source->max, v);
    }
  return source;
}

std::string hex(std::uint64_t v) {
  char buffer[20];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(v));
  return buffer;
}

}  // namespace

Scale parse_scale(const std::string& text) {
  if (text == "auto") return Scale::automatic;
  if (text == "unit") return Scale::unit;
  if (text == "symmetric") return Scale::symmetric;
  if (text == "none") return Scale::none;
  throw InputError("--scale: unknown scaling '" + text + "' (known: auto, unit, symmetric, none)");
}

std::string to_string(Scale s) {
  switch (s) {
    case Scale::automatic: return "auto";
    case Scale::unit: return "unit";
    case Scale::symmetric: return "symmetric";
    case Scale::none: return "none";
  }
  return "none";
}

std::shared_ptr<const Source> open_source(const std::string& spec) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const Source>> cache;
  // Standard input cannot be read twice, and files may change between runs of a test process:
  // only named sets and paths are cached, and only for the life of the process.
  const std::lock_guard lock(mutex);
  if (auto it = cache.find(spec); it != cache.end()) return it->second;
  auto source = open_uncached(spec);
  if (spec != "-") cache.emplace(spec, source);
  return source;
}

std::string Dataset::where(Eigen::Index i) const {
  return source->table.where(index[static_cast<std::size_t>(i)]);
}

Dataset take(const std::shared_ptr<const Source>& source, const Selection& sel) {
  const Table& t = source->table;
  Dataset out;
  out.source = source;
  std::vector<long> candidates;
  if (sel.label >= 0) {
    if (source->labels.empty())
      throw InputError("--class: '" + source->spec +
                       "' has no labels (named sets and IDX images with a labels file have)");
    for (long i = 0; i < t.rows; ++i)
      if (source->labels[static_cast<std::size_t>(i)] == sel.label) candidates.push_back(i);
    if (candidates.empty())
      throw InputError("--class " + std::to_string(sel.label) + ": no point of '" + source->spec +
                       "' has that label");
  } else {
    candidates.resize(static_cast<std::size_t>(t.rows));
    std::iota(candidates.begin(), candidates.end(), 0L);
  }
  if (sel.n < 0) throw InputError("--n must be >= 1, got " + std::to_string(sel.n));
  if (sel.n > static_cast<long>(candidates.size()))
    throw InputError("--n " + std::to_string(sel.n) + ": '" + source->spec + "' has only " +
                     std::to_string(candidates.size()) + " points" +
                     (sel.label >= 0 ? " of class " + std::to_string(sel.label) : std::string()));
  if (sel.n > 0) {
    // A partial Fisher-Yates shuffle: the first n of a uniformly random order, then file order.
    Rng rng(sel.seed, 0xda7a5e1ec7ull);
    for (long k = 0; k < sel.n; ++k) {
      const long m = static_cast<long>(candidates.size()) - k;
      std::swap(candidates[static_cast<std::size_t>(k)],
                candidates[static_cast<std::size_t>(k + rng.index(static_cast<int>(m)))]);
    }
    candidates.resize(static_cast<std::size_t>(sel.n));
    std::sort(candidates.begin(), candidates.end());
  }
  out.index = std::move(candidates);

  out.scale = sel.scale == Scale::automatic ? (source->pixels() ? Scale::unit : Scale::none) : sel.scale;
  double low = 0, range = 1;
  if (out.scale != Scale::none) {
    low = source->pixels() ? 0.0 : source->min;
    range = source->pixels() ? 255.0 : source->max - source->min;
    if (!(range > 0))
      throw InputError("--scale " + to_string(out.scale) + ": every value of '" + source->spec +
                       "' is the same, so it cannot be scaled");
  }
  const long d = t.cols();
  const auto n = static_cast<Eigen::Index>(out.index.size());
  out.rows.resize(n, d);
  for (Eigen::Index i = 0; i < n; ++i)
    for (long j = 0; j < d; ++j) {
      const double v = t.at(out.index[static_cast<std::size_t>(i)], j);
      // Each formula rounds once, so every format gives the same doubles for the same values.
      out.rows(i, j) = out.scale == Scale::none     ? v
                       : out.scale == Scale::unit   ? (v - low) / range
                                                    : (2 * (v - low) - range) / range;
    }
  if (!source->labels.empty())
    for (long i : out.index) out.labels.push_back(source->labels[static_cast<std::size_t>(i)]);

  std::uint64_t h = 0xcbf29ce484222325ull;
  for (long i : out.index)
    for (int b = 0; b < 8; ++b) h = (h ^ ((static_cast<std::uint64_t>(i) >> (8 * b)) & 0xff)) * 0x100000001b3ull;
  out.indices_hash = h;
  out.selection = "source=" + source->spec + " format=" + source->format +
                  " points=" + std::to_string(t.rows) + " d=" + std::to_string(d) +
                  " class=" + (sel.label >= 0 ? std::to_string(sel.label) : std::string("all")) +
                  " n=" + std::to_string(n) + " seed=" + std::to_string(sel.seed) +
                  " scale=" + to_string(out.scale) + " indices_fnv1a=" + hex(h);
  return out;
}

void require_columns(const Dataset& set, Eigen::Index d, std::string_view reason) {
  if (set.rows.cols() != d)
    throw InputError(set.where(0) + ": " + std::to_string(set.rows.cols()) +
                     " values per row, but " + std::string(reason));
}

namespace {

// Sorts the rows lexicographically and names the first equal pair (lower row first).
template <typename Value>
void find_duplicate(std::vector<long> rows, long d, const Value& value,
                    const std::function<std::string(long)>& where) {
  const auto less = [&](long a, long b) {
    for (long j = 0; j < d; ++j)
      if (const double x = value(a, j), y = value(b, j); x != y) return x < y;
    return a < b;
  };
  std::sort(rows.begin(), rows.end(), less);
  for (std::size_t k = 1; k < rows.size(); ++k) {
    const long a = rows[k - 1], b = rows[k];
    bool same = true;
    for (long j = 0; j < d && same; ++j) same = value(a, j) == value(b, j);
    if (same)
      throw InputError(where(std::max(a, b)) + ": the same point as " + where(std::min(a, b)) +
                       "; the checks need distinct training points (another --seed or --n draws "
                       "another subset)");
  }
}

}  // namespace

void require_distinct(const Dataset& set) {
  std::vector<long> rows(static_cast<std::size_t>(set.rows.rows()));
  std::iota(rows.begin(), rows.end(), 0L);
  find_duplicate(rows, set.rows.cols(), [&](long i, long j) { return set.rows(i, j); },
                 [&](long i) { return set.where(i); });
}

void require_distinct(const Source& source, int label) {
  std::vector<long> rows;
  for (long i = 0; i < source.table.rows; ++i)
    if (label < 0 || source.labels.empty() || source.labels[static_cast<std::size_t>(i)] == label)
      rows.push_back(i);
  find_duplicate(rows, source.table.cols(), [&](long i, long j) { return source.table.at(i, j); },
                 [&](long i) { return source.table.where(i); });
}

}  // namespace siv::data
