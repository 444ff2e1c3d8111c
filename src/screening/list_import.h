// Importers for external screening lists (trade.gov Consolidated Screening List CSV,
// OpenSanctions simplified CSV, FollowTheMoney JSON lines) and the on-disk store of imported
// lists under the user data directory. Nothing here touches the network.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "screening/list_entity.h"

namespace phaseout::screening {

enum class ListFormat { kCsl, kOpenSanctionsCsv, kFtm };

// "csl", "opensanctions-csv", "ftm".
const char* ListFormatName(ListFormat format);
// Parses a --format value; fails with kInvalidArgument listing the accepted values.
Result<ListFormat> ParseListFormat(std::string_view text);
// Detects the format from the content: a CSV header starting with "_id,source" is CSL, one
// with "id,schema,name" is OpenSanctions simplified CSV, a '{' is FtM JSON lines.
// Fails with kParse when none fits.
Result<ListFormat> DetectListFormat(std::string_view data);

// Result of parsing a list file. Value type.
struct ImportedList {
  ListFormat format = ListFormat::kCsl;
  std::vector<ListEntity> entities;
  std::vector<std::string> errors;  // "line N: message" for rows that could not be read
  uint64_t skipped = 0;             // rows that are not name-bearing entities (vessels, FtM relations)
  uint64_t merged = 0;              // repeated rows of one id and name, merged into one entity
};

// Parses `data` in `format`. Every entity gets `list` and `policy`. Fails (kParse) when the
// header lacks required columns or the input is empty; bad rows go to `errors` (the caller
// refuses the import if there are any, so a stored list is never replaced by a damaged one).
Result<ImportedList> ParseList(std::string_view data, ListFormat format, const std::string& list,
                               const std::string& policy);

// Where imported lists live: $PHASEOUT_HOME/lists if set, else $XDG_DATA_HOME/phaseout/lists,
// else $HOME/.local/share/phaseout/lists. Fails with kNotFound when none is set.
Result<std::string> ListsRoot();

// Metadata of a stored list.
struct StoredListInfo {
  std::string policy;
  std::string name;
  std::string format;
  std::string source_file;
  std::string imported_at;  // UTC, ISO 8601
  uint64_t entities = 0;
  std::string path;
};

// Writes a list as <root>/<policy>/<name>.jsonl: a header line with the metadata, then one
// entity per line. Writes to a temporary file in the same directory, fsyncs, then renames,
// so an existing list is replaced atomically or not at all. Fails with kLimit when a list of
// that name already exists and the new one has fewer than half its entities (a truncated
// download), unless `force`; with kIo on file-system errors.
Status SaveList(const std::string& root, const StoredListInfo& info, const std::vector<ListEntity>& entities,
                bool force);

// Lists every stored list (sorted by policy, then name). A missing root gives an empty list.
Result<std::vector<StoredListInfo>> ListStoredLists(const std::string& root);

// Loads the entities of every stored list tied to one of `policies`. Fails with kParse
// naming the file and line when a stored file is damaged.
Result<std::vector<ListEntity>> LoadStoredLists(const std::string& root, const std::vector<std::string>& policies);

// Turns a file name into a list name: the stem, lower-cased, characters outside [a-z0-9._-]
// replaced by '-'.
std::string ListNameFromPath(std::string_view path);

}  // namespace phaseout::screening
