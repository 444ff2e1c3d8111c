// ReportSorter: in-memory batches, spilled sorted runs, k-way merge.
#include "report/scan_order.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <queue>
#include <utility>

namespace phaseout::report {
namespace {

// Encoding: little-endian u32 length-prefixed strings, u32 counts, u16 ports, the confidence
// as its 8 IEEE bytes, a u8 status. The whole entry is prefixed by its u32 byte length.
void PutU32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void PutStr(std::string* out, const std::string& s) {
  PutU32(out, static_cast<uint32_t>(s.size()));
  out->append(s);
}
void PutStrs(std::string* out, const std::vector<std::string>& v) {
  PutU32(out, static_cast<uint32_t>(v.size()));
  for (const auto& s : v) PutStr(out, s);
}

class Reader {
 public:
  explicit Reader(std::string_view bytes) : b_(bytes) {}
  bool ok() const { return ok_; }
  uint32_t U32() {
    if (b_.size() < 4) return Fail();
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<unsigned char>(b_[i])) << (8 * i);
    b_.remove_prefix(4);
    return v;
  }
  std::string Str() {
    uint32_t n = U32();
    if (!ok_ || b_.size() < n) {
      Fail();
      return {};
    }
    std::string s(b_.substr(0, n));
    b_.remove_prefix(n);
    return s;
  }
  std::vector<std::string> Strs() {
    uint32_t n = U32();
    std::vector<std::string> v;
    for (uint32_t i = 0; ok_ && i < n; ++i) v.push_back(Str());
    return v;
  }
  std::string Raw(size_t n) {
    if (b_.size() < n) {
      Fail();
      return std::string(n, '\0');
    }
    std::string s(b_.substr(0, n));
    b_.remove_prefix(n);
    return s;
  }

 private:
  uint32_t Fail() {
    ok_ = false;
    b_ = {};
    return 0;
  }
  std::string_view b_;
  bool ok_ = true;
};

size_t Estimate(const ReportSorter::Entry& e) {
  size_t n = sizeof(ReportSorter::Entry) + e.key.size() + e.seen_at.size();
  const auto& r = e.report;
  n += r.host.ip.size() + r.host.mac.size() + r.host.open_ports.size() * 2;
  for (const auto& s : r.host.notes) n += s.size() + 32;
  const auto& id = r.identification;
  n += id.manufacturer.size() + id.brand.size() + id.device_type.size() + id.model.size() + id.firmware.size() +
       id.serial.size();
  for (const auto& ev : id.evidence) {
    n += sizeof(ev) + ev.probe.size() + ev.field.size() + ev.value.size() + ev.rule.size() + ev.claim.size();
  }
  for (const auto& c : id.conflicts) n += c.size() + 32;
  for (const auto& v : r.verdicts) n += sizeof(v) + v.policy.size() + v.reason.size() + v.clause.size();
  return n;
}

bool EntryLess(const ReportSorter::Entry& a, const ReportSorter::Entry& b) { return a.key < b.key; }

}  // namespace

ReportSorter::ReportSorter(size_t memory_budget_bytes) : budget_(std::max<size_t>(memory_budget_bytes, 1)) {}

ReportSorter::~ReportSorter() {
  for (std::FILE* f : runs_) std::fclose(f);
}

std::string ReportSorter::Encode(const Entry& e) {
  std::string body;
  PutStr(&body, e.key);
  PutStr(&body, e.seen_at);
  const model::HostScan& h = e.report.host;
  PutStr(&body, h.ip);
  PutStr(&body, h.mac);
  PutU32(&body, static_cast<uint32_t>(h.open_ports.size()));
  for (uint16_t p : h.open_ports) PutU32(&body, p);
  PutStrs(&body, h.notes);
  const model::Identification& id = e.report.identification;
  for (const std::string* s : {&id.manufacturer, &id.brand, &id.device_type, &id.model, &id.firmware, &id.serial}) {
    PutStr(&body, *s);
  }
  char conf[sizeof(double)];
  std::memcpy(conf, &id.confidence, sizeof(double));
  body.append(conf, sizeof(double));
  PutU32(&body, static_cast<uint32_t>(id.evidence.size()));
  for (const auto& ev : id.evidence) {
    PutStr(&body, ev.probe);
    PutU32(&body, ev.port);
    for (const std::string* s : {&ev.field, &ev.value, &ev.rule, &ev.claim}) PutStr(&body, *s);
  }
  PutStrs(&body, id.conflicts);
  PutU32(&body, static_cast<uint32_t>(e.report.verdicts.size()));
  for (const auto& v : e.report.verdicts) {
    PutStr(&body, v.policy);
    PutU32(&body, static_cast<uint32_t>(v.status));
    PutStr(&body, v.reason);
    PutStr(&body, v.clause);
  }
  std::string out;
  PutU32(&out, static_cast<uint32_t>(body.size()));
  return out + body;
}

