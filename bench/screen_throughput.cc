// screen_throughput: end-to-end throughput of `phaseout screen` (CSV read -> screen -> NDJSON
// render) on generated catalogue lines, with the shipped entities plus an imported list of
// generated entities. Prints lines/s per scenario and the peak RSS.
// Scenarios: csv_parse_only (reader baseline), screen_ndjson (read + screen + render to
// /dev/null, or to --ndjson-out FILE to compare outputs across changes).
// --unique-descriptions makes every description distinct (" lot N" appended), so the
// screener's caches of recent field values never hit for that column: the cost of a catalogue
// whose descriptions do not repeat.
// Usage: screen_throughput [--lines N] [--list-entities N] [--data-dir DIR] [--ndjson-out FILE]
//                          [--unique-descriptions]
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/csv_writer.h"
#include "report/screen_report.h"
#include "screening/catalogue_reader.h"
#include "screening/screener.h"
#include "screening/screening_context.h"

namespace {

using namespace phaseout;
using namespace phaseout::screening;

const char* kSyllables[] = {"kor", "vex", "tan", "lum", "bra", "zel", "mir", "qua", "dor", "fen", "gal", "hex",
                            "jor", "kel", "lin", "mon", "nor", "pax", "rin", "sol", "tor", "ul",  "vin", "wex"};
const char* kGeneric[] = {"Trading", "Electronics", "Technology", "Industrial", "Logistics", "Systems", "Import Export",
                          "Holdings", "Telecom", "Engineering"};
const char* kLegal[] = {"Co., Ltd.", "LLC", "Ltd", "FZE", "GmbH", "S.A.", "Inc."};

std::string Syll(std::mt19937& rng, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += kSyllables[rng() % std::size(kSyllables)];
  s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  return s;
}

std::vector<ListEntity> MakeListEntities(size_t n) {
  std::mt19937 rng(7);
  std::vector<ListEntity> out;
  for (size_t i = 0; i < n; ++i) {
    ListEntity e;
    e.id = "gen-" + std::to_string(i);
    std::string core = Syll(rng, 2 + rng() % 2);
    e.name = core + " " + kGeneric[rng() % std::size(kGeneric)] + " " + kLegal[rng() % std::size(kLegal)];
    if (rng() % 2) e.aliases.push_back(core + " " + Syll(rng, 2));
    e.list = "generated";
    e.policy = "us-ndaa-889";
    e.source = "generated list";
    out.push_back(std::move(e));
  }
  return out;
}

// Input cells are written by the project's one CSV writer, without the formula guard (the
// generated values are input to screen, not a report).
void AppendCsv(const std::string& s, std::string* out) { AppendCsvField(s, out, /*guard_formula=*/false); }

// Writes `n` catalogue lines to `path`: mostly ordinary products, ~10% covered names, ~4%
// model numbers, ~3% context lines, ~3% suppliers from the generated list.
bool WriteCatalogue(const std::string& path, size_t n, const std::vector<ListEntity>& list, bool unique) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return false;
  std::mt19937 rng(42);
  const char* brands[] = {"Axis", "Hanwha Vision", "Bosch", "Cisco", "Juniper", "HP", "Dell", "Lenovo", "Samsung",
                          "Panasonic", "Sony", "Canon", "Brother", "Netgear", "TP-Link", "Ubiquiti", "Motorola Solutions",
                          "Kenwood", "Honeywell", "Uniview", "Milestone", "Genetec", "Avigilon", "Verkada", "Synology"};
  const char* items[] = {"4MP dome network camera 2.8mm", "24-port PoE+ managed switch", "Wi-Fi 6 access point",
                         "14in business laptop 16GB RAM", "Laser printer duplex", "UPS 1500VA rack mount",
                         "Cat6 patch cable 3ft blue", "NVR 16 channel 4K", "Two-way portable radio UHF",
                         "Thermostat programmable", "27in monitor IPS", "Video management license 1 year",
                         "Surveillance hard drive 8TB", "Outdoor camera housing", "SFP+ transceiver 10G"};
  const char* covered[] = {"Hikvision", "HIKVISION", "Hangzhou Hikvision Digital Technology Co., Ltd.", "Dahua",
                           "Zhejiang Dahua Technology Co., Ltd.", "Huawei", "Huawei Technologies Co., Ltd.", "ZTE",
                           "Hytera", "EZVIZ", "HiLook", "Lorex", "海康威视", "Hik-Vision", "Amcrest", "LTS"};
  const char* models[] = {"DS-2CD2143G2-I", "DS-7608NI-K2/8P", "DH-IPC-HDW1230T1-S5", "DHI-NVR4108HS-8P-4KS2",
                          "CS-C6N-A0-1C2WFR", "IPC-HFW2431S-S-S2"};
  const char* context[] = {"Removal and disposal of existing Hikvision cameras",
                           "Wall mount bracket compatible with Hikvision dome cameras",
                           "NDAA compliant camera, no Dahua or Huawei components", "12V power supply for Dahua cameras"};
  std::string buf = "line_id,description,manufacturer,model,supplier,unspsc,date\n";
  for (size_t i = 0; i < n; ++i) {
    unsigned r = rng() % 100;
    std::string desc = items[rng() % std::size(items)];
    std::string mfr = brands[rng() % std::size(brands)];
    std::string model = std::string(1, static_cast<char>('A' + rng() % 26)) + static_cast<char>('A' + rng() % 26) + "-" +
                        std::to_string(1000 + rng() % 9000) + static_cast<char>('A' + rng() % 26);
    std::string supplier = "Global Distribution Partners";
    if (r < 10) {
      mfr = covered[rng() % std::size(covered)];
    } else if (r < 14) {
      model = models[rng() % std::size(models)];
    } else if (r < 17) {
      desc = context[rng() % std::size(context)];
    } else if (r < 20) {
      supplier = list[rng() % list.size()].name;
    }
    if (unique) desc += " lot " + std::to_string(i);
    buf += "L" + std::to_string(i) + ",";
    AppendCsv(desc, &buf);
    buf += ",";
    AppendCsv(mfr, &buf);
    buf += "," + model + ",";
    AppendCsv(supplier, &buf);
    buf += ",46171610,2025-0" + std::to_string(1 + rng() % 9) + "-15\n";
    if (buf.size() > (1 << 20)) {
      std::fwrite(buf.data(), 1, buf.size(), f);
      buf.clear();
    }
  }
  std::fwrite(buf.data(), 1, buf.size(), f);
  return std::fclose(f) == 0;
}

