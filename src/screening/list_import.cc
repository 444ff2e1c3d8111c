// CSL / OpenSanctions / FtM importers and the stored-list files.
#include "screening/list_import.h"

#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <unordered_map>
#include <sstream>

#include "core/csv_reader.h"
#include "core/json_dump.h"
#include "core/strings.h"
#include "core/utc_time.h"
#include "core/utf8.h"
#include "screening/normalise.h"

namespace phaseout::screening {
namespace {

namespace fs = std::filesystem;

// Collects all CSV records with their lines.
struct RecordCollector : CsvSink {
  std::vector<std::pair<uint64_t, std::vector<std::string>>> records;
  std::vector<std::string> errors;
  void OnRecord(uint64_t line, std::span<std::string> fields) override {
    records.emplace_back(line, std::vector<std::string>(fields.begin(), fields.end()));
  }
  void OnError(uint64_t line, std::string_view message) override {
    errors.push_back("line " + std::to_string(line) + ": " + std::string(message));
  }
};

std::map<std::string, size_t> HeaderIndex(const std::vector<std::string>& header) {
  std::map<std::string, size_t> idx;
  for (size_t i = 0; i < header.size(); ++i) idx.emplace(AsciiLower(Trim(header[i])), i);
  return idx;
}

// Splits CSL's "; "-joined multi-value cells.
std::vector<std::string> SplitSemicolonList(std::string_view cell) {
  std::vector<std::string> out;
  for (auto part : Split(cell, ';')) {
    part = Trim(part);
    if (!part.empty()) out.emplace_back(part);
  }
  return out;
}

// Moves parenthetical "(a.k.a. X)" / "(f.k.a. X)" / "(formerly X)" aliases out of a name.
void ExtractEmbeddedAliases(std::string* name, std::vector<std::string>* aliases) {
  static const char* kMarkers[] = {"a.k.a.", "f.k.a.", "aka ", "fka ", "formerly "};
  for (;;) {
    size_t open = name->find('(');
    if (open == std::string::npos) return;
    size_t close = name->find(')', open);
    if (close == std::string::npos) return;
    std::string inner = std::string(Trim(std::string_view(*name).substr(open + 1, close - open - 1)));
    std::string lower = AsciiLower(inner);
    bool found = false;
    for (const char* m : kMarkers) {
      if (lower.rfind(m, 0) == 0) {
        std::string alias = std::string(Trim(std::string_view(inner).substr(std::strlen(m))));
        if (!alias.empty()) aliases->push_back(alias);
        found = true;
        break;
      }
    }
    if (!found) return;
    name->erase(open, close - open + 1);
    *name = std::string(Trim(*name));
  }
}

bool NameBearingType(std::string_view type) {
  std::string t = AsciiLower(type);
  return t != "vessel" && t != "aircraft" && t != "airplane";
}

Result<ImportedList> ParseCsvList(std::string_view data, ListFormat format, const std::string& list,
                                  const std::string& policy) {
  ImportedList out;
  out.format = format;
  RecordCollector rc;
  CsvParser parser;
  parser.Feed(data, &rc);
  parser.Finish(&rc);
  out.errors = rc.errors;
  if (rc.records.empty()) return MakeError(ErrorCode::kParse, "empty list file (no header row)");
  auto idx = HeaderIndex(rc.records[0].second);
  auto col = [&](std::initializer_list<const char*> names) -> long {
    for (const char* n : names) {
      auto it = idx.find(n);
      if (it != idx.end()) return static_cast<long>(it->second);
    }
    return -1;
  };
  long c_id = col({"_id", "id"});
  long c_name = col({"name"});
  long c_source = format == ListFormat::kCsl ? col({"source"}) : col({"dataset"});
  long c_type = format == ListFormat::kCsl ? col({"type"}) : col({"schema"});
  long c_alt = format == ListFormat::kCsl ? col({"alt_names"}) : col({"aliases"});
  if (c_id < 0 || c_name < 0) {
    return MakeError(ErrorCode::kParse, std::string("line 1: header lacks required columns for ") +
                                            ListFormatName(format) + " (need " +
                                            (format == ListFormat::kCsl ? "_id and name" : "id and name") + ")");
  }
  size_t width = rc.records[0].second.size();
  for (size_t r = 1; r < rc.records.size(); ++r) {
    const auto& [line, f] = rc.records[r];
    if (f.size() != width) {
      out.errors.push_back("line " + std::to_string(line) + ": expected " + std::to_string(width) + " fields, found " +
                           std::to_string(f.size()));
      continue;
    }
    size_t bad = 0;
    bool utf8_ok = true;
    for (const auto& cell : f) {
      if (!IsValidUtf8(cell, &bad)) utf8_ok = false;
    }
    if (!utf8_ok) {
      out.errors.push_back("line " + std::to_string(line) + ": invalid UTF-8");
      continue;
    }
    std::string type = c_type >= 0 ? f[c_type] : "";
    if (!NameBearingType(type)) {
      ++out.skipped;
      continue;
    }
    ListEntity e;
    e.id = std::string(Trim(f[c_id]));
    e.name = std::string(Trim(f[c_name]));
    if (e.id.empty() || e.name.empty()) {
      out.errors.push_back("line " + std::to_string(line) + ": empty id or name");
      continue;
    }
    e.type = type;
    e.list = list;
    e.policy = policy;
    if (c_source >= 0) e.source = f[c_source];
    if (c_alt >= 0 && !f[c_alt].empty()) {
      if (format == ListFormat::kCsl) {
        e.aliases = SplitSemicolonList(f[c_alt]);
      } else {
        // OpenSanctions multi-value cells are themselves CSV with ';' as delimiter.
        std::vector<std::string> cells;
        if (!ParseCsvCells(f[c_alt], ';', &cells)) {
          out.errors.push_back("line " + std::to_string(line) + ": malformed ';'-separated aliases cell");
          continue;
        }
        for (auto& c : cells) {
          if (!Trim(c).empty()) e.aliases.emplace_back(Trim(c));
        }
      }
    }
    if (format == ListFormat::kCsl) ExtractEmbeddedAliases(&e.name, &e.aliases);
    if (format == ListFormat::kOpenSanctionsCsv && c_source >= 0) {
      std::vector<std::string> cells;
      if (ParseCsvCells(f[c_source], ';', &cells) && !cells.empty()) {
        std::string joined;
        for (auto& c : cells) joined += (joined.empty() ? "" : "; ") + c;
        e.source = joined;
      }
    }
    out.entities.push_back(std::move(e));
  }
  return out;
}

Result<ImportedList> ParseFtm(std::string_view data, const std::string& list, const std::string& policy) {
  ImportedList out;
  out.format = ListFormat::kFtm;
  static const char* kNamed[] = {"Company", "Organization", "LegalEntity", "Person", "PublicBody"};
  uint64_t line = 0;
  size_t pos = 0;
  bool any = false;
  while (pos <= data.size()) {
    size_t nl = data.find('\n', pos);
    std::string_view text = data.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? data.size() + 1 : nl + 1;
    ++line;
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (Trim(text).empty()) continue;
    any = true;
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(text.begin(), text.end());
    } catch (const nlohmann::json::exception&) {
      out.errors.push_back("line " + std::to_string(line) + ": invalid JSON");
      continue;
    }
    if (!j.is_object() || !j.contains("id") || !j["id"].is_string() || !j.contains("schema") ||
        !j["schema"].is_string()) {
      out.errors.push_back("line " + std::to_string(line) + ": not a FollowTheMoney entity (needs string id and schema)");
      continue;
    }
    std::string schema = j["schema"].get<std::string>();
    if (std::find(std::begin(kNamed), std::end(kNamed), schema) == std::end(kNamed)) {
      ++out.skipped;  // relations (Ownership, Sanction), Address, Identification, vessels...
      continue;
    }
    auto values = [&](const char* prop) {
      std::vector<std::string> v;
      if (j.contains("properties") && j["properties"].is_object() && j["properties"].contains(prop) &&
          j["properties"][prop].is_array()) {
        for (const auto& s : j["properties"][prop]) {
          if (s.is_string() && !Trim(s.get<std::string>()).empty()) v.emplace_back(Trim(s.get<std::string>()));
        }
      }
      return v;
    };
    ListEntity e;
    e.id = j["id"].get<std::string>();
    e.type = schema;
    e.list = list;
    e.policy = policy;
    auto names = values("name");
    if (j.contains("caption") && j["caption"].is_string()) e.name = j["caption"].get<std::string>();
    if (e.name.empty() && !names.empty()) e.name = names.front();
    if (e.name.empty()) {
      out.errors.push_back("line " + std::to_string(line) + ": entity '" + e.id + "' has no name");
      continue;
    }
    for (auto& n : names) {
      if (n != e.name) e.aliases.push_back(n);
    }
    for (auto& n : values("alias")) e.aliases.push_back(n);
    for (auto& n : values("previousName")) e.aliases.push_back(n);
    e.weak_aliases = values("weakAlias");
    if (j.contains("datasets") && j["datasets"].is_array()) {
      for (const auto& d : j["datasets"]) {
        if (d.is_string()) e.source += (e.source.empty() ? "" : "; ") + d.get<std::string>();
      }
    }
    out.entities.push_back(std::move(e));
  }
  if (!any) return MakeError(ErrorCode::kParse, "empty list file");
  return out;
}

nlohmann::json EntityJson(const ListEntity& e) {
  nlohmann::json j{{"id", e.id}, {"name", e.name}};
  if (!e.aliases.empty()) j["aliases"] = e.aliases;
  if (!e.weak_aliases.empty()) j["weak_aliases"] = e.weak_aliases;
  if (!e.type.empty()) j["type"] = e.type;
  if (!e.source.empty()) j["source"] = e.source;
  return j;
}

Result<StoredListInfo> ReadHeader(const fs::path& path, std::ifstream* in) {
  std::string first;
  if (!std::getline(*in, first)) return MakeError(ErrorCode::kParse, path.string() + ": line 1: empty stored list");
  try {
    auto h = nlohmann::json::parse(first);
    if (!h.is_object() || !h.contains("phaseout_list")) throw std::runtime_error("no header");
    StoredListInfo info;
    info.policy = h.value("policy", "");
    info.name = h.value("name", "");
    info.format = h.value("format", "");
    info.source_file = h.value("source_file", "");
    info.imported_at = h.value("imported_at", "");
    info.entities = h.value("entities", uint64_t{0});
    info.path = path.string();
    return info;
  } catch (const std::exception&) {
    return MakeError(ErrorCode::kParse, path.string() + ": line 1: not a phaseout stored list header");
  }
}

}  // namespace

