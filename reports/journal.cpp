#include "reports/journal.hpp"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>

#include "reports/summary.hpp"

namespace siv {
namespace {

Comparison comparison_from(const std::string& text) {
  if (text == "upper") return Comparison::upper;
  if (text == "lower") return Comparison::lower;
  if (text == "p-value") return Comparison::p_value;
  throw JournalError("unknown comparison '" + text + "'");
}

// JSON has no NaN or infinity; a string keeps them (a case's NaN must still fail after resuming).
nlohmann::json exact(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return v;
}

double exact_from(const nlohmann::json& j) {
  if (j.is_number()) return j.get<double>();
  if (j == "nan") return std::numeric_limits<double>::quiet_NaN();
  if (j == "inf") return std::numeric_limits<double>::infinity();
  if (j == "-inf") return -std::numeric_limits<double>::infinity();
  throw JournalError("bad number " + j.dump());
}

nlohmann::json identity_json(const RunIdentity& id) {
  return {{"version", id.version}, {"args", id.args}, {"cases", id.cases},
          {"fingerprint", id.fingerprint}};
}

std::string joined(const std::vector<std::string>& args) {
  std::string text;
  for (const auto& a : args) text += (text.empty() ? "" : " ") + a;
  return text.empty() ? "(none)" : text;
}

}  // namespace

std::string plan_fingerprint(const std::vector<Case>& cases) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (const auto& c : cases)
    for (unsigned char ch : to_token(c) + "\n") h = (h ^ ch) * 0x100000001b3ull;
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return hex;
}

RunIdentity run_identity(std::vector<std::string> args, const std::vector<Case>& cases) {
  return {provenance_json().at("siverify").get<std::string>(), std::move(args), cases.size(),
          plan_fingerprint(cases)};
}

std::string identity_difference(const RunIdentity& journal, const RunIdentity& now) {
  if (journal.version != now.version)
    return "it was written by siverify " + journal.version + ", this is " + now.version;
  if (journal.args != now.args)
    return "it was started with options '" + joined(journal.args) + "', not '" + joined(now.args) +
           "'";
  if (journal.cases != now.cases || journal.fingerprint != now.fingerprint)
    return "its " + std::to_string(journal.cases) + " planned cases (plan " + journal.fingerprint +
           ") differ from this build's " + std::to_string(now.cases) + " (plan " + now.fingerprint +
           ")";
  return "";
}

nlohmann::json observation_json(const Observation& obs) {
  nlohmann::json assumptions = nlohmann::json::array();
  for (const auto& a : obs.assumptions) assumptions.push_back({a.name, a.held, exact(a.margin)});
  nlohmann::json details = nlohmann::json::array();  // ordered pairs: the order is part of a record
  for (const auto& [key, value] : obs.details) details.push_back({key, exact(value)});
  // Rows: [table, [[column, number], [column, "text", text], ...]] (exact() may write a number
  // as a string, so text cells are marked).
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& row : obs.rows) {
    nlohmann::json cells = nlohmann::json::array();
    for (const auto& [key, cell] : row.cells)
      if (const auto* text = std::get_if<std::string>(&cell)) cells.push_back({key, "text", *text});
      else cells.push_back({key, exact(std::get<double>(cell))});
    rows.push_back({row.table, cells});
  }
  nlohmann::json j = {{"comparison", to_string(obs.comparison)},
                      {"observed", exact(obs.observed)},
                      {"bound", exact(obs.bound)},
                      {"floor", exact(obs.floor)},
                      {"assumptions", assumptions},
                      {"details", details},
                      {"rows", rows}};
  if (!obs.failure.empty()) j["failure"] = obs.failure;
  if (!std::isnan(obs.level)) j["level"] = exact(obs.level);
  return j;
}

