// Tests of the spool: file format, order, crash leftovers, rejection, locking.
#include "agent/spool.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace phaseout::agent {
namespace {

namespace fs = std::filesystem;

class SpoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/phaseout-spool-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = std::string(tmpl) + "/spool";
  }
  void TearDown() override { fs::remove_all(fs::path(dir_).parent_path()); }

  static SpoolEntry Chunk(uint64_t first_seq, int lines, const std::string& key = "scan-1") {
    SpoolEntry e;
    e.kind = EntryKind::kChunk;
    e.scan_key = key;
    e.site = "ottawa-hq";
    e.first_seq = first_seq;
    for (int i = 0; i < lines; ++i) e.body += "{\"type\":\"device\",\"n\":" + std::to_string(first_seq + i) + "}\n";
    return e;
  }

  std::string dir_;
};

TEST(SpoolFormat, RoundTripsEveryKind) {
  for (EntryKind kind : {EntryKind::kStart, EntryKind::kChunk, EntryKind::kComplete}) {
    SpoolEntry e;
    e.kind = kind;
    e.scan_key = "20261126T060000Z-3f9a1c2e";
    e.site = "site.a_b-c";
    e.first_seq = kind == EntryKind::kChunk ? 5001 : 0;
    e.body = kind == EntryKind::kChunk ? "{\"a\":1}\n{\"b\":\"x y\"}\n" : "{\"records\":3,\"complete\":true}";
    auto bytes = EncodeSpoolEntry(e);
    ASSERT_TRUE(bytes) << bytes.error().message;
    auto back = DecodeSpoolEntry(*bytes);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->kind, kind);
    EXPECT_EQ(back->scan_key, e.scan_key);
    EXPECT_EQ(back->site, e.site);
    EXPECT_EQ(back->first_seq, e.first_seq);
    EXPECT_EQ(back->body, e.body);
    EXPECT_EQ(back->lines, kind == EntryKind::kChunk ? 2u : 0u);
  }
}

TEST(SpoolFormat, RefusesUnsafeKeysAndDamagedFiles) {
  SpoolEntry e;
  e.kind = EntryKind::kStart;
  e.scan_key = "../../etc";
  e.site = "x";
  EXPECT_FALSE(EncodeSpoolEntry(e));
  e.scan_key = "ok";
  e.site = "a b";
  EXPECT_FALSE(EncodeSpoolEntry(e));
  e.site = "s";
  e.body = "{}";
  std::string good = *EncodeSpoolEntry(e);
  ASSERT_TRUE(DecodeSpoolEntry(good));
  EXPECT_FALSE(DecodeSpoolEntry(good.substr(0, good.size() - 1)));  // truncated body
  std::string flipped = good;
  flipped.back() = ']';
  auto r = DecodeSpoolEntry(flipped);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("digest"), std::string::npos);
  EXPECT_FALSE(DecodeSpoolEntry(""));
  EXPECT_FALSE(DecodeSpoolEntry("phaseout-spool 2 start 0 0 2 " + std::string(64, 'a') + " k s\n{}"));
  // Headers that would not re-encode to the same bytes are damaged (found by agent_messages_fuzz):
  // a line count on an entry that is not a chunk, numbers with leading zeros.
  std::string digest = "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";  // SHA-256 of "{}"
  EXPECT_TRUE(DecodeSpoolEntry("phaseout-spool 1 complete 0 0 2 " + digest + " k s\n{}"));
  EXPECT_FALSE(DecodeSpoolEntry("phaseout-spool 1 complete 0 30 2 " + digest + " k s\n{}"));
  EXPECT_FALSE(DecodeSpoolEntry("phaseout-spool 1 complete 0 0 02 " + digest + " k s\n{}"));
  EXPECT_FALSE(DecodeSpoolEntry("phaseout-spool 1 start 00 0 2 " + digest + " k s\n{}"));
  // A chunk must consist of whole lines.
  SpoolEntry c;
  c.kind = EntryKind::kChunk;
  c.scan_key = "k";
  c.site = "s";
  c.first_seq = 1;
  c.body = "{\"a\":1}";
  EXPECT_FALSE(EncodeSpoolEntry(c));
}