const char* ListFormatName(ListFormat format) {
  switch (format) {
    case ListFormat::kCsl: return "csl";
    case ListFormat::kOpenSanctionsCsv: return "opensanctions-csv";
    case ListFormat::kFtm: return "ftm";
  }
  return "csl";
}

Result<ListFormat> ParseListFormat(std::string_view text) {
  if (text == "csl") return ListFormat::kCsl;
  if (text == "opensanctions-csv") return ListFormat::kOpenSanctionsCsv;
  if (text == "ftm") return ListFormat::kFtm;
  return MakeError(ErrorCode::kInvalidArgument,
                   "unknown list format '" + std::string(text) + "'; use csl, opensanctions-csv or ftm");
}

Result<ListFormat> DetectListFormat(std::string_view data) {
  if (data.substr(0, 3) == "\xEF\xBB\xBF") data.remove_prefix(3);
  size_t first = data.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return MakeError(ErrorCode::kParse, "empty list file");
  if (data[first] == '{') return ListFormat::kFtm;
  std::string head = AsciiLower(data.substr(first, data.find('\n', first) - first));
  if (head.rfind("_id,source", 0) == 0) return ListFormat::kCsl;
  if (head.rfind("id,schema,name", 0) == 0) return ListFormat::kOpenSanctionsCsv;
  return MakeError(ErrorCode::kParse,
                   "cannot tell the list format from the first line; pass --format csl|opensanctions-csv|ftm");
}