class CountSink : public LineSink {
 public:
  void OnLine(const CatalogueLine&) override { ++lines; }
  void OnLineError(uint64_t, const std::string&) override { ++errors; }
  uint64_t lines = 0, errors = 0;
};

class ScreenSink : public LineSink {
 public:
  ScreenSink(const Screener& s, report::ScreeningWriter* w) : screener_(s), writer_(w) {}
  void OnLine(const CatalogueLine& line) override {
    auto t0 = std::chrono::steady_clock::now();
    screener_.Screen(line, ScreenOptions{}, &result_);
    auto t1 = std::chrono::steady_clock::now();
    writer_->Write(line, result_);
    auto t2 = std::chrono::steady_clock::now();
    screen_s += std::chrono::duration<double>(t1 - t0).count();
    write_s += std::chrono::duration<double>(t2 - t1).count();
    ++lines;
    for (const auto& v : result_.verdicts) {
      if (v.status != model::VerdictStatus::kClear) {
        ++flagged;
        break;
      }
    }
  }
  void OnLineError(uint64_t, const std::string&) override { ++errors; }
  uint64_t lines = 0, errors = 0, flagged = 0;
  double screen_s = 0, write_s = 0;

 private:
  const Screener& screener_;
  report::ScreeningWriter* writer_;
  ScreenResult result_;
};

// CPU time of this thread: on a shared machine wall time overstates the cost of one core.
double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

long PeakRssMb() {
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024;
}

}  // namespace

