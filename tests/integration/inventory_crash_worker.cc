// Worker for inventory_crash_test: does committed work on an inventory database and reports
// each commit on stdout (unbuffered), so the test can SIGKILL it at any point and then check
// that exactly the committed work is present.
//   inventory_crash_worker DB ingest KEY N    ingest one scan of N generated records (site "s")
//   inventory_crash_worker DB ingest KEY N M  ingest M such scans one after another, keys KEY-1..KEY-M
//                                            (a kill then lands after one commit, during the next)
//   inventory_crash_worker DB lifecycle       walk devices through the lifecycle, one change per transaction
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "inventory/inventory.h"

namespace inv = phaseout::inventory;

namespace {

void Say(const std::string& s) {
  std::string line = s + "\n";
  (void)write(STDOUT_FILENO, line.data(), line.size());
}

std::string Record(const std::string& key, long i) {
  char ip[32], mac[32];
  std::snprintf(ip, sizeof(ip), "127.%ld.%ld.%ld", (i >> 16) & 255, (i >> 8) & 255, i & 255);
  // A MAC per (key, record): keys are "warm" or "k<iteration>[-<scan>]".
  long iteration = std::strtol(key.c_str() + 1, nullptr, 10);
  size_t dash = key.find('-');
  long scan = dash == std::string::npos ? 0 : std::strtol(key.c_str() + dash + 1, nullptr, 10);
  std::snprintf(mac, sizeof(mac), "02:%02lx:%02lx:%02lx:%02lx:%02lx", (iteration >> 8) & 255, iteration & 255,
                scan & 255, (i >> 8) & 255, i & 255);
  return std::string(R"({"ip":")") + ip + R"(","open_ports":[80,554],"mac":")" + mac +
         R"(","manufacturer":"hikvision","brand":null,"device_type":"camera","model":"DS-2CD2143G2-I",)"
         R"("firmware":"V5.7.3","serial":null,"confidence":0.95,"evidence":[{"probe":"http","port":80,)"
         R"("field":"http.header.server","value":"DNVRS-Webs","rule":"hikvision.http.server.dnvrs"}],)"
         R"("verdicts":[{"policy":"us-ndaa-889","status":"prohibited","reason":"Hikvision","clause":"889"}],"notes":[]})";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return 2;
  auto inventory = inv::Inventory::Open(argv[1]);
  if (!inventory) {
    std::fprintf(stderr, "%s\n", inventory.error().message.c_str());
    return 1;
  }
  inv::Inventory& db = **inventory;
  std::string mode = argv[2];
  if (mode == "ingest" && (argc == 5 || argc == 6)) {
    long n = std::strtol(argv[4], nullptr, 10);
    long scans = argc == 6 ? std::strtol(argv[5], nullptr, 10) : 0;
    for (long k = scans == 0 ? 0 : 1; k <= scans; ++k) {
      inv::ScanMeta meta;
      meta.scan_key = scans == 0 ? std::string(argv[3]) : std::string(argv[3]) + "-" + std::to_string(k);
      meta.site = "s";
      auto ing = db.BeginIngest(meta);
      if (!ing) {
        std::fprintf(stderr, "%s\n", ing.error().message.c_str());
        return 1;
      }
      Say("begun " + meta.scan_key);
      for (long i = 0; i < n; ++i) {
        if (auto s = (*ing)->AddLine(Record(meta.scan_key, i), i + 1); !s.ok()) return 1;
      }
      auto sum = (*ing)->Commit();
      if (!sum) {
        std::fprintf(stderr, "%s\n", sum.error().message.c_str());
        return 1;
      }
      Say("committed " + meta.scan_key);
    }
    return 0;
  }
  if (mode == "lifecycle") {
    inv::DeviceFilter open;
    auto devices = db.ListDevices(open);
    if (!devices) return 1;
    for (const auto& d : *devices) {
      inv::TransitionRequest r;
      r.actor = "crash-test";
      r.note = "step";
      r.replacement_model = "Axis P3265";
      r.target_date = "2027-06-30";
      if (d.state == inv::DeviceState::kFound) {
        r.to = inv::DeviceState::kConfirmed;
      } else if (d.state == inv::DeviceState::kConfirmed) {
        r.to = inv::DeviceState::kReplacementPlanned;
      } else if (d.state == inv::DeviceState::kReplacementPlanned) {
        r.to = inv::DeviceState::kRemoved;
      } else {
        continue;
      }
      auto after = db.SetState(d.id, r);
      if (!after) {
        std::fprintf(stderr, "%s\n", after.error().message.c_str());
        return 1;
      }
      Say("committed " + std::to_string(d.id) + " " + inv::DeviceStateName(r.to));
    }
    return 0;
  }
  return 2;
}
