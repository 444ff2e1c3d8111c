// Test support for tests that drive the `phaseout` executable (PHASEOUT_BINARY): shell
// commands with their output, child processes with a log file, free loopback ports. Used
// inside a private network namespace only (tests/testing/netns_guard.h).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#ifndef PHASEOUT_BINARY
#error "define PHASEOUT_BINARY as the path of the phaseout executable"
#endif

namespace phaseout::testing {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

struct ShellRun {
  int exit_code = -1;
  std::string output;
};

inline ShellRun Sh(const std::string& cmd) {
  ShellRun run;
  FILE* pipe = popen((cmd + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return run;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) run.output.append(buf, n);
  int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

inline std::string Slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A command's exit code, standard output and standard error apart.
struct CliRun {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs the shell command `cmd` with its standard error sent to `err_path` (overwritten) and
// read back; `cmd` redirects its standard input itself.
inline CliRun RunCommand(const std::string& cmd, const fs::path& err_path) {
  CliRun run;
  FILE* pipe = popen((cmd + " 2>'" + err_path.string() + "'").c_str(), "r");
  if (pipe == nullptr) return run;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) run.out.append(buf, n);
  int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.err = Slurp(err_path);
  return run;
}

// A child process running `phaseout ARGS...`, output to a log file.
struct Child {
  pid_t pid = -1;
  fs::path log;
  static Child Start(const std::vector<std::string>& args, const fs::path& log) {
    Child c;
    c.log = log;
    c.pid = fork();
    if (c.pid == 0) {
      FILE* f = fopen(log.c_str(), "a");
      if (f != nullptr) {
        dup2(fileno(f), 1);
        dup2(fileno(f), 2);
      }
      std::vector<std::string> all = {PHASEOUT_BINARY};
      all.insert(all.end(), args.begin(), args.end());
      std::vector<char*> argv;
      for (auto& a : all) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(PHASEOUT_BINARY, argv.data());
      _exit(127);
    }
    return c;
  }
  void Kill() {
    if (pid > 0) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
      pid = -1;
    }
  }
  // Exit code, or -1 on timeout/signal.
  int Wait(std::chrono::seconds timeout) {
    auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
      int status = 0;
      pid_t r = waitpid(pid, &status, WNOHANG);
      if (r == pid) {
        pid = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(50ms);
    }
    Kill();
    return -1;
  }
  bool Running() { return pid > 0 && waitpid(pid, nullptr, WNOHANG) == 0; }
};

inline int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  socklen_t len = sizeof(a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

inline int ConnectTo(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

}  // namespace phaseout::testing
