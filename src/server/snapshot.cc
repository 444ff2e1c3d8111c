// The inventory-to-report loader (moved from apps/cli/report_command.cc so the server shares it).
#include "server/snapshot.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <string_view>
#include <unordered_map>

#include "core/utf8.h"

#include "inventory/audit_read.h"
#include "inventory/inventory.h"

namespace phaseout::server {
namespace {

// A one-pass reader of JSON text (RFC 8259) that checks the whole document as nlohmann-json's
// parser does (structure, escapes, surrogate pairs, UTF-8, numbers, nothing after the value)
// and decodes only the strings it is asked for: the report reads a few fields of ~100,000
// stored records, and building each record's document was most of the loader's time.
class JsonScan {
 public:
  explicit JsonScan(std::string_view text) : text_(text) {}

  // The next non-space byte, or '\0' at the end.
  char Peek() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
    return pos_ < text_.size() ? text_[pos_] : '\0';
  }
  bool Eat(char c) {
    if (Peek() != c) return false;
    ++pos_;
    return true;
  }
  bool AtEnd() { return Peek() == '\0' && pos_ == text_.size(); }

  // A string at the next byte, decoded into *out when `out` is not null.
  bool String(std::string* out) {
    if (!Eat('"')) return false;
    if (out) out->clear();
    while (pos_ < text_.size()) {
      size_t run = pos_;
      while (pos_ < text_.size()) {
        auto c = static_cast<unsigned char>(text_[pos_]);
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
        ++pos_;
      }
      if (out) out->append(text_.data() + run, pos_ - run);
      if (pos_ == text_.size()) return false;
      auto c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c < 0x20) return false;  // control characters must be escaped
      if (c >= 0x80) {
        size_t n = Utf8SequenceLength(text_, pos_);
        if (n == 0) return false;
        if (out) out->append(text_.data() + pos_, n);
        pos_ += n;
        continue;
      }
      // An escape.
      if (++pos_ == text_.size()) return false;
      char e = text_[pos_++];
      char plain = e == '"' ? '"' : e == '\\' ? '\\' : e == '/' ? '/' : e == 'b' ? '\b' : e == 'f' ? '\f'
                 : e == 'n' ? '\n' : e == 'r' ? '\r' : e == 't' ? '\t' : '\0';
      if (plain != '\0') {
        if (out) out->push_back(plain);
        continue;
      }
      if (e != 'u') return false;
      int32_t cp = Hex4();
      if (cp < 0) return false;
      if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // a low surrogate alone
      if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (pos_ + 2 > text_.size() || text_[pos_] != '\\' || text_[pos_ + 1] != 'u') return false;
        pos_ += 2;
        int32_t low = Hex4();
        if (low < 0xDC00 || low > 0xDFFF) return false;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
      }
      if (out) AppendUtf8(static_cast<char32_t>(cp), out);
    }
    return false;
  }

  // A number at the next byte; *is_unsigned when it is an integer without sign, fraction or
  // exponent that fits 64 bits (what nlohmann-json stores as unsigned), its value in *value.
  bool Number(bool* is_unsigned, uint64_t* value) {
    Peek();
    bool negative = pos_ < text_.size() && text_[pos_] == '-';
    if (negative) ++pos_;
    auto digit = [&] { return pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9'; };
    if (!digit()) return false;
    uint64_t v = 0;
    bool fits = true;
    if (text_[pos_] == '0') {
      ++pos_;
    } else {
      while (digit()) {
        uint64_t d = static_cast<uint64_t>(text_[pos_++] - '0');
        if (v > (UINT64_MAX - d) / 10) fits = false;
        v = v * 10 + d;
      }
    }
    bool integer = true;
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      if (!digit()) return false;
      while (digit()) ++pos_;
      integer = false;
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      if (!digit()) return false;
      while (digit()) ++pos_;
      integer = false;
    }
    *is_unsigned = !negative && integer && fits;
    *value = v;
    return true;
  }

  // Any value, checked and not kept.
  bool Skip() {
    std::string open;  // the containers around the current value: '{' or '['
    while (true) {
      char c = Peek();
      if (c == '{' || c == '[') {
        ++pos_;
        if (!Eat(c == '{' ? '}' : ']')) {
          open.push_back(c);
          if (c == '{' && !(String(nullptr) && Eat(':'))) return false;
          continue;
        }
      } else if (!Scalar()) {
        return false;
      }
      // After a value: the next member or element, or the end of containers.
      while (true) {
        if (open.empty()) return true;
        if (Eat(',')) {
          if (open.back() == '{' && !(String(nullptr) && Eat(':'))) return false;
          break;
        }
        if (!Eat(open.back() == '{' ? '}' : ']')) return false;
        open.pop_back();
      }
    }
  }

 private:
  int32_t Hex4() {
    if (pos_ + 4 > text_.size()) return -1;
    int32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      char h = text_[pos_++];
      int d = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
      if (d < 0) return -1;
      v = v * 16 + d;
    }
    return v;
  }
  bool Literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }
  bool Scalar() {
    char c = Peek();
    if (c == '"') return String(nullptr);
    if (c == 't') return Literal("true");
    if (c == 'f') return Literal("false");
    if (c == 'n') return Literal("null");
    bool u;
    uint64_t v;
    return Number(&u, &v);
  }

  std::string_view text_;
  size_t pos_ = 0;
};

