// Detects whether this process runs in a loopback-only network namespace.
#include "net/isolation.h"

#include <net/if.h>

namespace phaseout::net {

bool IsIsolatedNetwork(std::string* why) {
  struct if_nameindex* list = if_nameindex();
  if (list == nullptr) {
    if (why != nullptr) *why = "cannot list network interfaces";
    return false;
  }
  bool only_lo = true;
  std::string others;
  for (struct if_nameindex* it = list; it->if_index != 0 && it->if_name != nullptr; ++it) {
    if (std::string(it->if_name) != "lo") {
      only_lo = false;
      if (!others.empty()) others += ",";
      others += it->if_name;
    }
  }
  if_freenameindex(list);
  if (!only_lo && why != nullptr) *why = "interfaces other than lo are present: " + others;
  return only_lo;
}

}  // namespace phaseout::net