Result<ImportedList> ParseList(std::string_view data, ListFormat format, const std::string& list,
                               const std::string& policy) {
  auto parsed = format == ListFormat::kFtm ? ParseFtm(data, list, policy) : ParseCsvList(data, format, list, policy);
  if (!parsed) return parsed;
  // One entity per id: repeated rows with the same name are merged (aliases joined, counted);
  // rows that give one id different names are an error, so the import is refused.
  std::unordered_map<std::string, size_t> by_id;
  std::vector<ListEntity> merged;
  for (auto& e : parsed->entities) {
    auto it = by_id.find(e.id);
    if (it == by_id.end()) {
      by_id.emplace(e.id, merged.size());
      merged.push_back(std::move(e));
      continue;
    }
    ListEntity& first = merged[it->second];
    if (NormaliseName(first.name) != NormaliseName(e.name)) {
      parsed->errors.push_back("entity id '" + e.id + "' appears more than once with different names ('" +
                               first.name + "' and '" + e.name + "'); fix the file or import the lists separately");
      continue;
    }
    for (auto& a : e.aliases) {
      if (std::find(first.aliases.begin(), first.aliases.end(), a) == first.aliases.end()) first.aliases.push_back(a);
    }
    for (auto& a : e.weak_aliases) {
      if (std::find(first.weak_aliases.begin(), first.weak_aliases.end(), a) == first.weak_aliases.end()) {
        first.weak_aliases.push_back(a);
      }
    }
    ++parsed->merged;
  }
  parsed->entities = std::move(merged);
  return parsed;
}

