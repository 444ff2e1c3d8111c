// libFuzzer target: the CSL / OpenSanctions / FtM list importers and format detection on
// arbitrary bytes. Invariant: every imported entity has an id and a name and is tied to the
// policy and list it was imported for.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "screening/list_import.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace phaseout::screening;
  if (size < 1 || size > 256 * 1024) return 0;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  (void)DetectListFormat(text);
  ListFormat format = static_cast<ListFormat>(data[0] % 3);
  auto list = ParseList(text, format, "fuzz", "us-ndaa-889");
  if (list) {
    for (const auto& e : list->entities) {
      if (e.id.empty() || e.name.empty() || e.policy != "us-ndaa-889" || e.list != "fuzz") std::abort();
    }
  }
  return 0;
}
