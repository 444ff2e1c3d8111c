// Loads rules, vendors and policies from one data directory, and versions them by content.
#include "engine/knowledge.h"

#include <openssl/evp.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <system_error>
#include <vector>

#include "core/data_dir.h"
#include "fingerprint/followups.h"
#ifdef PHASEOUT_ENGINE_HAVE_PROBE_REGISTRY
#include "engine/followup_planner.h"
#include "probes/http/followups.h"
#endif

namespace phaseout::engine {

namespace fs = std::filesystem;

Result<std::string> ComputeRulesetVersion(const std::string& data_dir) {
  std::vector<std::string> files;  // relative to data_dir
  std::error_code ec;
  for (const char* sub : {"fingerprints", "followups", "identifiers", "policies"}) {
    fs::path dir = fs::path(data_dir) / sub;
    if (!fs::is_directory(dir, ec)) continue;
    for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      if (!it->is_regular_file(ec)) continue;
      std::string ext = it->path().extension().string();
      if (ext != ".yaml" && ext != ".yml") continue;
      files.push_back(fs::relative(it->path(), data_dir, ec).generic_string());
    }
    if (ec) return MakeError(ErrorCode::kIo, "cannot list " + dir.string() + ": " + ec.message());
  }
  if (fs::is_regular_file(fs::path(data_dir) / "vendors.yaml", ec)) files.push_back("vendors.yaml");
  std::sort(files.begin(), files.end());

  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
    return MakeError(ErrorCode::kInternal, "SHA-256 unavailable");
  }
  for (const std::string& rel : files) {
    std::ifstream in(fs::path(data_dir) / rel, std::ios::binary);
    if (!in) return MakeError(ErrorCode::kNotFound, "cannot read " + (fs::path(data_dir) / rel).string());
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::string head = rel + std::string(1, '\0') + std::to_string(bytes.size()) + std::string(1, '\0');
    EVP_DigestUpdate(ctx.get(), head.data(), head.size());
    EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size());
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx.get(), digest, &len) != 1) return MakeError(ErrorCode::kInternal, "SHA-256 failed");
  static const char kHex[] = "0123456789abcdef";
  std::string out = "sha256:";
  for (unsigned i = 0; i < 8 && i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

Result<Knowledge> LoadKnowledge(const std::string& data_dir_override) {
  auto dir = FindDataDir(data_dir_override);
  if (!dir) return dir.error();
  Knowledge k;
  k.data_dir = *dir;
  auto rules = fingerprint::LoadRuleDbFromDataDir(*dir);
  if (!rules) return rules.error();
  k.rules = *rules;
  k.combiner = fingerprint::kCombinerName;
  const std::string followups_path = *dir + "/followups/http.yaml";
  auto followups = fingerprint::LoadFollowUps(followups_path, *k.rules);
  if (!followups) return followups.error();
#ifdef PHASEOUT_ENGINE_HAVE_PROBE_REGISTRY
  auto planner = FollowUpRulePlanner::Create(k.rules, std::move(*followups), followups_path);
  if (!planner) return planner.error();
  k.http_followups = *planner;
#endif
  auto vendors = policy::VendorRegistry::Load(*dir + "/vendors.yaml");
  if (!vendors) return vendors.error();
  k.vendors = std::make_unique<policy::VendorRegistry>(std::move(*vendors));
  auto policies = policy::PolicySet::LoadDirectory(*dir + "/policies", *k.vendors);
  if (!policies) return policies.error();
  k.policies = std::make_unique<policy::PolicySet>(std::move(*policies));
  auto version = ComputeRulesetVersion(*dir);
  if (!version) return version.error();
  k.ruleset_version = std::move(*version);
#ifdef PHASEOUT_ENGINE_HAVE_PROBE_REGISTRY
  // The HTTP probes are process-wide (probes/registry.h); the loaded data decides their
  // follow-ups from now on.
  probes::http::SetFollowUpPlanner(k.http_followups);
#endif
  return k;
}

}  // namespace phaseout::engine
