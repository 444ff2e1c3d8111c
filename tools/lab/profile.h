// Device-lab profiles: how one device model/firmware generation answers on each port, loaded
// from data/lab/profiles/*.yaml. Every reply cites the public source it was built from or is
// marked synthetic (invented only to give the reply a realistic shape).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace phaseout::lab {

// Canonical vendor ids a profile's ground truth may use (the project's vendor vocabulary).
const std::vector<std::string>& KnownVendorIds();
// Device types a profile's ground truth may use.
const std::vector<std::string>& KnownDeviceTypes();

// A public source a profile cites: a stable id used by replies, the reference, what it shows.
struct Source {
  std::string id;
  std::string ref;   // e.g. "nmap/nmap nmap-service-probes line 10283"
  std::string fact;  // the documented behaviour, in a sentence
};

// Where a reply, certificate or banner came from.
struct Provenance {
  std::vector<std::string> sources;  // ids from Profile::sources
  bool synthetic = false;            // invented for shape (serials, bodies, header order)
  bool unverified = false;           // based on a single weak / [U] source
  std::string note;
};

// One HTTP or RTSP reply. Header names keep their case and order. Values and the body are
// templates (see RenderTemplate).
struct Reply {
  std::string version = "HTTP/1.1";  // "HTTP/1.0", "HTTP/1.1" or "RTSP/1.0"
  int status = 200;
  std::string reason = "OK";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool bom = false;  // prefix the body with a UTF-8 byte order mark (EF BB BF)
  Provenance provenance;
};

// A reply chosen by request target. `target` either contains '?' (matched against the whole
// request target) or not (matched against the path part).
struct Route {
  std::string target;
  Reply reply;
};

enum class KeyType { kEcP256, kRsa2048 };

// A TLS server certificate. Names are OpenSSL one-line form in encoding order,
// e.g. "/C=CN/ST=ZheJiang/L=HangZhou/O=HIKVISION/OU=DVRNVR/CN=www.hikvision.com".
struct CertSpec {
  std::string subject;
  std::string issuer;       // equals subject for a self-signed certificate
  std::string not_before;   // YYYY-MM-DD (UTC midnight)
  std::string not_after;    // YYYY-MM-DD
  KeyType key = KeyType::kEcP256;
  bool self_signed() const { return issuer == subject; }
  Provenance provenance;
};

enum class PortKind {
  kHttp,    // HTTP (HTTPS when `tls` is set): one request, one reply, close
  kRtsp,    // RTSP: answers every request on the connection, echoing CSeq, until close
  kBanner,  // sends `banner` on accept (nothing when empty), then waits until the client closes
  kRefuse,  // documented as closed: nothing is bound, the kernel answers RST
  kUdp,     // a UDP discovery responder: answers requests of `udp_protocol` with `udp_reply`
};

const char* PortKindName(PortKind kind);

inline constexpr long long kMaxUdpRepeat = 100000;

struct PortSpec {
  uint16_t port = 0;
  PortKind kind = PortKind::kRefuse;
  std::optional<CertSpec> tls;       // wrap the port in TLS with this certificate
  std::vector<Route> routes;         // kHttp
  std::optional<Reply> fallback;     // kHttp: unrouted targets; kRtsp: unknown methods
  std::map<std::string, Reply> methods;  // kRtsp: by request method (OPTIONS, DESCRIBE, GET ...)
  std::string banner;                // kBanner: raw bytes (from `hex` in the file)
  // kUdp: which requests are answered: "sadp" (XML inquiry), "dhip" (DHIP-framed
  // DHDiscover.search; the reply template is the JSON body, framed by the lab; bare JSON gets
  // no reply, as on real devices) or "onvif" (WS-Discovery Probe). Replies come from the
  // device's own address, also to the protocol's multicast group.
  std::string udp_protocol;
  // kUdp: reply template (see RenderTemplate). For "mdns" it lists DNS records, one a line:
  //   PTR;<owner>;<target>   SRV;<owner>;<port>;<target>   TXT;<owner>;<k=v>[|<k=v>...]   A;<owner>;<ipv4>
  // and the lab encodes them as an mDNS response (RFC 1035 section 4.1, no compression) that
  // echoes the query ID; queries (QR 0) that ask about ".local" names are answered.
  std::string udp_reply;
  // kUdp: copies of the reply sent per request (`repeat:`, default 1). Above 1 the responder
  // is a hostile flooder, for tests that discovery stays bounded.
  uint32_t udp_repeat = 1;
  Provenance provenance;             // kBanner / kRefuse
};

