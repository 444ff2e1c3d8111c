// The split check (see split_check.h).
#include "tools/corpus/split_check.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace phaseout::corpus {
namespace fs = std::filesystem;
namespace {

// Protocol grammar that every stack sends; removed before judging whether a value is
// distinctive, so "Basic realm=" or a method list never counts as a quote.
constexpr const char* kGenericWords[] = {
    "www-authenticate", "content-length", "content-type", "cache-control", "keep-alive",
    "get_parameter", "set_parameter", "unauthorized", "application", "connection", "algorithm",
    "text/html", "http/1.0", "http/1.1", "rtsp/1.0", "teardown", "describe", "announce",
    "options", "doctype", "charset", "expires", "digest", "server", "record", "public",
    "opaque", "nonce", "realm", "basic", "close", "stale", "false", "title", "setup", "pause",
    "utf-8", "html", "head", "body", "date", "cseq", "auth", "true", "play", "qop", "md5", "gmt",
    "not found", "ok",
    // Generic device words: a value made only of these and a maker's name ("Sony Network
    // Camera", "Juniper Networks") is a name, not a copied reply.
    "networks", "network", "cameras", "camera", "router", "switch", "login", "web", "device",
    "video", "page", "welcome", "admin", "management",
    // Ordinary business English that screening role words use ("technical support" is also
    // an OU of some certificates): a shared phrase, not a copied reply.
    "technical support",
    // Library names many makers' firmware carries verbatim (libupnp's Server token).
    "portable sdk for upnp devices", "upnp"};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

void Add(std::vector<std::string>* out, std::string v) {
  while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' ')) v.pop_back();
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.erase(0, 1);
  if (!IsDistinctive(v)) return;
  if (std::find(out->begin(), out->end(), v) == out->end()) out->push_back(std::move(v));
}

void AddQuote(std::vector<Quote>* out, const std::string& text, const std::string& where) {
  if (!IsDistinctive(text)) return;
  out->push_back({text, where});
}

// Every scalar under `node`.
void Scalars(const YAML::Node& node, std::vector<std::string>* out) {
  if (!node) return;
  if (node.IsScalar()) {
    out->push_back(node.as<std::string>());
  } else if (node.IsSequence() || node.IsMap()) {
    for (const auto& item : node) {
      if (node.IsMap()) {
        Scalars(item.second, out);
      } else {
        Scalars(item, out);
      }
    }
  }
}