int main(int argc, char** argv) {
  size_t n_lines = 1000000, n_entities = 10000;
  std::string data_dir, policy = "us-ndaa-889", ndjson_out = "/dev/null";
  bool unique = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--lines") && i + 1 < argc) n_lines = std::stoul(argv[++i]);
    else if (!std::strcmp(argv[i], "--list-entities") && i + 1 < argc) n_entities = std::stoul(argv[++i]);
    else if (!std::strcmp(argv[i], "--data-dir") && i + 1 < argc) data_dir = argv[++i];
    else if (!std::strcmp(argv[i], "--ndjson-out") && i + 1 < argc) ndjson_out = argv[++i];
    else if (!std::strcmp(argv[i], "--unique-descriptions")) unique = true;
    else {
      std::fprintf(stderr, "usage: screen_throughput [--lines N] [--list-entities N] [--data-dir DIR] [--ndjson-out FILE] [--unique-descriptions]\n");
      return 2;
    }
  }
  auto ctx = ScreeningContext::Load(data_dir);
  if (!ctx) {
    std::fprintf(stderr, "screen_throughput: %s\n", ctx.error().message.c_str());
    return 1;
  }
  auto sel = ctx->policies->Select({});
  auto list = MakeListEntities(n_entities);
  auto t0 = std::chrono::steady_clock::now();
  auto screener = Screener::Create(*ctx->policies, *sel, ctx->data, list);
  if (!screener) {
    std::fprintf(stderr, "screen_throughput: %s\n", screener.error().message.c_str());
    return 1;
  }
  double build_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::string path = "/tmp/phaseout_screen_throughput_" + std::to_string(::getpid()) + ".csv";
  if (!WriteCatalogue(path, n_lines, list, unique)) {
    std::fprintf(stderr, "screen_throughput: cannot write %s\n", path.c_str());
    return 1;
  }
  std::printf("index: %zu names (%zu generated list entities), %zu policies, built in %.2f s\n",
              (*screener)->indexed_names(), n_entities, sel->size(), build_s);
  ReaderOptions ro;
  ro.format = InputFormat::kCsv;
  {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    CountSink sink;
    auto t = std::chrono::steady_clock::now();
    double c0 = ThreadCpuSeconds();
    Status st = ReadCatalogue(f, path, ro, &sink);
    double cpu = ThreadCpuSeconds() - c0;
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
    std::fclose(f);
    std::printf("csv_parse_only   %9llu lines in %6.2f s wall = %9.0f lines/s; %6.2f s CPU = %9.0f lines per CPU-second (errors %llu)%s\n",
                static_cast<unsigned long long>(sink.lines), s, sink.lines / s, cpu, sink.lines / cpu,
                static_cast<unsigned long long>(sink.errors), st.ok() ? "" : " READ FAILED");
  }
  {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    std::FILE* out = std::fopen(ndjson_out.c_str(), "wb");
    if (!out) {
      std::fprintf(stderr, "screen_throughput: cannot write %s\n", ndjson_out.c_str());
      return 1;
    }
    std::vector<std::string> ids;
    for (const auto* p : *sel) ids.push_back(p->id);
    report::ScreeningWriter writer(out, report::ScreenFormat::kNdjson, ids);
    writer.Begin();
    ScreenSink sink(**screener, &writer);
    auto t = std::chrono::steady_clock::now();
    double c0 = ThreadCpuSeconds();
    Status st = ReadCatalogue(f, path, ro, &sink);
    writer.End({});
    double cpu = ThreadCpuSeconds() - c0;
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
    std::fclose(f);
    std::fclose(out);
    std::printf("screen_ndjson    %9llu lines in %6.2f s wall = %9.0f lines/s; %6.2f s CPU = %9.0f lines per CPU-second (flagged %llu, errors %llu)%s\n",
                static_cast<unsigned long long>(sink.lines), s, sink.lines / s, cpu, sink.lines / cpu,
                static_cast<unsigned long long>(sink.flagged), static_cast<unsigned long long>(sink.errors),
                st.ok() ? "" : " READ FAILED");
    std::printf("  of which (wall): screening %.2f s (%.0f lines/s), NDJSON rendering %.2f s, reading the rest\n",
                sink.screen_s, sink.lines / sink.screen_s, sink.write_s);
  }
  std::remove(path.c_str());
  std::printf("peak RSS %ld MB (single thread; input streamed in 64 KiB chunks)\n", PeakRssMb());
  return 0;
}