// What the device really is: the answer a scan of it is scored against.
struct GroundTruth {
  std::string manufacturer;   // canonical vendor id of the maker; empty = unidentifiable maker
  std::string brand;          // canonical vendor id of the label; empty when none
  std::string device_type;    // camera, nvr, dvr, router, printer, server
  std::string model;
  std::string firmware;
  std::string serial;         // template with a per-device counter {n:WIDTH}
  std::vector<std::string> ouis;  // MAC prefixes (6 hex digits) the device's MAC is drawn from
  bool expect_identified = false;  // a credential-free scan can name the maker from documented behaviour
  Provenance provenance;
};

// One device model / firmware generation. Immutable after load; safe to share across threads.
struct Profile {
  std::string id;
  std::string description;
  std::string file;  // where it was loaded from (for messages)
  double weight = 1.0;
  GroundTruth truth;
  std::vector<Source> sources;
  std::vector<PortSpec> ports;

  // TCP ports that accept connections (every kind but kRefuse and kUdp), ascending.
  std::vector<uint16_t> OpenPorts() const;
  // UDP discovery ports (kUdp), ascending.
  std::vector<uint16_t> UdpPorts() const;
};

// Values substituted into reply templates for one device and one request.
struct TemplateVars {
  std::string serial, serial_tail5, mac, mac_hex, mac_dash, model, firmware, ip, hex_token;
  std::string cseq;  // RTSP CSeq of the request (empty for HTTP)
};

// Names a template may use: serial serial_tail5 mac mac_hex mac_dash model firmware ip
// hex_token nonce date date_hik unix_time cseq content_length. "{{" is a literal '{'.
// Returns ok iff every {name} in `text` is known (content_length only when allow_length).
Status CheckTemplate(std::string_view text, bool allow_content_length);

// Expands `text`. {nonce} is 32 fresh random hex digits, {date} is the current time as
// RFC 1123 ("Thu, 14 May 2020 16:45:35 GMT"), {date_hik} the Hikvision RTSP layout
// ("Thu, May 14 2020 16:45:35 GMT"), {content_length} is `content_length`.
// Unknown names are copied through unchanged (CheckTemplate rejects them at load time).
std::string RenderTemplate(std::string_view text, const TemplateVars& vars,
                           size_t content_length = 0);

// Renders the whole reply (status line, headers in order, blank line, body) for one device.
std::string RenderReply(const Reply& reply, const TemplateVars& vars);

// Expands the serial template: {n:WIDTH} becomes `counter` zero-padded to WIDTH digits
// (reduced modulo 10^WIDTH). Returns an error when the template has no or a bad counter.
Result<std::string> RenderSerial(std::string_view serial_template, uint64_t counter);

// Parses one profile from YAML text. `file` names it in messages ("file:line: problem").
// Fails with kInvalidArgument on syntax errors, unknown keys, unknown vendor ids, missing
// ground truth, replies without a source (unless synthetic), unknown template names.
Result<Profile> ParseProfile(std::string_view yaml_text, const std::string& file);

// Loads every *.yaml file in `dir` (sorted by file name). Fails with kNotFound when the
// directory is missing or holds no profile, kInvalidArgument on the first bad profile or a
// duplicate id.
Result<std::vector<Profile>> LoadProfiles(const std::string& dir);

}  // namespace phaseout::lab