Result<std::string> ListsRoot() {
  if (const char* home = std::getenv("PHASEOUT_HOME"); home && *home) return std::string(home) + "/lists";
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg) return std::string(xdg) + "/phaseout/lists";
  if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.local/share/phaseout/lists";
  return MakeError(ErrorCode::kNotFound, "no user data directory: set PHASEOUT_HOME");
}

std::string ListNameFromPath(std::string_view path) {
  std::string stem = fs::path(std::string(path)).stem().string();
  std::string out;
  for (char c : AsciiLower(stem)) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    out.push_back(ok ? c : '-');
  }
  if (out.empty() || out[0] == '.') out = "list" + out;
  return out;
}

Status SaveList(const std::string& root, const StoredListInfo& info, const std::vector<ListEntity>& entities,
                bool force) {
  std::error_code ec;
  fs::path dir = fs::path(root) / info.policy;
  fs::create_directories(dir, ec);
  if (ec) return MakeError(ErrorCode::kIo, "cannot create " + dir.string() + ": " + ec.message());
  fs::path target = dir / (info.name + ".jsonl");
  if (fs::exists(target, ec) && !force) {
    std::ifstream in(target);
    auto old = ReadHeader(target, &in);
    if (old && old->entities > 0 && entities.size() * 2 < old->entities) {
      return MakeError(ErrorCode::kLimit, "refusing to replace " + target.string() + " (" +
                                              std::to_string(old->entities) + " entities) with only " +
                                              std::to_string(entities.size()) +
                                              " (less than half: truncated file?); use --force to replace it");
    }
  }
  fs::path tmp = dir / ("." + info.name + ".jsonl.tmp." + std::to_string(::getpid()));
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return MakeError(ErrorCode::kIo, "cannot write " + tmp.string());
    nlohmann::json header{{"phaseout_list", 1},         {"name", info.name},
                          {"policy", info.policy},      {"format", info.format},
                          {"source_file", info.source_file}, {"imported_at", info.imported_at.empty() ? UtcNowIso8601() : info.imported_at},
                          {"entities", entities.size()}};
    out << DumpJson(header) << '\n';
    for (const auto& e : entities) out << DumpJson(EntityJson(e)) << '\n';
    out.flush();
    if (!out) {
      fs::remove(tmp, ec);
      return MakeError(ErrorCode::kIo, "write failed for " + tmp.string());
    }
  }
  int fd = ::open(tmp.c_str(), O_RDONLY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
  fs::rename(tmp, target, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return MakeError(ErrorCode::kIo, "cannot rename into " + target.string() + ": " + ec.message());
  }
  return Status::Ok();
}

Result<std::vector<StoredListInfo>> ListStoredLists(const std::string& root) {
  std::vector<StoredListInfo> out;
  std::error_code ec;
  if (!fs::exists(root, ec)) return out;
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file() || it->path().extension() != ".jsonl") continue;
    if (it->path().filename().string()[0] == '.') continue;
    std::ifstream in(it->path());
    auto info = ReadHeader(it->path(), &in);
    if (!info) return info.error();
    out.push_back(*info);
  }
  if (ec) return MakeError(ErrorCode::kIo, "cannot read " + root + ": " + ec.message());
  std::sort(out.begin(), out.end(), [](const StoredListInfo& a, const StoredListInfo& b) {
    return std::tie(a.policy, a.name) < std::tie(b.policy, b.name);
  });
  return out;
}

Result<std::vector<ListEntity>> LoadStoredLists(const std::string& root, const std::vector<std::string>& policies) {
  std::vector<ListEntity> out;
  auto lists = ListStoredLists(root);
  if (!lists) return lists.error();
  for (const auto& info : *lists) {
    if (std::find(policies.begin(), policies.end(), info.policy) == policies.end()) continue;
    std::ifstream in(info.path);
    std::string line;
    std::getline(in, line);  // header
    uint64_t n = 1;
    while (std::getline(in, line)) {
      ++n;
      if (Trim(line).empty()) continue;
      try {
        auto j = nlohmann::json::parse(line);
        ListEntity e;
        e.id = j.at("id").get<std::string>();
        e.name = j.at("name").get<std::string>();
        if (j.contains("aliases")) e.aliases = j["aliases"].get<std::vector<std::string>>();
        if (j.contains("weak_aliases")) e.weak_aliases = j["weak_aliases"].get<std::vector<std::string>>();
        e.type = j.value("type", "");
        e.source = j.value("source", "");
        e.list = info.name;
        e.policy = info.policy;
        out.push_back(std::move(e));
      } catch (const std::exception&) {
        return MakeError(ErrorCode::kParse, info.path + ": line " + std::to_string(n) + ": damaged entry; re-import the list");
      }
    }
  }
  return out;
}

}  // namespace phaseout::screening
