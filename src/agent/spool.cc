// Spool files: encoding, decoding and the crash-safe directory.
#include "agent/spool.h"

#include <dirent.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

namespace phaseout::agent {
namespace {

constexpr std::string_view kMagic = "phaseout-spool";
constexpr size_t kCounterDigits = 20;
// A header line is short; anything longer is not ours (and bounds the work on damaged files).
constexpr size_t kMaxHeader = 512;

bool IsToken(std::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-' || c == ':';
  });
}

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

bool ParseU64(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 19) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *out = v;
  return true;
}

std::vector<std::string_view> SplitSpaces(std::string_view s) {
  std::vector<std::string_view> parts;
  size_t pos = 0;
  while (pos <= s.size()) {
    size_t sp = s.find(' ', pos);
    if (sp == std::string_view::npos) sp = s.size();
    parts.push_back(s.substr(pos, sp - pos));
    pos = sp + 1;
  }
  return parts;
}

uint64_t CountLines(std::string_view body) {
  return static_cast<uint64_t>(std::count(body.begin(), body.end(), '\n'));
}

Error IoError(const std::string& what, const std::string& path) {
  return MakeError(ErrorCode::kIo, what + " '" + path + "': " + std::strerror(errno));
}

Status FsyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return IoError("cannot open spool folder", dir);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return IoError("cannot fsync spool folder", dir);
  return Status::Ok();
}

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("cannot write spool file", path);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

// Writes `data` to `dir/name` atomically and durably: DIR/.NAME.tmp, fsync, rename, fsync DIR.
Status WriteFileDurably(const std::string& dir, const std::string& name, std::string_view data) {
  std::string tmp = dir + "/." + name + ".tmp";
  std::string final_path = dir + "/" + name;
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("cannot create spool file", tmp);
  Status st = WriteAll(fd, data, tmp);
  if (st.ok() && ::fsync(fd) != 0) st = IoError("cannot fsync spool file", tmp);
  ::close(fd);
  if (st.ok() && ::rename(tmp.c_str(), final_path.c_str()) != 0) st = IoError("cannot rename spool file", tmp);
  if (!st.ok()) {
    ::unlink(tmp.c_str());
    return st;
  }
  return FsyncDir(dir);
}

// The counter of an entry file name, or 0 if `name` is not one.
uint64_t EntryCounter(std::string_view name) {
  if (name.size() <= kCounterDigits + 1 || name[kCounterDigits] != '.') return 0;
  std::string_view kind = name.substr(kCounterDigits + 1);
  if (kind != "start" && kind != "chunk" && kind != "complete") return 0;
  uint64_t v = 0;
  if (!ParseU64(name.substr(0, kCounterDigits).substr(1), &v)) return 0;  // 19 digits fit in u64
  return name[0] == '0' ? v : 0;
}

Result<std::vector<std::string>> ListDir(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return IoError("cannot read spool folder", dir);
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) names.emplace_back(e->d_name);
  ::closedir(d);
  return names;
}

Result<std::string> ReadFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return IoError("cannot open spool file", path);
  std::string data;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      Error e = IoError("cannot read spool file", path);
      ::close(fd);
      return e;
    }
    if (n == 0) break;
    data.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return data;
}

}  // namespace

const char* EntryKindName(EntryKind kind) {
  switch (kind) {
    case EntryKind::kStart: return "start";
    case EntryKind::kChunk: return "chunk";
    case EntryKind::kComplete: return "complete";
  }
  return "chunk";
}

Result<std::string> EncodeSpoolEntry(const SpoolEntry& entry) {
  if (!IsToken(entry.scan_key)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "scan key '" + entry.scan_key + "' must be 1-128 of letters, digits and . _ - :");
  }
  if (!IsToken(entry.site)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "site '" + entry.site + "' must be 1-128 of letters, digits and . _ - :");
  }
  uint64_t lines = entry.kind == EntryKind::kChunk ? CountLines(entry.body) : 0;
  if (entry.kind == EntryKind::kChunk && (lines == 0 || entry.body.back() != '\n' || entry.first_seq == 0)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "a chunk needs whole lines (each ending in a newline) and a first sequence number >= 1");
  }
  std::string out = std::string(kMagic) + " 1 " + EntryKindName(entry.kind) + " " +
                    std::to_string(entry.first_seq) + " " + std::to_string(lines) + " " +
                    std::to_string(entry.body.size()) + " " + Sha256Hex(entry.body) + " " + entry.scan_key +
                    " " + entry.site + "\n";
  out += entry.body;
  return out;
}

