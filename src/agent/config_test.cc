// Tests of the agent config file, server URLs and the key file.
#include "agent/config.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

namespace phaseout::agent {
namespace {

const std::string kPin(64, 'a');

std::string Minimal() {
  return "server: https://phaseout.example:8443\nkey_file: /var/lib/a/agent.key\nspool_dir: /var/lib/a/spool\n"
         "pinned_sha256: " + kPin + "\n";
}

TEST(AgentConfig, MinimalFileTakesDefaults) {
  auto c = ParseAgentConfig(Minimal(), "agent.yaml");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->server, "https://phaseout.example:8443");
  EXPECT_TRUE(c->server_schedule);
  EXPECT_EQ(c->rate, 300);
  EXPECT_EQ(c->backoff.initial_ms, 1000u);
  EXPECT_EQ(c->give_up_after_s, 600u);
}

TEST(AgentConfig, FullFileRoundTripsThroughFormat) {
  std::string text = Minimal() +
                     "name: site-1\nca_file: /etc/ca.pem\n"
                     "schedule:\n  source: local\n  local:\n"
                     "    - {site: ottawa-hq, targets: [127.0.0.0/24, 127.0.1.5], ports: \"80,443\", interval_s: 3600}\n"
                     "scan: {rate: 50, allowed: [127.0.0.0/16], exclude: [127.0.0.9]}\n"
                     "retry: {initial_ms: 10, max_ms: 2000, multiplier: 3, jitter: 0.25, give_up_after_s: 5}\n";
  auto c = ParseAgentConfig(text, "agent.yaml");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_FALSE(c->server_schedule);
  ASSERT_EQ(c->local_schedule.size(), 1u);
  EXPECT_EQ(c->local_schedule[0].targets.size(), 2u);
  EXPECT_EQ(c->local_schedule[0].ports, "80,443");
  EXPECT_EQ(c->local_schedule[0].interval_s, 3600u);
  EXPECT_EQ(c->rate, 50);
  EXPECT_EQ(c->exclude, std::vector<std::string>{"127.0.0.9"});
  EXPECT_EQ(c->backoff.multiplier, 3);
  EXPECT_EQ(c->give_up_after_s, 5u);
  auto again = ParseAgentConfig(FormatAgentConfig(*c), "formatted");
  ASSERT_TRUE(again) << again.error().message << "\n" << FormatAgentConfig(*c);
  EXPECT_EQ(FormatAgentConfig(*again), FormatAgentConfig(*c));
  EXPECT_EQ(again->local_schedule[0].ports, "80,443");
  EXPECT_EQ(again->backoff.max_ms, 2000u);
}

TEST(AgentConfig, BadFilesGetClearMessages) {
  struct Case {
    std::string text;
    std::string expect;
  } cases[] = {
      {"server: [", "not valid YAML"},
      {"- a\n- b\n", "must be a YAML map"},
      {Minimal() + "spool_dirr: /x\n", "unknown key 'spool_dirr'"},
      {"key_file: k\nspool_dir: s\n", "missing 'server'"},
      {"server: ftp://x\nkey_file: k\nspool_dir: s\n", "must start with https://"},
      {"server: http://192.0.2.1\nkey_file: k\nspool_dir: s\n", "only accepted for a loopback"},
      {"server: https://x\nkey_file: k\nspool_dir: s\n", "needs 'pinned_sha256'"},
      {"server: https://x\nkey_file: k\nspool_dir: s\npinned_sha256: abc\n", "64 lower-case hex"},
      {Minimal() + "scan: {rate: 0}\n", "'rate' is 0"},
      {Minimal() + "scan: {rate: fast}\n", "'rate' must be a number"},
      {Minimal() + "retry: {initial_ms: 500, max_ms: 100}\n", "smaller than"},
      {Minimal() + "schedule: {source: local}\n", "needs entries"},
      {Minimal() + "schedule: {local: [{site: a}]}\n", "lists no targets"},
      {Minimal() + "schedule: {source: cron}\n", "server or local"},
  };
  for (const auto& c : cases) {
    auto r = ParseAgentConfig(c.text, "agent.yaml");
    ASSERT_FALSE(r) << c.text;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(r.error().message.find(c.expect), std::string::npos) << r.error().message;
    EXPECT_EQ(r.error().message.rfind("agent.yaml", 0), 0u) << r.error().message;
  }
  auto missing = LoadAgentConfig("/nonexistent/agent.yaml");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST(ServerUrl, Forms) {
  auto a = ParseServerUrl("https://phaseout.example");
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->tls);
  EXPECT_EQ(a->port, 443);
  auto b = ParseServerUrl("http://127.0.0.1:8080/");
  ASSERT_TRUE(b);
  EXPECT_FALSE(b->tls);
  EXPECT_EQ(b->host, "127.0.0.1");
  EXPECT_EQ(b->port, 8080);
  auto c = ParseServerUrl("https://[::1]:8443");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->host, "::1");
  EXPECT_EQ(c->port, 8443);
  EXPECT_TRUE(ParseServerUrl("http://localhost:1"));
  EXPECT_FALSE(ParseServerUrl("https://x:0"));
  EXPECT_FALSE(ParseServerUrl("https://x:99999"));
  EXPECT_FALSE(ParseServerUrl("https://x/api"));
  EXPECT_FALSE(ParseServerUrl("https://user@x"));
  EXPECT_FALSE(ParseServerUrl("http://127.0.0.1.example.com"));
  EXPECT_FALSE(ParseServerUrl("https://"));
}

TEST(AgentKeyFile, WrittenWithMode0600AndReadBack) {
  char tmpl[] = "/tmp/phaseout-key-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string path = std::string(tmpl) + "/agent.key";
  AgentKey k{"7", "secret-token", {"a", "b"}, "https://x", kPin};
  ASSERT_TRUE(WriteAgentKey(k, path).ok());
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto back = ReadAgentKey(path);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->key, "secret-token");
  EXPECT_EQ(back->sites, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(back->pinned_sha256, kPin);
  chmod(path.c_str(), 0644);
  auto loose = ReadAgentKey(path);
  ASSERT_FALSE(loose);
  EXPECT_NE(loose.error().message.find("chmod 600"), std::string::npos);
  auto missing = ReadAgentKey(std::string(tmpl) + "/none");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("phaseout agent enrol"), std::string::npos);
  std::filesystem::remove_all(tmpl);
}

}  // namespace
}  // namespace phaseout::agent
