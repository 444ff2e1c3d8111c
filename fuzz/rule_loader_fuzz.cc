// libFuzzer target for the fingerprint rule loader: arbitrary bytes as one rule file.
#include <cstddef>
#include <algorithm>
#include <cstdint>
#include <string>

#include "fingerprint/rule_db.h"
#include "fingerprint/verifier.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Rule files are small; bigger inputs only slow the fuzzer down.
  if (size > 64 * 1024) return 0;
  std::string text(reinterpret_cast<const char*>(data), size);
  // yaml-cpp parses nested collections recursively; very deep nesting exhausts the stack
  // inside the library (a known yaml-cpp limitation), which is not what this target tests.
  // Real rule files nest at most 4 levels.
  int depth = 0, max_depth = 0;
  for (char c : text) {
    if (c == '[' || c == '{') max_depth = std::max(max_depth, ++depth);
    if (c == ']' || c == '}') depth = depth > 0 ? depth - 1 : 0;
  }
  if (max_depth > 64) return 0;
  auto db = phaseout::fingerprint::RuleDb::LoadTexts({{"fuzz.yaml", text}});
  if (db) {
    // Exercise matching and verification on whatever loaded.
    auto report = phaseout::fingerprint::Verify(**db);
    (void)report;
    for (const auto& key : (*db)->Keys()) (void)(*db)->Match(key, text);
  }
  return 0;
}
