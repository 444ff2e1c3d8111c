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

// A saved state continues to the digest of the whole stream, at every split point (buffered
// tails of 0-63 bytes, more than one block); damaged states are refused.
TEST(Audit, Sha256StateContinuesTheStream) {
  std::string data;
  for (int i = 0; i < 300; ++i) data += static_cast<char>('a' + i % 26);
  for (size_t split : {size_t{0}, size_t{1}, size_t{63}, size_t{64}, size_t{65}, size_t{200}, data.size()}) {
    Sha256Stream first;
    first.Update(data.substr(0, split));
    Sha256Stream second;
    ASSERT_TRUE(second.RestoreState(first.SaveState())) << split;
    second.Update(data.substr(split));
    EXPECT_EQ(second.HexDigest(), Sha256Hex(data)) << split;
  }
  Sha256Stream s;
  s.Update("abc");
  std::string state = s.SaveState();
  Sha256Stream other;
  EXPECT_FALSE(other.RestoreState(""));
  EXPECT_FALSE(other.RestoreState(state.substr(0, state.size() - 2)));
  EXPECT_FALSE(other.RestoreState(state + "00"));
  EXPECT_FALSE(other.RestoreState("x" + state.substr(1)));
  EXPECT_EQ(other.HexDigest(), Sha256Hex(""));
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