TEST_F(SpoolTest, KeepsOrderAcrossReopen) {
  {
    auto spool = Spool::Open(dir_);
    ASSERT_TRUE(spool) << spool.error().message;
    for (int i = 0; i < 12; ++i) ASSERT_TRUE(spool->Append(Chunk(1 + i * 3, 3)));
  }
  auto spool = Spool::Open(dir_);
  ASSERT_TRUE(spool);
  // Entries appended after a reopen come after the old ones.
  ASSERT_TRUE(spool->Append(Chunk(37, 1)));
  auto names = spool->List();
  ASSERT_TRUE(names);
  ASSERT_EQ(names->size(), 13u);
  uint64_t expected = 1;
  for (const auto& n : *names) {
    auto e = spool->Read(n);
    ASSERT_TRUE(e) << e.error().message;
    EXPECT_EQ(e->first_seq, expected);
    expected += e->lines;
  }
  // Mode 0700 on the folder, 0600 on the files.
  struct stat st {};
  ASSERT_EQ(stat(dir_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(stat((dir_ + "/" + names->front()).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(SpoolTest, PartialTemporaryFilesAreIgnoredAndRemoved) {
  {
    auto spool = Spool::Open(dir_);
    ASSERT_TRUE(spool);
    ASSERT_TRUE(spool->Append(Chunk(1, 2)));
  }
  // What a crash between write and rename leaves: a half-written temporary file.
  std::string full = *EncodeSpoolEntry(Chunk(3, 2));
  {
    std::ofstream out(dir_ + "/.00000000000000000002.chunk.tmp", std::ios::binary);
    out << full.substr(0, full.size() / 2);
  }
  // And a stray file that is not an entry at all.
  { std::ofstream(dir_ + "/notes.txt") << "hello"; }
  auto spool = Spool::Open(dir_);
  ASSERT_TRUE(spool);
  EXPECT_EQ(spool->stale_temporaries_removed(), 1u);
  EXPECT_FALSE(fs::exists(dir_ + "/.00000000000000000002.chunk.tmp"));
  auto names = spool->List();
  ASSERT_TRUE(names);
  ASSERT_EQ(names->size(), 1u);
  EXPECT_EQ(spool->Read(names->front())->first_seq, 1u);
}

TEST_F(SpoolTest, RejectMovesTheFileWithItsReasonAndRemoveDeletes) {
  std::string a, b;
  {
    auto spool = Spool::Open(dir_);
    ASSERT_TRUE(spool);
    auto ra = spool->Append(Chunk(1, 1));
    auto rb = spool->Append(Chunk(2, 1));
    ASSERT_TRUE(ra && rb);
    a = *ra;
    b = *rb;
    ASSERT_TRUE(spool->Reject(a, "HTTP 413: too_large").ok());
    ASSERT_TRUE(spool->Remove(b).ok());
    EXPECT_TRUE(spool->List()->empty());
  }
  EXPECT_TRUE(fs::exists(dir_ + "/rejected/" + a));
  std::ifstream reason(dir_ + "/rejected/" + a + ".reason");
  std::stringstream ss;
  ss << reason.rdbuf();
  EXPECT_EQ(ss.str(), "HTTP 413: too_large\n");
  // After a reopen, a new entry never reuses the number of a rejected one.
  auto spool = Spool::Open(dir_);
  ASSERT_TRUE(spool);
  Spool fresh = std::move(*spool);
  auto c = fresh.Append(Chunk(3, 1));
  ASSERT_TRUE(c);
  EXPECT_GT(*c, a);
}

TEST_F(SpoolTest, DamagedEntryIsReportedNotTrusted) {
  auto spool = Spool::Open(dir_);
  ASSERT_TRUE(spool);
  auto a = spool->Append(Chunk(1, 3));
  ASSERT_TRUE(a);
  {
    std::fstream f(dir_ + "/" + *a, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(-3, std::ios::end);
    f << "X";
  }
  auto e = spool->Read(*a);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, ErrorCode::kParse);
}

TEST_F(SpoolTest, OneProcessAtATime) {
  auto first = Spool::Open(dir_);
  ASSERT_TRUE(first);
  pid_t pid = fork();
  if (pid == 0) {
    // flock is per open file description: another process is refused while `first` holds it.
    auto second = Spool::Open(dir_);
    _exit(second ? 1 : 0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

}  // namespace
}  // namespace phaseout::agent
