// libFuzzer target: the screening normaliser (Tokenise, NormaliseName, CompactKey,
// ModelTokens) and UTF-8 helpers on arbitrary bytes. Checks invariants, not just crashes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/utf8.h"
#include "screening/normalise.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace phaseout;
  using namespace phaseout::screening;
  // Bound the input: fields are capped at 16 KiB by the screener anyway.
  if (size > 64 * 1024) return 0;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  TokenList tokens;
  Tokenise(text, &tokens);
  for (size_t i = 0; i < tokens.size(); ++i) {
    const auto& r = tokens.ref(i);
    if (r.src_begin > r.src_end || r.src_end > size) std::abort();  // offsets stay inside the input
    if (tokens[i].empty()) std::abort();                             // no empty tokens
    if (!IsValidUtf8(tokens[i])) std::abort();                       // output is always valid UTF-8
  }
  std::string joined = NormaliseName(text);
  if (!IsValidUtf8(joined)) std::abort();
  // Idempotence: normalising a normalised name changes nothing.
  if (NormaliseName(joined) != joined) std::abort();
  (void)CompactKey(text);
  std::vector<std::string> models;
  std::vector<uint32_t> offsets;
  ModelTokens(text, &models, &offsets);
  if (models.size() != offsets.size()) std::abort();
  for (size_t i = 0; i < models.size(); ++i) {
    if (models[i].size() < 3 || models[i].size() > 48 || offsets[i] > size) std::abort();
  }
  size_t pos = 0;
  while (pos < size) DecodeUtf8(text, &pos);
  return 0;
}
