// Tests for target spec parsing, exclusions, counting without materialising, and the cursor.
#include "net/target_set.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <thread>

namespace phaseout::net {
namespace {

std::unique_ptr<TargetSet> MustParse(const std::vector<std::string>& specs,
                                     const std::vector<std::string>& excludes = {}) {
  auto r = TargetSet::Parse(specs, excludes);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
  return r ? std::move(*r) : nullptr;
}

std::vector<std::string> All(const TargetSet& set) {
  std::vector<std::string> out;
  for (uint64_t i = 0; i < set.Count(); ++i) out.push_back(set.At(i)->ToString());
  return out;
}

TEST(IpAddressTest, ParsesAndFormats) {
  EXPECT_EQ(IpAddress::Parse("127.0.0.1")->ToString(), "127.0.0.1");
  EXPECT_EQ(IpAddress::Parse("127.0.0.1")->v4(), 0x7f000001u);
  EXPECT_EQ(IpAddress::Parse("FD00::0001")->ToString(), "fd00::1");
  EXPECT_FALSE(IpAddress::Parse("127.0.0"));
  EXPECT_FALSE(IpAddress::Parse("127.0.0.256"));
  EXPECT_FALSE(IpAddress::Parse("localhost"));
  EXPECT_FALSE(IpAddress::Parse(""));
}

struct CountCase {
  std::vector<std::string> specs;
  std::vector<std::string> excludes;
  uint64_t count;
};

TEST(TargetSetTest, CountsTable) {
  const std::vector<CountCase> cases = {
      {{"127.0.0.1"}, {}, 1},
      {{"127.16.0.0/16"}, {}, 65536},
      {{"127.16.3.4/16"}, {}, 65536},  // host bits ignored
      {{"127.0.0.1-127.0.0.20"}, {}, 20},
      {{"127.0.0.1-20"}, {}, 20},
      {{"127.0.0.5-5"}, {}, 1},
      {{"127.0.0.0/30", "127.0.0.2/31"}, {}, 4},          // overlap merged
      {{"127.0.0.0/31", "127.0.0.2/31"}, {}, 4},          // adjacent merged
      {{"127.0.0.1,127.0.0.2, 127.0.0.3"}, {}, 3},        // commas
      {{"127.0.0.0/24"}, {"127.0.0.128/25"}, 128},
      {{"127.0.0.0/24"}, {"127.0.0.0/24"}, 0},
      {{"127.0.0.0/24"}, {"127.0.0.10", "127.0.0.20-127.0.0.29"}, 245},
      {{"127.0.0.0/24"}, {"127.0.1.0/24"}, 256},          // disjoint exclusion
      {{"::1"}, {}, 1},
      {{"fd00::/120"}, {}, 256},
      {{"fd00::1-fd00::10"}, {}, 16},
      {{"fd00::/120", "127.0.0.1"}, {"fd00::/124"}, 241},
      {{"0.0.0.0/0"}, {}, (1ull << 32) - (1ull << 24) - (1ull << 28) - (1ull << 28)},  // blocklist removed
      {{"223.255.255.0/24", "224.0.0.0/3"}, {}, 256},     // multicast and reserved dropped from ranges
      {{"10.0.0.0/8"}, {}, 1ull << 24},                   // counted only, never scanned here
  };
  for (const CountCase& c : cases) {
    auto set = MustParse(c.specs, c.excludes);
    ASSERT_NE(set, nullptr);
    EXPECT_EQ(set->Count(), c.count) << c.specs[0];
  }
}

TEST(TargetSetTest, HugeSetsAreRangesNotLists) {
  auto set = MustParse({"1.0.0.0/8", "2.0.0.0/8", "3.0.0.0/8"});
  EXPECT_EQ(set->Count(), 3ull << 24);
  EXPECT_EQ(set->ranges().size(), 1u);  // merged into one range: O(1) memory
  EXPECT_EQ(set->At(0)->ToString(), "1.0.0.0");
  EXPECT_EQ(set->At((3ull << 24) - 1)->ToString(), "3.255.255.255");
  EXPECT_FALSE(set->At(3ull << 24).has_value());
  EXPECT_TRUE(set->Contains(*IpAddress::Parse("2.3.4.5")));
  EXPECT_FALSE(set->Contains(*IpAddress::Parse("4.0.0.0")));
}

TEST(TargetSetTest, OrderAndExclusions) {
  auto set = MustParse({"127.0.0.8-10", "::2", "127.0.0.1-3"}, {"127.0.0.2", "127.0.0.9"});
  EXPECT_EQ(All(*set), (std::vector<std::string>{"127.0.0.1", "127.0.0.3", "127.0.0.8", "127.0.0.10", "::2"}));
}

TEST(TargetSetTest, ExcludeAtFamilyEdges) {
  auto set = MustParse({"223.255.255.250-223.255.255.255"}, {"223.255.255.255"});
  EXPECT_EQ(set->Count(), 5u);
  auto v6 = MustParse({"ffff::ff00/120"}, {});  // inside ff00::/8 multicast: removed entirely
  EXPECT_EQ(v6->Count(), 0u);
}

struct BadCase {
  std::string spec;
  std::string message_part;
};

TEST(TargetSetTest, BadInputIsNamed) {
  const std::vector<BadCase> cases = {
      {"camera.example.com", "host names are not resolved"},
      {"cam-1.local", "host names are not resolved"},
      {"127.0.0.1/33", "prefix length must be a number from 0 to 32"},
      {"127.0.0.1/", "prefix length"},
      {"300.1.1.1", "not an IPv4/IPv6 address"},
      {"127.0.0.20-127.0.0.1", "range end is below its start"},
      {"127.0.0.1-300", "expected an address or a last octet"},
      {"127.0.0.1-::1", "mixes IPv4 and IPv6"},
      {"fd00::/64", "IPv6 block too large"},
      {"fd00::1-fd00::1:0", "IPv6 range too large"},
      {"", "empty target"},
      {"224.0.0.1", "blocklisted"},
      {"255.255.255.255", "blocklisted"},
      {"0.0.0.0", "blocklisted"},
      {"ff02::1", "blocklisted"},
      {"1.2.3.4/x", "prefix length"},
  };
  for (const BadCase& c : cases) {
    auto r = TargetSet::Parse({c.spec});
    ASSERT_FALSE(r.has_value()) << c.spec;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << c.spec;
    EXPECT_NE(r.error().message.find(c.message_part), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("\"" + c.spec + "\""), std::string::npos) << r.error().message;
  }
  auto bad_exclude = TargetSet::Parse({"127.0.0.0/24"}, {"nonsense"});
  ASSERT_FALSE(bad_exclude.has_value());
  EXPECT_NE(bad_exclude.error().message.find("nonsense"), std::string::npos);
}

TEST(TargetSetTest, FilesOfSpecs) {
  std::string path = ::testing::TempDir() + "/phaseout_targets.txt";
  {
    std::ofstream out(path);
    out << "# lab estate\n\n127.0.0.1\n  127.0.1.0/30   # four more\n127.0.2.1-3,127.0.3.1\n";
  }
  auto set = MustParse({"@" + path, "127.0.9.9"});
  EXPECT_EQ(set->Count(), 1u + 4 + 3 + 1 + 1);
  auto specs = TargetSet::LoadSpecFile(path);
  ASSERT_TRUE(specs.has_value());
  EXPECT_EQ(*specs, (std::vector<std::string>{"127.0.0.1", "127.0.1.0/30", "127.0.2.1-3", "127.0.3.1"}));

  std::string bad = ::testing::TempDir() + "/phaseout_bad_targets.txt";
  {
    std::ofstream out(bad);
    out << "127.0.0.1\n# fine\nprinter.lan\n";
  }
  auto r = TargetSet::Parse({"@" + bad});
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find(bad + ":3"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("printer.lan"), std::string::npos);

  auto missing = TargetSet::Parse({"@/nonexistent/phaseout/targets"});
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  std::remove(path.c_str());
  std::remove(bad.c_str());
}

std::string WriteTemp(const std::string& name, const std::string& bytes) {
  std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  return path;
}

TEST(TargetSetTest, FilesFromWindowsEditorsAreRead) {
  // UTF-8 byte order mark, CRLF line ends, a comment with CRLF, a blank CRLF line.
  std::string path = WriteTemp("phaseout_bom_crlf.txt", "\xEF\xBB\xBF" "127.0.0.1\r\n# site B\r\n\r\n127.0.1.0/31\r\n");
  auto set = MustParse({"@" + path});
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(All(*set), (std::vector<std::string>{"127.0.0.1", "127.0.1.0", "127.0.1.1"}));
  std::remove(path.c_str());

  std::string utf16 = WriteTemp("phaseout_utf16.txt", std::string("\xFF\xFE" "1\0" "2\0" "7\0", 8));
  auto r = TargetSet::Parse({"@" + utf16});
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("UTF-16"), std::string::npos) << r.error().message;
  std::remove(utf16.c_str());
}

TEST(TargetSetTest, TargetFileWithoutTargetsSaysSo) {
  for (const auto& [bytes, why] : std::vector<std::pair<std::string, std::string>>{
           {"", "it is empty"},
           {"# only a comment\n\n   \n# another\n", "only blank lines and # comments"},
           {"\xEF\xBB\xBF\r\n", "only blank lines"}}) {
    std::string path = WriteTemp("phaseout_empty_targets.txt", bytes);
    auto r = TargetSet::Parse({"@" + path});
    ASSERT_FALSE(r.has_value()) << why;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(r.error().message.find("lists no targets"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find(why), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find(path), std::string::npos) << r.error().message;
    // The same file as an exclusion list excludes nothing: not an error.
    auto ok = TargetSet::Parse({"127.0.0.1"}, {"@" + path});
    ASSERT_TRUE(ok.has_value()) << ok.error().message;
    EXPECT_EQ((*ok)->Count(), 1u);
    std::remove(path.c_str());
  }
}

TEST(TargetSetTest, UnreadableTargetFilesSayWhy) {
  auto missing = TargetSet::Parse({"@/nonexistent/phaseout/targets"});
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message.find("No such file or directory"), std::string::npos) << missing.error().message;
  auto dir = TargetSet::Parse({"@" + ::testing::TempDir()});
  ASSERT_FALSE(dir.has_value());
  EXPECT_NE(dir.error().message.find("is a directory"), std::string::npos) << dir.error().message;
  auto bare = TargetSet::Parse({"@"});
  ASSERT_FALSE(bare.has_value());
  EXPECT_NE(bare.error().message.find("file name"), std::string::npos) << bare.error().message;
}

TEST(TargetSetTest, DuplicatesAndOverlapsCountOnce) {
  auto set = MustParse({"127.0.0.1", "127.0.0.1", "127.0.0.0/30", "127.0.0.2-3", "::1", "::1"});
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(All(*set), (std::vector<std::string>{"127.0.0.0", "127.0.0.1", "127.0.0.2", "127.0.0.3", "::1"}));
}

TEST(TargetCursorTest, HandsOutEachAddressOnceAcrossThreads) {
  auto set = MustParse({"127.0.0.0/16", "127.2.0.0/17", "fd00::/120"}, {"127.0.128.0/18"});
  const uint64_t count = set->Count();
  ASSERT_EQ(count, 65536u - 16384 + 32768 + 256);
  std::vector<std::atomic<uint32_t>> seen(count);
  TargetCursor cursor(*set);
  auto index_of = [&](const IpAddress& a) -> uint64_t {
    // Position within the set: binary search via At() would be slow; compute from ranges.
    uint64_t base = 0;
    for (const AddressRange& r : set->ranges()) {
      if (r.v6 == a.is_v6() && a.value() >= r.first && a.value() <= r.last) {
        return base + static_cast<uint64_t>(a.value() - r.first);
      }
      base += r.size();
    }
    return count;  // not in the set
  };
  std::vector<std::thread> threads;
  std::atomic<uint64_t> outside{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      std::vector<IpAddress> batch;
      while (cursor.NextBatch(7, &batch) > 0) {
        for (const IpAddress& a : batch) {
          uint64_t idx = index_of(a);
          if (idx >= count) {
            outside.fetch_add(1);
          } else {
            seen[idx].fetch_add(1);
          }
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(outside.load(), 0u);
  for (uint64_t i = 0; i < count; ++i) ASSERT_EQ(seen[i].load(), 1u) << "index " << i;
  EXPECT_EQ(cursor.handed_out(), count);
  std::vector<IpAddress> batch;
  EXPECT_EQ(cursor.NextBatch(10, &batch), 0u);
}

TEST(TargetCursorTest, EmptySet) {
  auto set = MustParse({"127.0.0.1"}, {"127.0.0.0/8"});
  EXPECT_TRUE(set->empty());
  TargetCursor cursor(*set);
  std::vector<IpAddress> batch;
  EXPECT_EQ(cursor.NextBatch(10, &batch), 0u);
}

}  // namespace
}  // namespace phaseout::net
