// Audit chain hashing: deterministic, sensitive to every field, known SHA-256 vector.
#include "inventory/audit.h"

#include <gtest/gtest.h>

namespace phaseout::inventory {
namespace {

TEST(Audit, Sha256KnownVector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  Sha256Stream s;
  s.Update("a");
  s.Update("bc");
  EXPECT_EQ(s.HexDigest(), Sha256Hex("abc"));
}

TEST(Audit, EveryFieldChangesTheHash) {
  AuditEntry e;
  e.seq = 1;
  e.at = "2026-12-01T10:00:00Z";
  e.actor = "alice";
  e.action = "set-state";
  e.device_id = 4;
  e.before = "{\"state\":\"found\"}";
  e.after = "{\"state\":\"confirmed\"}";
  e.note = "checked";
  e.prev_hash = std::string(kGenesisHash);
  std::string h = EntryHash(e);
  EXPECT_EQ(h.size(), 64u);
  EXPECT_EQ(h, EntryHash(e));
  auto changed = [&](auto mutate) {
    AuditEntry c = e;
    mutate(c);
    return EntryHash(c) != h;
  };
  EXPECT_TRUE(changed([](AuditEntry& c) { c.seq = 2; }));
  EXPECT_TRUE(changed([](AuditEntry& c) { c.at = "2026-12-01T10:00:01Z"; }));
  EXPECT_TRUE(changed([](AuditEntry& c) { c.actor = "mallory"; }));
  EXPECT_TRUE(changed([](AuditEntry& c) { c.device_id = 5; }));
  EXPECT_TRUE(changed([](AuditEntry& c) { c.after = "{\"state\":\"removed\"}"; }));
  EXPECT_TRUE(changed([](AuditEntry& c) { c.note = "checked!"; }));
  EXPECT_TRUE(changed([](AuditEntry& c) { c.prev_hash[0] = '1'; }));
  // Length prefixes: moving bytes between fields changes the hash.
  EXPECT_TRUE(changed([](AuditEntry& c) {
    c.actor = "alic";
    c.action = "eset-state";
  }));
}

}  // namespace
}  // namespace phaseout::inventory
