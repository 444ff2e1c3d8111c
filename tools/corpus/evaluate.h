// Evaluation of the classifier on the corpus: per-device outcomes and the figures of
// docs/accuracy.md (per-maker precision and recall, unknowns, false prohibited per policy).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "engine/classifier.h"
#include "tools/corpus/corpus.h"
#include "tools/corpus/replay.h"

namespace phaseout::corpus {

// What the classifier said about one device.
struct Outcome {
  const Device* device = nullptr;
  ReplayResult replay;
  bool replayable = false;           // at least one reply was replayed
  std::string predicted;             // identified manufacturer, "" = unknown
  std::vector<std::string> prohibited_by;  // policies whose verdict is prohibited
  std::vector<std::string> verdicts;       // "<policy>=<status>" in policy order
  std::vector<std::string> rules;          // rule ids in the evidence
  // A prohibited verdict that the ground truth does not support: the device's maker is not
  // covered (or not shown by its replies), or the identified maker is not the true one.
  bool false_prohibited = false;
};

// Per-maker counts over replayable devices.
struct MakerStats {
  int devices = 0;     // truth manufacturer == maker
  int correct = 0;     // ... and identified as maker
  int unknown = 0;     // ... and identified as nobody
  int wrong = 0;       // ... and identified as another maker
  int predicted = 0;   // identified as maker (any truth)
  bool covered = false;
};

struct Summary {
  std::string split;
  int devices = 0;
  int replayable = 0;
  int not_replayable = 0;
  int covered = 0;          // replayable devices of covered makers
  int not_covered = 0;      // replayable devices of other makers or no shown maker
  int correct = 0, unknown = 0, wrong = 0, unattributed_claims = 0;  // last: truth null, maker claimed
  int covered_prohibited = 0;  // covered devices with a prohibited verdict for the right maker
  int false_prohibited = 0;    // devices with any false prohibited verdict
  std::map<std::string, int> false_prohibited_by_policy;
  // policy -> verdict status name -> replayable devices, split by truth (covered or not).
  std::map<std::string, std::map<std::string, int>> verdicts_covered, verdicts_not_covered;
  std::map<std::string, MakerStats> makers;
};

// Replays and classifies every device of `split` ("dev", "test" or "all").
std::vector<Outcome> Evaluate(const std::vector<Device>& devices, const std::string& split,
                              const KeyVocabulary& vocabulary, const engine::Classifier& classifier);

Summary Summarize(const std::vector<Outcome>& outcomes, const std::string& split,
                  const std::vector<std::string>& policy_ids);

// Markdown: the summary table, per-maker table, per-policy false prohibited, every false
// prohibited and wrong device with its evidence rules, and the not-replayable list.
std::string RenderMarkdown(const Summary& summary, const std::vector<Outcome>& outcomes);

}  // namespace phaseout::corpus