// Lower case, every run of non-alphanumeric bytes turned into one space, trimmed.
std::string Normalized(std::string_view text) {
  std::string out;
  for (char c : Lower(text)) {
    if (std::isalnum(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) >= 0x80) {
      out.push_back(c);
    } else if (!out.empty() && out.back() != ' ') {
      out.push_back(' ');
    }
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// Company names of data/vendors.yaml (display names and every names[].text), normalized.
std::vector<std::string> CompanyNames(const std::string& data_dir) {
  std::vector<std::string> names;
  try {
    YAML::Node root = YAML::LoadFile((fs::path(data_dir) / "vendors.yaml").string());
    for (const YAML::Node& v : root["vendors"]) {
      if (v["display_name"]) names.push_back(Normalized(v["display_name"].as<std::string>("")));
      for (const YAML::Node& n : v["names"]) {
        if (n["text"]) names.push_back(Normalized(n["text"].as<std::string>("")));
      }
    }
  } catch (const YAML::Exception&) {
    // Without the names the check is only stricter (more quotes kept); LoadKnowledge reports
    // a broken vendors.yaml on its own.
  }
  return names;
}

// True iff `quote` is a company name or part of one: a name is what a rule may always say.
bool IsCompanyName(const std::string& quote, const std::vector<std::string>& names) {
  std::string q = Normalized(quote);
  if (q.empty()) return true;
  return std::any_of(names.begin(), names.end(), [&](const std::string& n) { return n.find(q) != std::string::npos; });
}

}  // namespace

std::vector<std::string> LiteralRuns(std::string_view p) {
  std::vector<std::string> runs;
  std::string run;
  auto flush = [&] {
    if (!run.empty()) runs.push_back(run);
    run.clear();
  };
  for (size_t i = 0; i < p.size(); ++i) {
    char c = p[i];
    if (c == '\\' && i + 1 < p.size()) {
      char n = p[++i];
      if (n == 'x' && i + 2 < p.size() && std::isxdigit(static_cast<unsigned char>(p[i + 1])) &&
          std::isxdigit(static_cast<unsigned char>(p[i + 2]))) {
        run.push_back(static_cast<char>(std::stoi(std::string(p.substr(i + 1, 2)), nullptr, 16)));
        i += 2;
      } else if (std::isalnum(static_cast<unsigned char>(n))) {
        flush();  // \d \w \s \b \pN ...: a class or assertion, not a literal
      } else {
        run.push_back(n);
      }
    } else if (c == '[') {
      flush();
      for (++i; i < p.size() && p[i] != ']'; ++i) {
        if (p[i] == '\\') ++i;
      }
    } else if (c == '*' || c == '?') {
      if (!run.empty()) run.pop_back();
      flush();
    } else if (c == '{') {
      size_t close = p.find('}', i);
      if (close == std::string_view::npos) close = p.size() - 1;
      if (p.substr(i + 1, 1) == "0" && !run.empty()) run.pop_back();
      flush();
      i = close;
    } else if (c == '(' || c == ')' || c == '|' || c == '^' || c == '$' || c == '.' || c == '+') {
      flush();
      if (c == '(' && i + 1 < p.size() && p[i + 1] == '?') {
        size_t end = p.find_first_of(":)", i);
        if (end != std::string_view::npos) i = end;
      }
    } else {
      run.push_back(c);
    }
  }
  flush();
  return runs;
}

std::string Distinctive(std::string_view s) {
  std::string lower = Lower(s);
  for (const char* word : kGenericWords) {
    std::string w(word);
    for (size_t pos = lower.find(w); pos != std::string::npos; pos = lower.find(w, pos)) {
      // Only whole words: a generic word inside a longer word ("Webserver") stays.
      bool left = pos == 0 || !std::isalnum(static_cast<unsigned char>(lower[pos - 1]));
      bool right = pos + w.size() >= lower.size() || !std::isalnum(static_cast<unsigned char>(lower[pos + w.size()]));
      if (left && right) {
        lower.erase(pos, w.size());
      } else {
        pos += w.size();
      }
    }
  }
  std::string out;
  for (char c : lower) {
    if (std::isalnum(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) >= 0x80) {
      out.push_back(c);
    } else if (!out.empty() && out.back() != ' ') {
      out.push_back(' ');
    }
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

bool IsDistinctive(std::string_view s) {
  std::string d = Distinctive(s);
  size_t tokens = d.empty() ? 0 : 1 + static_cast<size_t>(std::count(d.begin(), d.end(), ' '));
  size_t chars = d.size() - (tokens == 0 ? 0 : tokens - 1);
  return chars >= kMinDistinctiveChars || (tokens >= 2 && chars >= kMinDistinctiveMultiToken);
}

std::vector<std::string> SignificantValues(const Reply& reply) {
  std::vector<std::string> out;
  if (!reply.full) Add(&out, reply.bytes);
  std::istringstream in(reply.bytes);
  std::string line;
  while (std::getline(in, line)) {
    Add(&out, line);
    size_t colon = line.find(": ");
    if (colon != std::string::npos && colon < 64) Add(&out, line.substr(colon + 2));
    for (size_t q = line.find('"'); q != std::string::npos;) {
      size_t end = line.find('"', q + 1);
      if (end == std::string::npos) break;
      Add(&out, line.substr(q + 1, end - q - 1));
      q = line.find('"', end + 1);
    }
  }
  std::string lower = Lower(reply.bytes);
  size_t t = lower.find("<title>");
  size_t te = t == std::string::npos ? t : lower.find("</title>", t);
  if (te != std::string::npos) Add(&out, reply.bytes.substr(t + 7, te - t - 7));
  return out;
}

Result<std::vector<Quote>> CollectQuotes(const std::string& data_dir) {
  std::vector<Quote> quotes;
  std::vector<fs::path> files;
  std::error_code ec;
  for (const char* sub : {"fingerprints", "screening"}) {
    fs::path dir = fs::path(data_dir) / sub;
    if (!fs::is_directory(dir)) return MakeError(ErrorCode::kNotFound, dir.string() + ": missing");
    for (const auto& e : fs::recursive_directory_iterator(dir, ec)) {
      if (e.is_regular_file()) files.push_back(e.path());
    }
  }
  std::sort(files.begin(), files.end());
  const std::vector<std::string> company_names = CompanyNames(data_dir);
  const size_t first_quote = quotes.size();
  for (const fs::path& path : files) {
    std::string rel = "data/" + fs::relative(path, data_dir).generic_string();
    bool fingerprints = rel.rfind("data/fingerprints/", 0) == 0;
    if (path.extension() == ".csv") {
      std::ifstream in(path);
      std::string line;
      while (std::getline(in, line)) {
        std::istringstream cells(line);
        std::string cell;
        while (std::getline(cells, cell, ',')) AddQuote(&quotes, cell, rel);
      }
      continue;
    }
    if (path.extension() != ".yaml") continue;
    YAML::Node root;
    try {
      root = YAML::LoadFile(path.string());
    } catch (const YAML::Exception& e) {
      return MakeError(ErrorCode::kInvalidArgument, rel + ": " + e.what());
    }
    if (!fingerprints) {
      std::vector<std::string> all;
      Scalars(root, &all);
      for (const std::string& s : all) AddQuote(&quotes, s, rel);
      continue;
    }
    const YAML::Node rules = root["rules"];
    if (!rules || !rules.IsSequence()) continue;
    // Rules on the IEEE organisation of a MAC quote the public registry, not device replies.
    if (root["key"] && root["key"].as<std::string>("") == "mac.oui.org") continue;
    for (const YAML::Node& rule : rules) {
      std::string id = rule["id"] ? rule["id"].as<std::string>("?") : "?";
      if (rule["pattern"] && rule["pattern"].IsScalar()) {
        for (const std::string& run : LiteralRuns(rule["pattern"].as<std::string>())) {
          AddQuote(&quotes, run, rel + " rule " + id + " pattern");
        }
      }
      for (const char* field : {"examples", "negative_examples"}) {
        std::vector<std::string> values;
        Scalars(rule[field], &values);
        for (const std::string& v : values) AddQuote(&quotes, v, rel + " rule " + id + " " + field);
      }
    }
  }
  quotes.erase(std::remove_if(quotes.begin() + static_cast<std::ptrdiff_t>(first_quote), quotes.end(),
                              [&](const Quote& q) { return IsCompanyName(q.text, company_names); }),
               quotes.end());
  return quotes;
}

std::vector<Leak> FindLeaks(const std::vector<Device>& devices, const std::vector<Quote>& quotes) {
  std::vector<std::pair<std::string, const Quote*>> lowered;
  lowered.reserve(quotes.size());
  for (const Quote& q : quotes) {
    if (IsDistinctive(q.text)) lowered.emplace_back(Lower(q.text), &q);
  }
  std::vector<Leak> leaks;
  for (const Device& d : devices) {
    if (d.split != "test") continue;
    for (const Reply& r : d.replies) {
      for (const std::string& value : SignificantValues(r)) {
        std::string v = Lower(value);
        for (const auto& [q, quote] : lowered) {
          // Both sides are distinctive (checked when they were collected), so neither a
          // generic word nor a bare maker name on one side can make a match.
          if (v.find(q) != std::string::npos || q.find(v) != std::string::npos) {
            leaks.push_back({d.id, r.file, value, *quote});
          }
        }
      }
    }
  }
  return leaks;
}

}  // namespace phaseout::corpus