Observation observation_from_json(const nlohmann::json& j) {
  try {
    Observation obs;
    obs.comparison = comparison_from(j.at("comparison").get<std::string>());
    obs.observed = exact_from(j.at("observed"));
    obs.bound = exact_from(j.at("bound"));
    for (const auto& a : j.at("assumptions"))
      obs.assumptions.push_back({a.at(0).get<std::string>(), a.at(1).get<bool>(), exact_from(a.at(2))});
    for (const auto& d : j.at("details")) obs.details.emplace_back(d.at(0).get<std::string>(), exact_from(d.at(1)));
    obs.floor = exact_from(j.at("floor"));
    for (const auto& row : j.at("rows")) {
      Row r{row.at(0).get<std::string>(), {}};
      for (const auto& cell : row.at(1))
        if (cell.size() == 3) r.cells.push_back({cell.at(0).get<std::string>(), cell.at(2).get<std::string>()});
        else r.cells.push_back({cell.at(0).get<std::string>(), exact_from(cell.at(1))});
      obs.rows.push_back(std::move(r));
    }
    if (j.contains("failure")) obs.failure = j.at("failure").get<std::string>();
    if (j.contains("level")) obs.level = exact_from(j.at("level"));
    return obs;
  } catch (const nlohmann::json::exception& e) {
    throw JournalError(std::string("malformed observation: ") + e.what());
  }
}

JournalContents read_journal(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw JournalError("no journal " + file.string() + " (was the run started with --out?)");
  JournalContents out;
  std::string text;
  int number = 0;
  std::uintmax_t offset = 0;
  while (std::getline(in, text)) {
    ++number;
    // A line without its newline was cut by a kill: the case was in flight.
    if (in.eof()) break;
    const auto where = [&] { return file.string() + " line " + std::to_string(number) + ": "; };
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
      throw JournalError(where() + "not JSON (" + e.what() + ")");
    }
    try {
      if (number == 1) {
        if (!j.is_object() || j.value("journal", "") != kJournalSchema)
          throw JournalError(where() + "not a " + std::string(kJournalSchema) + " header");
        const auto& id = j.at("run");
        out.identity = {id.at("version").get<std::string>(),
                        id.at("args").get<std::vector<std::string>>(),
                        id.at("cases").get<std::size_t>(), id.at("fingerprint").get<std::string>()};
        out.shard = j.at("shard").get<int>();
        out.shards = j.at("shards").get<int>();
      } else {
        const auto index = j.at("i").get<std::size_t>();
        if (index >= out.identity.cases)
          throw JournalError(where() + "case index " + std::to_string(index) + " beyond the plan");
        CaseRecord r;
        out.tokens[index] = j.at("token").get<std::string>();
        r.obs = observation_from_json(j.at("obs"));
        r.seconds = j.at("seconds").get<double>();
        out.records[index] = std::move(r);
      }
    } catch (const JournalError& e) {
      if (std::string(e.what()).rfind(file.string(), 0) == 0) throw;
      throw JournalError(where() + e.what());
    } catch (const std::exception& e) {  // missing fields, bad tokens
      throw JournalError(where() + e.what());
    }
    offset += text.size() + 1;
    out.valid_bytes = offset;
  }
  if (number == 0 || out.valid_bytes == 0)
    throw JournalError(file.string() + ": empty journal (the run was stopped before its first line)");
  return out;
}

JournalWriter::JournalWriter(const std::filesystem::path& file, const RunIdentity& identity,
                             int shard, int shards)
    : file_(file), out_(std::fopen(file.c_str(), "wb")) {
  if (!out_) throw std::runtime_error("cannot write " + file.string() + ": " + std::strerror(errno));
  line(nlohmann::json({{"journal", kJournalSchema},
                       {"run", identity_json(identity)},
                       {"shard", shard},
                       {"shards", shards}})
           .dump());
}

JournalWriter::JournalWriter(const std::filesystem::path& file, std::uintmax_t valid_bytes)
    : file_(file) {
  std::error_code ec;
  std::filesystem::resize_file(file, valid_bytes, ec);  // drop a line cut by a kill
  if (!ec) out_ = std::fopen(file.c_str(), "ab");
  if (!out_) throw std::runtime_error("cannot append to " + file.string());
}

JournalWriter::~JournalWriter() {
  if (out_) std::fclose(out_);
}

void JournalWriter::write(std::size_t index, const CaseRecord& r) {
  line(nlohmann::json({{"i", index},
                       {"token", to_token(r.c)},
                       {"obs", observation_json(r.obs)},
                       {"seconds", r.seconds}})
           .dump());
}

void JournalWriter::line(const std::string& text) {
  const std::string whole = text + "\n";
  // One write per line, flushed: a kill leaves at most this line cut short.
  if (std::fwrite(whole.data(), 1, whole.size(), out_) != whole.size() || std::fflush(out_) != 0)
    throw std::runtime_error("cannot write " + file_.string() + ": " + std::strerror(errno));
}

}  // namespace siv
