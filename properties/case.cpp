#include "properties/case.hpp"

#include <charconv>
#include <cmath>
#include <map>
#include <stdexcept>

namespace siv {
namespace {

constexpr std::string_view kPrefix = "siv1";

std::string shortest(double v) {
  char buffer[32];
  auto end = std::to_chars(buffer, buffer + sizeof buffer, v).ptr;
  return std::string(buffer, end);
}

template <typename T>
T parse_number(const std::string& field, const std::string& text) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size())
    throw std::invalid_argument("replay token: field '" + field + "' has a bad value '" + text + "'");
  return value;
}

}  // namespace

std::string to_token(const Case& c) {
  std::string t(kPrefix);
  auto add = [&](std::string_view key, const std::string& value) {
    if (value.find(';') != std::string::npos || value.find('=') != std::string::npos)
      throw std::invalid_argument("case field '" + std::string(key) + "' contains ';' or '='");
    t += ";";
    t += key;
    t += "=";
    t += value;
  };
  add("check", c.check);
  add("group", c.group);
  add("schedule", c.schedule);
  add("n", std::to_string(c.set.n));
  add("d", std::to_string(c.set.d));
  add("sep", shortest(c.set.separation));
  add("set", std::to_string(c.set.seed));
  if (!c.set.data.empty()) {
    add("data", c.set.data);
    add("scale", c.set.scale);
    if (c.set.label >= 0) add("class", std::to_string(c.set.label));
  }
  add("seed", std::to_string(c.seed));
  add("M", std::to_string(c.starts));
  add("N", std::to_string(c.steps));
  if (c.ladder) add("L", std::to_string(c.ladder));
  if (!c.diffusion.empty()) add("eps", c.diffusion);
  if (!c.error_model.empty()) add("err", c.error_model);
  if (!c.variant.empty()) add("variant", c.variant);
  if (c.level != 0) add("level", shortest(c.level));
  return t;
}

Case parse_token(std::string_view token) {
  std::map<std::string, std::string> fields;
  std::size_t start = 0;
  bool first = true;
  while (start <= token.size()) {
    std::size_t end = token.find(';', start);
    if (end == std::string_view::npos) end = token.size();
    const std::string_view part = token.substr(start, end - start);
    if (first) {
      if (part != kPrefix)
        throw std::invalid_argument("replay token must start with '" + std::string(kPrefix) + ";'");
      first = false;
    } else {
      const auto eq = part.find('=');
      if (eq == std::string_view::npos)
        throw std::invalid_argument("replay token: '" + std::string(part) + "' is not key=value");
      if (!fields.emplace(std::string(part.substr(0, eq)), std::string(part.substr(eq + 1))).second)
        throw std::invalid_argument("replay token: field '" + std::string(part.substr(0, eq)) +
                                    "' repeats");
    }
    start = end + 1;
  }
  auto take = [&](const std::string& key, bool required = true) {
    auto it = fields.find(key);
    if (it == fields.end()) {
      if (required) throw std::invalid_argument("replay token: field '" + key + "' is missing");
      return std::string();
    }
    std::string value = it->second;
    fields.erase(it);
    return value;
  };
  Case c;
  c.check = take("check");
  c.group = take("group");
  c.schedule = take("schedule");
  c.set.n = parse_number<int>("n", take("n"));
  c.set.d = parse_number<int>("d", take("d"));
  c.set.separation = parse_number<double>("sep", take("sep"));
  c.set.seed = parse_number<std::uint64_t>("set", take("set"));
  c.set.data = take("data", false);
  if (const auto scale = take("scale", false); !scale.empty()) c.set.scale = scale;
  if (const auto label = take("class", false); !label.empty()) c.set.label = parse_number<int>("class", label);
  c.seed = parse_number<std::uint64_t>("seed", take("seed"));
  c.starts = parse_number<int>("M", take("M"));
  c.steps = parse_number<int>("N", take("N"));
  if (const auto rungs = take("L", false); !rungs.empty()) c.ladder = parse_number<int>("L", rungs);
  c.diffusion = take("eps", false);
  c.error_model = take("err", false);
  c.variant = take("variant", false);
  if (const auto level = take("level", false); !level.empty()) {
    c.level = parse_number<double>("level", level);
    if (!(c.level > 0 && c.level < 1))
      throw std::invalid_argument("replay token: field 'level' must lie in (0, 1), got '" + level + "'");
  }
  if (!fields.empty())
    throw std::invalid_argument("replay token: unknown field '" + fields.begin()->first + "'");
  // A generated set is built from sep (> 0); a one-point data subset records sep = 0 (no pair).
  const bool one_data_point = !c.set.data.empty() && c.set.n == 1 && c.set.separation == 0;
  if (c.set.n < 1 || c.set.d < 1 || c.starts < 1 || c.steps < 0 || c.ladder < 0 ||
      (c.ladder > 0 && c.steps >> (c.ladder - 1) < 1) ||
      !((c.set.separation > 0 || one_data_point) && std::isfinite(c.set.separation)))
    throw std::invalid_argument(
        "replay token: n, d, M must be >= 1, N and L >= 0 with N / 2^(L-1) >= 1, and sep > 0 "
        "(0 for a one-point data subset)");
  return c;
}

std::ostream& operator<<(std::ostream& os, const Case& c) {
  os << c.check << " [" << c.group << "] schedule=" << c.schedule << " " << c.set
     << " seed=" << c.seed << " M=" << c.starts;
  if (c.steps) os << " N=" << c.steps;
  if (c.ladder) os << " L=" << c.ladder;
  if (!c.diffusion.empty()) os << " eps=" << c.diffusion;
  if (!c.error_model.empty()) os << " error=" << c.error_model;
  if (!c.variant.empty()) os << " variant=" << c.variant;
  if (c.level != 0) os << " level=" << c.level;
  return os;
}

}  // namespace siv
