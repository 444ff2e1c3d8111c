// `phaseout scan --push`: the pieces of the agent front end that the scan command uses
// (checks before the scan, spooling and delivery after it). Defined in agent_command.cc.
#pragma once

#include <string>
#include <vector>

namespace phaseout::cli {

// What `scan --push URL [--push-key FILE] [--push-spool DIR] --site SITE` asks for.
struct PushRequest {
  std::string url;
  std::string key_file;   // "" : the default agent key file
  std::string spool_dir;  // "" : `spool` beside the key file
  std::string site;
  std::vector<std::string> scope;  // the scan's targets
};

// Checks before any scanning (URL, key file, pinned certificate, site bound to the key) and
// fills in the defaults. Prints the problem and returns an exit code (kExitOk when fine).
int PreparePush(PushRequest* request);

// Spools the scan output `ndjson_path` and delivers the spool (older entries first). Returns
// kExitOk when everything was delivered, else prints what happened and where the results
// wait, and returns kExitRuntime.
int PushScanOutput(const PushRequest& request, const std::string& ndjson_path);

}  // namespace phaseout::cli
