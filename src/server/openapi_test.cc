// docs/openapi.yaml describes exactly the routes the server has: every documented operation is
// in the route table and every route is documented, with the same roles (x-roles).
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <map>
#include <set>
#include <string>

#include "server/api.h"

namespace phaseout::server {
namespace {

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

TEST(OpenApi, DocumentMatchesTheRouteTable) {
  YAML::Node doc = YAML::LoadFile(std::string(PHASEOUT_SOURCE_DATA_DIR) + "/../docs/openapi.yaml");
  ASSERT_TRUE(doc["openapi"]) << "not an OpenAPI document";
  EXPECT_EQ(doc["openapi"].as<std::string>().substr(0, 2), "3.");
  std::map<std::string, std::set<std::string>> documented;  // "GET /path" -> roles
  for (const auto& path : doc["paths"]) {
    std::string p = path.first.as<std::string>();
    for (const auto& op : path.second) {
      std::string method = Upper(op.first.as<std::string>());
      if (method == "PARAMETERS") continue;
      std::set<std::string> roles;
      if (op.second["x-roles"]) {
        for (const auto& r : op.second["x-roles"]) roles.insert(r.as<std::string>());
      }
      documented[method + " " + p] = roles;
      EXPECT_TRUE(op.second["responses"]) << method << " " << p << " has no responses";
    }
  }
  std::set<std::string> routes;
  for (const auto& r : Api::Routes()) {
    std::string key = r.method + " " + r.pattern;
    routes.insert(key);
    auto it = documented.find(key);
    if (it == documented.end()) {
      ADD_FAILURE() << "route not documented in docs/openapi.yaml: " << key;
      continue;
    }
    std::set<std::string> roles(r.roles.begin(), r.roles.end());
    EXPECT_EQ(it->second, roles) << "x-roles of " << key << " differ from the route table";
  }
  for (const auto& [key, roles] : documented) {
    EXPECT_TRUE(routes.count(key)) << "documented in docs/openapi.yaml but not a route: " << key;
  }
}

}  // namespace
}  // namespace phaseout::server