// The members of the object at the next byte: `member(key)` reads each value (and must consume
// it). False when the object is malformed or `member` fails.
template <typename Member>
bool Members(JsonScan& j, Member&& member) {
  if (!j.Eat('{')) return false;
  if (j.Eat('}')) return true;
  std::string key;
  do {
    if (!j.String(&key) || !j.Eat(':') || !member(key)) return false;
  } while (j.Eat(','));
  return j.Eat('}');
}

// One entry of the evidence array (an object): the text fields and the port, a later duplicate
// key replacing an earlier one (as in a parsed document).
bool EvidenceEntry(JsonScan& j, model::Evidence* x) {
  return Members(j, [&](const std::string& key) {
    std::string* text = key == "probe" ? &x->probe : key == "field" ? &x->field : key == "value" ? &x->value
                        : key == "rule" ? &x->rule : key == "claim" ? &x->claim : nullptr;
    if (text != nullptr) {
      text->clear();
      return j.Peek() == '"' ? j.String(text) : j.Skip();
    }
    if (key == "port") {
      x->port = 0;
      char c = j.Peek();
      if (c != '-' && (c < '0' || c > '9')) return j.Skip();
      bool is_unsigned = false;
      uint64_t v = 0;
      if (!j.Number(&is_unsigned, &v)) return false;
      if (is_unsigned && v <= 65535) x->port = static_cast<uint16_t>(v);
      return true;
    }
    return j.Skip();
  });
}

}  // namespace

std::vector<model::Evidence> RecordEvidence(std::string_view raw) {
  std::vector<model::Evidence> out;
  if (raw.empty()) return out;
  JsonScan j(raw);
  bool ok = Members(j, [&](const std::string& key) {
    if (key != "evidence") return j.Skip();
    out.clear();  // a later "evidence" replaces an earlier one
    if (j.Peek() != '[') return j.Skip();
    j.Eat('[');
    if (j.Eat(']')) return true;
    do {
      if (j.Peek() != '{') {
        if (!j.Skip()) return false;
        continue;  // entries that are not objects are skipped
      }
      model::Evidence x;
      if (!EvidenceEntry(j, &x)) return false;
      out.push_back(std::move(x));
    } while (j.Eat(','));
    return j.Eat(']');
  });
  if (!ok || !j.AtEnd()) out.clear();
  return out;
}

