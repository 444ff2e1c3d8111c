// Loads tests/corpus/ and applies the split rule.
#include "tools/corpus/corpus.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace phaseout::corpus {
namespace fs = std::filesystem;

namespace {

Error Bad(const std::string& where, const std::string& what) {
  return MakeError(ErrorCode::kInvalidArgument, where + ": " + what);
}

bool ValidId(std::string_view id) {
  if (id.empty() || id.size() > 80) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

// A scalar or "" for null/absent.
std::string Str(const YAML::Node& node) {
  if (!node || node.IsNull() || !node.IsScalar()) return "";
  return node.as<std::string>();
}

Result<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(ErrorCode::kNotFound, path.string() + ": cannot open");
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

Result<Device> LoadDevice(const fs::path& dir, const std::string& split) {
  fs::path yaml_path = dir / "device.yaml";
  std::string where = yaml_path.string();
  YAML::Node root;
  try {
    root = YAML::LoadFile(yaml_path.string());
  } catch (const YAML::Exception& e) {
    return Bad(where, e.what());
  }
  Device d;
  d.split = split;
  d.dir = dir.string();
  d.id = Str(root["id"]);
  if (!ValidId(d.id)) return Bad(where, "id must be 1-80 characters of [a-z0-9-]");
  if (d.id != dir.filename().string()) return Bad(where, "id '" + d.id + "' differs from its directory name");
  const YAML::Node truth = root["truth"];
  if (!truth || !truth.IsMap()) return Bad(where, "missing truth");
  d.truth.manufacturer = Str(truth["manufacturer"]);
  d.truth.brand = Str(truth["brand"]);
  d.truth.device_type = Str(truth["device_type"]);
  d.truth.model = Str(truth["model"]);
  d.truth.basis = Str(truth["basis"]);
  std::string covered = Str(truth["covered"]);
  if (covered != "true" && covered != "false") return Bad(where, "truth.covered must be true or false");
  d.truth.covered = covered == "true";
  if (d.truth.covered && d.truth.manufacturer.empty()) return Bad(where, "a covered device needs a manufacturer");
  if (d.truth.basis.empty()) return Bad(where, "truth.basis is required");
  d.source_ref = Str(root["source"]["ref"]);
  d.changes = Str(root["source"]["changes"]);
  if (d.source_ref.empty()) return Bad(where, "source.ref is required");
  if (d.changes.empty()) return Bad(where, "source.changes is required (write 'none' if nothing changed)");
  const YAML::Node replies = root["replies"];
  if (!replies || !replies.IsSequence() || replies.size() == 0) return Bad(where, "replies must be a non-empty list");
  for (const YAML::Node& r : replies) {
    Reply reply;
    reply.file = Str(r["file"]);
    reply.protocol = Str(r["protocol"]);
    reply.request = Str(r["request"]);
    reply.key = Str(r["key"]);
    std::string form = Str(r["form"]);
    if (form != "full" && form != "field") return Bad(where, "reply form must be full or field");
    reply.full = form == "full";
    if (!reply.full && reply.key.empty()) return Bad(where, "a field reply needs a key");
    long port = 0;
    try {
      port = r["port"].as<long>();
    } catch (const YAML::Exception&) {
      return Bad(where, "reply port must be a number");
    }
    if (port < 1 || port > 65535) return Bad(where, "reply port out of range");
    reply.port = static_cast<uint16_t>(port);
    if (reply.file.empty() || reply.file.find('/') != std::string::npos) return Bad(where, "bad reply file name");
    if (reply.protocol.empty() || reply.request.empty()) return Bad(where, "reply protocol and request are required");
    auto bytes = ReadFile(dir / reply.file);
    if (!bytes) return Bad(where, bytes.error().message);
    reply.bytes = std::move(*bytes);
    d.replies.push_back(std::move(reply));
  }
  return d;
}

}  // namespace

uint32_t Fnv1a32(std::string_view id) {
  uint32_t h = 0x811c9dc5u;
  for (unsigned char c : id) {
    h ^= c;
    h *= 0x01000193u;
  }
  return h;
}

std::string SplitFor(std::string_view id, const std::set<std::string>& forced_dev) {
  if (forced_dev.count(std::string(id)) != 0) return "dev";
  return Fnv1a32(id) % 2 == 0 ? "test" : "dev";
}

Result<std::set<std::string>> LoadForcedDev(const std::string& root) {
  std::set<std::string> out;
  fs::path path = fs::path(root) / "forced_dev.txt";
  if (!fs::exists(path)) return out;
  auto text = ReadFile(path);
  if (!text) return text.error();
  std::istringstream in(*text);
  std::string line;
  while (std::getline(in, line)) {
    size_t hash = line.find('#');
    if (hash != std::string::npos) line.resize(hash);
    line.erase(0, line.find_first_not_of(" \t\r"));
    line.erase(line.find_last_not_of(" \t\r") + 1);
    if (!line.empty()) out.insert(line);
  }
  return out;
}

Result<std::vector<Device>> LoadCorpus(const std::string& root) {
  auto forced = LoadForcedDev(root);
  if (!forced) return forced.error();
  std::vector<Device> devices;
  for (const char* split : {"dev", "test"}) {
    fs::path dir = fs::path(root) / split;
    if (!fs::is_directory(dir)) return Bad(dir.string(), "missing split directory");
    for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
      if (!entry.is_directory()) continue;
      auto device = LoadDevice(entry.path(), split);
      if (!device) return device.error();
      std::string want = SplitFor(device->id, *forced);
      if (want != split) {
        return Bad(entry.path().string(), "the split rule puts '" + device->id + "' in " + want +
                                               " (tests/corpus/README.md); move it there");
      }
      devices.push_back(std::move(*device));
    }
  }
  std::sort(devices.begin(), devices.end(), [](const Device& a, const Device& b) { return a.id < b.id; });
  for (size_t i = 1; i < devices.size(); ++i) {
    if (devices[i].id == devices[i - 1].id) return Bad(root, "duplicate device id " + devices[i].id);
  }
  return devices;
}

}  // namespace phaseout::corpus