Result<bool> ReportSorter::Decode(std::FILE* in, Entry* e) {
  unsigned char len_bytes[4];
  size_t got = std::fread(len_bytes, 1, 4, in);
  if (got == 0 && std::feof(in)) return false;
  if (got != 4) return MakeError(ErrorCode::kIo, "report run: truncated entry length");
  uint32_t len = len_bytes[0] | (len_bytes[1] << 8) | (len_bytes[2] << 16) | (static_cast<uint32_t>(len_bytes[3]) << 24);
  std::string body(len, '\0');
  if (len > 0 && std::fread(body.data(), 1, len, in) != len) {
    return MakeError(ErrorCode::kIo, "report run: truncated entry");
  }
  Reader r(body);
  *e = Entry();
  e->key = r.Str();
  e->seen_at = r.Str();
  model::HostScan& h = e->report.host;
  h.ip = r.Str();
  h.mac = r.Str();
  uint32_t ports = r.U32();
  for (uint32_t i = 0; r.ok() && i < ports; ++i) h.open_ports.push_back(static_cast<uint16_t>(r.U32()));
  h.notes = r.Strs();
  model::Identification& id = e->report.identification;
  for (std::string* s : {&id.manufacturer, &id.brand, &id.device_type, &id.model, &id.firmware, &id.serial}) {
    *s = r.Str();
  }
  std::string conf = r.Raw(sizeof(double));
  std::memcpy(&id.confidence, conf.data(), sizeof(double));
  uint32_t evidence = r.U32();
  for (uint32_t i = 0; r.ok() && i < evidence; ++i) {
    model::Evidence ev;
    ev.probe = r.Str();
    ev.port = static_cast<uint16_t>(r.U32());
    for (std::string* s : {&ev.field, &ev.value, &ev.rule, &ev.claim}) *s = r.Str();
    id.evidence.push_back(std::move(ev));
  }
  id.conflicts = r.Strs();
  uint32_t verdicts = r.U32();
  for (uint32_t i = 0; r.ok() && i < verdicts; ++i) {
    model::Verdict v;
    v.policy = r.Str();
    v.status = static_cast<model::VerdictStatus>(r.U32());
    v.reason = r.Str();
    v.clause = r.Str();
    e->report.verdicts.push_back(std::move(v));
  }
  if (!r.ok()) return MakeError(ErrorCode::kParse, "report run: damaged entry");
  return true;
}

Status ReportSorter::Add(std::string key, std::string seen_at, model::DeviceReport report) {
  report.host.observations.clear();
  report.host.observations.shrink_to_fit();
  Entry e{std::move(key), std::move(seen_at), std::move(report)};
  held_bytes_ += Estimate(e);
  held_.push_back(std::move(e));
  ++count_;
  if (held_bytes_ >= budget_) return Spill();
  return Status::Ok();
}

Status ReportSorter::Spill() {
  std::stable_sort(held_.begin(), held_.end(), EntryLess);
  std::FILE* f = std::tmpfile();  // anonymous: removed when closed, even on a crash
  if (f == nullptr) {
    return MakeError(ErrorCode::kIo, std::string("cannot create a temporary file to sort results: ") +
                                         std::strerror(errno));
  }
  runs_.push_back(f);
  for (const Entry& e : held_) {
    std::string bytes = Encode(e);
    if (std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size()) {
      return MakeError(ErrorCode::kIo, std::string("cannot write sorted results to a temporary file: ") +
                                           std::strerror(errno));
    }
  }
  if (std::fflush(f) != 0) {
    return MakeError(ErrorCode::kIo, std::string("cannot write sorted results to a temporary file: ") +
                                         std::strerror(errno));
  }
  held_.clear();
  held_.shrink_to_fit();
  held_bytes_ = 0;
  return Status::Ok();
}

Status ReportSorter::Drain(const std::function<void(const model::DeviceReport&, const std::string&)>& fn) {
  std::stable_sort(held_.begin(), held_.end(), EntryLess);
  if (runs_.empty()) {
    for (const Entry& e : held_) fn(e.report, e.seen_at);
    held_.clear();
    return Status::Ok();
  }
  // Sources: each run, then the in-memory batch (index runs_.size()). Ties go to the lower
  // source index, which is the earlier insertion.
  const size_t mem = runs_.size();
  std::vector<Entry> head(runs_.size() + 1);
  size_t mem_pos = 0;
  auto next = [&](size_t src) -> Result<bool> {
    if (src == mem) {
      if (mem_pos >= held_.size()) return false;
      head[src] = std::move(held_[mem_pos++]);
      return true;
    }
    return Decode(runs_[src], &head[src]);
  };
  auto greater = [&](size_t a, size_t b) {
    if (head[a].key != head[b].key) return head[b].key < head[a].key;
    return b < a;
  };
  std::priority_queue<size_t, std::vector<size_t>, decltype(greater)> queue(greater);
  for (size_t src = 0; src <= mem; ++src) {
    if (src < mem && std::fseek(runs_[src], 0, SEEK_SET) != 0) {
      return MakeError(ErrorCode::kIo, std::string("cannot reread sorted results: ") + std::strerror(errno));
    }
    auto got = next(src);
    if (!got) return got.error();
    if (*got) queue.push(src);
  }
  while (!queue.empty()) {
    size_t src = queue.top();
    queue.pop();
    fn(head[src].report, head[src].seen_at);
    auto got = next(src);
    if (!got) return got.error();
    if (*got) queue.push(src);
  }
  for (std::FILE* f : runs_) std::fclose(f);
  runs_.clear();
  held_.clear();
  return Status::Ok();
}

}  // namespace phaseout::report