Result<SpoolEntry> DecodeSpoolEntry(std::string_view bytes) {
  auto bad = [](const std::string& why) { return MakeError(ErrorCode::kParse, "damaged spool file: " + why); };
  size_t nl = bytes.substr(0, kMaxHeader).find('\n');
  if (nl == std::string_view::npos) return bad("no header line");
  std::vector<std::string_view> f = SplitSpaces(bytes.substr(0, nl));
  if (f.size() != 9 || f[0] != kMagic) return bad("not a phaseout spool header");
  if (f[1] != "1") return bad("unknown spool format version '" + std::string(f[1]) + "'");
  SpoolEntry e;
  if (f[2] == "start") {
    e.kind = EntryKind::kStart;
  } else if (f[2] == "chunk") {
    e.kind = EntryKind::kChunk;
  } else if (f[2] == "complete") {
    e.kind = EntryKind::kComplete;
  } else {
    return bad("unknown entry kind");
  }
  uint64_t body_bytes = 0;
  // Numbers in canonical decimal only (no leading zeros): a header is what EncodeSpoolEntry wrote.
  auto number = [](std::string_view s, uint64_t* out) { return (s.size() == 1 || s[0] != '0') && ParseU64(s, out); };
  if (!number(f[3], &e.first_seq) || !number(f[4], &e.lines) || !number(f[5], &body_bytes)) {
    return bad("bad number in header");
  }
  if (f[6].size() != 64 || !IsToken(f[7]) || !IsToken(f[8])) return bad("bad digest, scan key or site");
  std::string_view body = bytes.substr(nl + 1);
  if (body.size() != body_bytes) {
    return bad("body is " + std::to_string(body.size()) + " bytes, header says " + std::to_string(body_bytes));
  }
  if (Sha256Hex(body) != f[6]) return bad("body digest mismatch");
  if (e.kind == EntryKind::kChunk &&
      (e.first_seq == 0 || e.lines == 0 || CountLines(body) != e.lines || body.back() != '\n')) {
    return bad("chunk line count or first sequence number inconsistent");
  }
  if (e.kind != EntryKind::kChunk && e.lines != 0) return bad("line count on an entry that is not a chunk");
  e.scan_key = std::string(f[7]);
  e.site = std::string(f[8]);
  e.body = std::string(body);
  return e;
}

Result<Spool> Spool::Open(const std::string& dir) {
  if (dir.empty()) return MakeError(ErrorCode::kInvalidArgument, "no spool folder given");
  for (const std::string& d : {dir, dir + "/rejected"}) {
    if (::mkdir(d.c_str(), 0700) != 0 && errno != EEXIST) return IoError("cannot create spool folder", d);
    struct stat st {};
    if (::stat(d.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return MakeError(ErrorCode::kIo, "spool path '" + d + "' is not a folder");
    }
  }
  int lock_fd = ::open((dir + "/.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd < 0) return IoError("cannot create the lock file in spool folder", dir);
  if (::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(lock_fd);
    return MakeError(ErrorCode::kInvalidArgument,
                     "spool folder '" + dir + "' is in use by another phaseout agent or push");
  }
  uint64_t max_counter = 0;
  size_t stale = 0;
  for (const std::string& d : {dir, dir + "/rejected"}) {
    auto names = ListDir(d);
    if (!names) {
      ::close(lock_fd);
      return names.error();
    }
    for (const std::string& n : *names) {
      max_counter = std::max(max_counter, EntryCounter(n));
      if (d == dir && n.size() > 4 && n.front() == '.' && n.compare(n.size() - 4, 4, ".tmp") == 0) {
        // A write interrupted before its rename: the entry was never spooled (Append had not
        // returned), so the file is garbage by construction.
        if (::unlink((d + "/" + n).c_str()) == 0) ++stale;
      }
    }
  }
  return Spool(dir, lock_fd, max_counter + 1, stale);
}

Spool::Spool(Spool&& other) noexcept
    : dir_(std::move(other.dir_)), lock_fd_(other.lock_fd_), next_(other.next_), stale_removed_(other.stale_removed_) {
  other.lock_fd_ = -1;
}

Spool& Spool::operator=(Spool&& other) noexcept {
  if (this != &other) {
    if (lock_fd_ >= 0) ::close(lock_fd_);
    dir_ = std::move(other.dir_);
    lock_fd_ = other.lock_fd_;
    next_ = other.next_;
    stale_removed_ = other.stale_removed_;
    other.lock_fd_ = -1;
  }
  return *this;
}

Spool::~Spool() {
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

Result<std::string> Spool::Append(const SpoolEntry& entry) {
  auto bytes = EncodeSpoolEntry(entry);
  if (!bytes) return bytes.error();
  std::string counter = std::to_string(next_);
  std::string name = std::string(kCounterDigits - counter.size(), '0') + counter + "." + EntryKindName(entry.kind);
  Status st = WriteFileDurably(dir_, name, *bytes);
  if (!st.ok()) return st.error();
  ++next_;
  return name;
}

Result<std::vector<std::string>> Spool::List() const {
  auto names = ListDir(dir_);
  if (!names) return names.error();
  std::vector<std::string> entries;
  for (const std::string& n : *names) {
    if (EntryCounter(n) != 0) entries.push_back(n);
  }
  // Fixed-width counters: name order is counter order.
  std::sort(entries.begin(), entries.end());
  return entries;
}

Result<SpoolEntry> Spool::Read(const std::string& name) const {
  auto bytes = ReadFile(dir_ + "/" + name);
  if (!bytes) return bytes.error();
  return DecodeSpoolEntry(*bytes);
}

Status Spool::Remove(const std::string& name) {
  std::string path = dir_ + "/" + name;
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return IoError("cannot delete spool file", path);
  return FsyncDir(dir_);
}

Status Spool::Reject(const std::string& name, const std::string& reason) {
  std::string rejected = dir_ + "/rejected";
  // The reason first: a crash in between leaves a reason without its entry (harmless), never
  // a rejected entry without a reason.
  Status st = WriteFileDurably(rejected, name + ".reason", reason + "\n");
  if (!st.ok()) return st;
  std::string from = dir_ + "/" + name;
  std::string to = rejected + "/" + name;
  if (::rename(from.c_str(), to.c_str()) != 0) return IoError("cannot move spool file to rejected/", from);
  st = FsyncDir(rejected);
  if (!st.ok()) return st;
  return FsyncDir(dir_);
}

}  // namespace phaseout::agent
