// JSON Schema validation of what siverify writes, with valijson (Debian libvalijson-dev) against
// the schema files in schemas/.
#pragma once

#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

namespace siv::test {

inline nlohmann::json schema_file(const std::string& name) {
  std::ifstream in(std::string(SIVERIFY_SOURCE_DIR) + "/schemas/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return nlohmann::json::parse(text.str());
}

// "" when doc validates against schema, else the first errors with their JSON paths.
inline std::string schema_errors(const nlohmann::json& schema_doc, const nlohmann::json& doc) {
  valijson::Schema schema;
  valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
  valijson::adapters::NlohmannJsonAdapter schema_adapter(schema_doc);
  parser.populateSchema(schema_adapter, schema);
  valijson::Validator validator(valijson::Validator::kStrongTypes);
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter adapter(doc);
  if (validator.validate(schema, adapter, &results)) return "";
  std::string out;
  valijson::ValidationResults::Error error;
  for (int shown = 0; shown < 5 && results.popError(error); ++shown) {
    for (const auto& part : error.context) out += part;
    out += ": " + error.description + "\n";
  }
  return out;
}

}  // namespace siv::test
