#include "reports/baseline.hpp"

#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "reports/summary.hpp"

namespace siv {
namespace {

const std::vector<std::string> kExactFields = {"verdict",    "expected",           "cases", "passes",
                                               "violations", "assumption_not_met", "failures"};
const std::set<std::string> kRateFields = {"rate", "rate_lo", "rate_hi", "predicted_rate", "r2"};
const std::set<std::string> kTightnessFields = {"max_tightness", "median_tightness", "tightness_fine"};

std::string group_key(const nlohmann::json& g) {
  return g.at("check").get<std::string>() + "\n" + g.at("group").get<std::string>() + "\n" +
         g.at("variant").get<std::string>();
}

std::string label(const nlohmann::json& g) {
  const std::string variant = g.at("variant").get<std::string>();
  return g.at("group").get<std::string>() + (variant.empty() ? "" : " / mutant " + variant);
}

std::string text(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "absent";
  if (v.is_number()) return format_number(v.get<double>(), 6);
  return v.dump();
}

// Values within tolerance; null only matches null.
bool close(const std::string& field, const nlohmann::json& a, const nlohmann::json& b,
           std::string& tolerance) {
  if (!a.is_number() || !b.is_number()) {
    tolerance = "exact";
    return a == b;
  }
  const double x = a.get<double>(), y = b.get<double>();
  if (kRateFields.count(field)) {
    tolerance = "abs " + format_number(kRateTolerance);
    return std::abs(x - y) <= kRateTolerance;
  }
  tolerance = "rel " + format_number(100 * kRelativeTolerance) + "%";
  if (kTightnessFields.count(field)) {
    tolerance += " or abs " + format_number(kTightnessFloor);
    if (std::abs(x - y) <= kTightnessFloor) return true;
  }
  return std::abs(x - y) <= kRelativeTolerance * std::abs(x);
}

void require(bool ok, const std::filesystem::path& file, const std::string& what) {
  if (!ok) throw BaselineError("baseline " + file.string() + ": " + what);
}

}  // namespace

nlohmann::json baseline_json(const nlohmann::json& summary) {
  const auto& s = summary.at("settings");
  nlohmann::json settings = {{"profile", s.at("profile")},     {"seed", s.at("seed")},
                             {"alpha", s.at("alpha")},         {"claims", s.at("claims")},
                             {"mutants", s.at("mutants")},
                             {"claims_as_stated", s.at("claims_as_stated")},
                             {"profile_values", s.at("profile_values")}};
  std::map<std::string, nlohmann::json> sorted;
  for (const auto& g : summary.at("groups")) {
    nlohmann::json entry = {{"check", g.at("check")}, {"group", g.at("group")},
                            {"variant", g.at("variant")}};
    for (const auto& field : kExactFields) entry[field] = g.at(field);
    nlohmann::json values = nlohmann::json::object();
    for (const char* field : {"max", "median"})
      if (!g.at("tightness").at(field).is_null())
        values[std::string(field) + "_tightness"] = g.at("tightness").at(field);
    for (const auto& [key, a] : g.at("headline").items()) values[key] = a.at("median");
    entry["values"] = values;
    sorted[group_key(entry)] = entry;
  }
  nlohmann::json groups = nlohmann::json::array();
  for (auto& [key, entry] : sorted) groups.push_back(std::move(entry));
  return {{"schema", kBaselineSchema}, {"settings", settings}, {"groups", groups}};
}

nlohmann::json read_baseline(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  require(static_cast<bool>(in), file, "cannot be read");
  std::stringstream buffer;
  buffer << in.rdbuf();
  nlohmann::json j = nlohmann::json::parse(buffer.str(), nullptr, false);
  require(!j.is_discarded(), file, "is not valid JSON");
  require(j.is_object() && j.value("schema", "") == kBaselineSchema, file,
          std::string("wrong schema (expected \"schema\": \"") + kBaselineSchema + "\")");
  require(j.contains("settings") && j["settings"].is_object(), file, "has no settings object");
  require(j.contains("groups") && j["groups"].is_array(), file, "has no groups array");
  for (const auto& g : j["groups"]) {
    bool ok = g.is_object() && g.contains("values") && g["values"].is_object();
    for (const char* field : {"check", "group", "variant"})
      ok = ok && g.contains(field) && g[field].is_string();
    for (const auto& field : kExactFields) ok = ok && g.contains(field);
    require(ok, file, "a group entry lacks check, group, variant, values or a count: " + g.dump());
  }
  return j;
}

std::vector<BaselineChange> compare_baselines(const nlohmann::json& baseline,
                                              const nlohmann::json& now) {
  std::vector<BaselineChange> changes;
  for (const auto& [key, value] : baseline.at("settings").items()) {
    const nlohmann::json other = now.at("settings").value(key, nlohmann::json());
    if (other != value) changes.push_back({"settings", "-", key, text(value), text(other), "exact"});
  }
  std::map<std::string, const nlohmann::json*> current;
  for (const auto& g : now.at("groups")) current[group_key(g)] = &g;
  std::set<std::string> seen;
  for (const auto& b : baseline.at("groups")) {
    const std::string key = group_key(b);
    const std::string check = b.at("check").get<std::string>();
    seen.insert(key);
    const auto it = current.find(key);
    if (it == current.end()) {
      changes.push_back({check, label(b), "group", "present", "absent", "exact"});
      continue;
    }
    const nlohmann::json& n = *it->second;
    for (const auto& field : kExactFields)
      if (b.at(field) != n.at(field))
        changes.push_back({check, label(b), field, text(b.at(field)), text(n.at(field)), "exact"});
    const auto& bv = b.at("values");
    const auto& nv = n.at("values");
    std::set<std::string> fields;
    for (const auto& [field, v] : bv.items()) fields.insert(field);
    for (const auto& [field, v] : nv.items()) fields.insert(field);
    for (const auto& field : fields) {
      const nlohmann::json a = bv.value(field, nlohmann::json()), c = nv.value(field, nlohmann::json());
      std::string tolerance;
      if (!close(field, a, c, tolerance))
        changes.push_back({check, label(b), field, text(a), text(c), tolerance});
    }
  }
  for (const auto& g : now.at("groups"))
    if (!seen.count(group_key(g)))
      changes.push_back({g.at("check").get<std::string>(), label(g), "group", "absent", "present",
                         "exact"});
  return changes;
}

std::string format_changes(const std::vector<BaselineChange>& changes) {
  std::ostringstream os;
  for (const auto& c : changes)
    os << "  " << c.check << "  " << c.group << "  " << c.field << ": baseline " << c.baseline
       << ", now " << c.now << " (tolerance " << c.tolerance << ")\n";
  return os.str();
}

}  // namespace siv