std::string JsonTopLevelString(std::string_view text, std::string_view name) {
  std::string value;
  if (text.empty()) return value;
  JsonScan j(text);
  bool ok = Members(j, [&](const std::string& key) {
    if (key != name) return j.Skip();
    value.clear();
    return j.Peek() == '"' ? j.String(&value) : j.Skip();
  });
  if (!ok || !j.AtEnd()) value.clear();
  return value;
}

namespace {

std::string JsonState(const std::string& text) { return JsonTopLevelString(text, "state"); }

}  // namespace

Status LoadDetailEvidence(inventory::Inventory& inv, report::InventorySnapshot* s, const std::vector<size_t>& indexes) {
  for (size_t i : indexes) {
    report::SnapshotDevice& d = s->devices.at(i);
    if (d.id.empty()) continue;
    auto raw = inv.LastRecord(std::stoll(d.id));
    if (!raw) return raw.error();
    d.evidence = RecordEvidence(*raw);
  }
  return Status::Ok();
}

Result<report::InventorySnapshot> LoadSnapshot(inventory::Inventory& inv, const std::string& policy_id,
                                               const std::string& department, const std::string& site,
                                               const std::string& db_label,
                                               const std::optional<std::vector<std::string>>& only_sites,
                                               bool with_evidence, bool grouped) {
  report::InventorySnapshot s;
  auto sites = inv.ListSites();
  if (!sites) return sites.error();
  std::map<std::string, inventory::Site> site_by_id;
  bool site_known = site.empty();
  for (const auto& x : *sites) {
    site_by_id[x.id] = x;
    site_known = site_known || x.id == site;
    if ((!site.empty() && x.id != site) || (!department.empty() && x.department != department)) continue;
    if (only_sites && std::find(only_sites->begin(), only_sites->end(), x.id) == only_sites->end()) continue;
    auto d = x.deadlines.find(policy_id);
    s.sites.push_back({x.id, x.name.empty() ? x.id : x.name, x.department, x.owner,
                       d == x.deadlines.end() ? "" : d->second});
  }
  if (!site_known) return MakeError(ErrorCode::kNotFound, "no site '" + site + "' in " + db_label);
  if (!department.empty()) {
    auto deps = inv.ListDepartments();
    if (!deps) return deps.error();
    bool found = false;
    for (const auto& d : *deps) found = found || d.id == department;
    if (!found) return MakeError(ErrorCode::kNotFound, "no department '" + department + "' in " + db_label);
  }
  inventory::DeviceFilter filter;
  filter.site = site;
  filter.department = department;
  filter.only_sites = only_sites;
  std::vector<inventory::DeviceGroup> groups;
  if (grouped) {
    // The devices without history counted in SQL; only those with history are read one by one.
    auto g = inv.CountDeviceGroups(filter);
    if (!g) return g.error();
    groups = std::move(*g);
    filter.with_audit_only = true;
    with_evidence = false;
  }
  auto devices = inv.ListDevices(filter);
  if (!devices) return devices.error();
  // The lifecycle history of every listed device. Few devices: one query each; many (the
  // overview of a whole organisation): the device entries of the audit log in pages, grouped
  // here, instead of one query per device.
  std::unordered_map<int64_t, std::vector<inventory::AuditEntry>> histories;
  constexpr size_t kPerDeviceBelow = 200;
  const bool bulk = devices->size() >= kPerDeviceBelow;
  if (bulk) {
    for (const auto& d : *devices) histories[d.id];
    int64_t after = 0;
    while (true) {
      auto page = inventory::ReadAuditLog(inv, after, 5000, /*devices_only=*/true);
      if (!page) return page.error();
      for (auto& e : *page) {
        after = e.seq;
        auto it = histories.find(e.device_id);
        if (it != histories.end()) it->second.push_back(std::move(e));
      }
      if (page->size() < 5000) break;
    }
  }
  // Likewise the evidence: the last raw record of every device in pages of 5000 (one query
  // each) instead of one query per device.
  std::unordered_map<int64_t, std::vector<model::Evidence>> evidence;
  if (with_evidence && bulk) {
    for (const auto& d : *devices) evidence[d.id];
    int64_t after = 0;
    while (true) {
      auto page = inv.LastRecords(after, 5000);
      if (!page) return page.error();
      for (const auto& r : *page) {
        after = r.device_id;
        auto it = evidence.find(r.device_id);
        if (it != evidence.end()) it->second = RecordEvidence(r.record);
      }
      if (page->size() < 5000) break;
    }
  }
  const size_t listed = devices->size();
  s.devices.reserve(listed + groups.size());
  for (auto& g : groups) devices->push_back(std::move(g.device));  // after the listed devices
  for (size_t i = 0; i < devices->size(); ++i) {
    inventory::DeviceRecord& d = (*devices)[i];  // fields read once are moved out
    report::SnapshotDevice x;
    if (i >= listed) x.weight = static_cast<uint64_t>(groups[i - listed].count);
    x.id = i >= listed ? "" : std::to_string(d.id);
    x.site = d.site;
    x.department = d.department;
    x.ip = std::move(d.ip);
    x.mac = std::move(d.mac);
    x.serial = std::move(d.serial);
    x.manufacturer = d.manufacturer;
    x.brand = std::move(d.brand);
    x.device_type = std::move(d.device_type);
    x.model = std::move(d.model);
    x.firmware = std::move(d.firmware);
    x.state = inventory::DeviceStateName(d.state);
    auto has = [&](const std::vector<std::string>& v) {
      for (const auto& p : v) if (p == policy_id) return true;
      return false;
    };
    x.verdict = has(d.prohibited) ? "prohibited" : has(d.review) ? "review" : d.manufacturer.empty() ? "" : "clear";
    x.deadline = d.target_date;
    if (x.deadline.empty()) {
      auto it = site_by_id.find(d.site);
      if (it != site_by_id.end()) {
        auto dl = it->second.deadlines.find(policy_id);
        if (dl != it->second.deadlines.end()) x.deadline = dl->second;
      }
    }
    x.first_seen = d.first_seen;
    x.last_seen = std::move(d.last_seen);
    x.replacement_model = std::move(d.replacement_model);
    x.waiver_expiry = std::move(d.waiver_expiry);
    if (!d.last_scan.empty()) x.sources.push_back("last seen by scan " + d.last_scan);
    if (!d.match_rule.empty()) x.sources.push_back("identity matched by " + d.match_rule);
    x.reason = std::move(d.reason);
    // The evidence of the record that last attached the device (kept verbatim by the store).
    if (with_evidence && bulk) {
      x.evidence = std::move(evidence[d.id]);
    } else if (with_evidence) {
      auto raw = inv.LastRecord(d.id);
      if (!raw) return raw.error();
      x.evidence = RecordEvidence(*raw);
    }
    std::vector<inventory::AuditEntry> own;
    const std::vector<inventory::AuditEntry>* history = &own;
    if (i >= listed) {
      // A group of devices without audit entries: only the first sighting below.
    } else if (bulk) {
      history = &histories[d.id];
    } else {
      auto h = inv.History(d.id);
      if (!h) return h.error();
      own = std::move(*h);
    }
    for (const auto& e : *history) {
      std::string to = JsonState(e.after);
      if (to.empty()) continue;  // not a lifecycle entry
      x.history.push_back({e.at, x.id, JsonState(e.before), to, e.actor,
                           e.action + (e.note.empty() ? "" : ": " + e.note)});
    }
    if ((x.history.empty() || !x.history.front().from_state.empty()) && !d.first_seen.empty()) {
      x.history.insert(x.history.begin(),
                       {d.first_seen, x.id, "", "found", "phaseout", "first sighting"});
    }
    s.devices.push_back(std::move(x));
  }
  return s;
}

}  // namespace phaseout::server
