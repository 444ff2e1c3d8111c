// corpus_eval: replays the real-device corpus (tests/corpus/) through the real probe parsers
// and classifier and prints the accuracy figures of docs/accuracy.md, or runs the split check.
//
//   corpus_eval [--split test|dev|all] [--devices] [--fail-on-false-prohibited]
//   corpus_eval --check-split
//   common: [--corpus DIR] [--data-dir DIR]
//
// Exit codes: 0 ok, 1 runtime error, 2 usage error or unloadable corpus/data, 3 a false
// prohibited (with --fail-on-false-prohibited) or a split leak (with --check-split).
#include <cstdio>
#include <string>
#include <vector>

#include "core/data_dir.h"
#include "engine/knowledge.h"
#include "tools/corpus/corpus.h"
#include "tools/corpus/evaluate.h"
#include "tools/corpus/split_check.h"

namespace {

int Usage(const std::string& why) {
  std::fprintf(stderr,
               "corpus_eval: %s\nusage: corpus_eval [--split test|dev|all] [--devices] "
               "[--fail-on-false-prohibited] [--check-split] [--corpus DIR] [--data-dir DIR]\n",
               why.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace phaseout;
  std::string corpus_dir = PHASEOUT_CORPUS_DIR;
  std::string data_dir;
  std::string split = "test";
  bool devices_list = false, fail_on_fp = false, check_split = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    if (a == "--split") {
      const char* v = next();
      if (v == nullptr) return Usage("--split needs a value");
      split = v;
      if (split != "test" && split != "dev" && split != "all") return Usage("--split must be test, dev or all");
    } else if (a == "--corpus") {
      const char* v = next();
      if (v == nullptr) return Usage("--corpus needs a directory");
      corpus_dir = v;
    } else if (a == "--data-dir") {
      const char* v = next();
      if (v == nullptr) return Usage("--data-dir needs a directory");
      data_dir = v;
    } else if (a == "--devices") {
      devices_list = true;
    } else if (a == "--fail-on-false-prohibited") {
      fail_on_fp = true;
    } else if (a == "--check-split") {
      check_split = true;
    } else if (a == "--help" || a == "-h") {
      Usage("help");
      return 0;
    } else {
      return Usage("unknown argument '" + a + "'");
    }
  }

  auto corpus = corpus::LoadCorpus(corpus_dir);
  if (!corpus) return Usage(corpus.error().message);

  if (check_split) {
    // Needs only the files, not loadable rules: the check also runs on data being edited.
    auto dir = FindDataDir(data_dir);
    if (!dir) return Usage(dir.error().message);
    auto quotes = corpus::CollectQuotes(*dir);
    if (!quotes) return Usage(quotes.error().message);
    std::vector<corpus::Leak> leaks = corpus::FindLeaks(*corpus, *quotes);
    for (const corpus::Leak& l : leaks) {
      std::printf("LEAK %s/%s: test value \"%s\" ~ \"%s\" (%s)\n", l.device.c_str(), l.file.c_str(), l.value.c_str(),
                  l.quote.text.c_str(), l.quote.where.c_str());
    }
    std::printf("split check: %zu quotes checked against the test split, %zu leaks\n", quotes->size(), leaks.size());
    return leaks.empty() ? 0 : 3;
  }

  auto knowledge = engine::LoadKnowledge(data_dir);
  if (!knowledge) return Usage(knowledge.error().message);

  auto vocab = corpus::LoadKeyVocabulary(knowledge->data_dir + "/identifiers/fields.yaml");
  if (!vocab) return Usage(vocab.error().message);
  std::vector<const policy::Policy*> selected;
  std::vector<std::string> policy_ids;
  for (const policy::Policy& p : knowledge->policies->policies()) {
    selected.push_back(&p);
    policy_ids.push_back(p.id);
  }
  engine::Classifier classifier(knowledge->rules, *knowledge->policies, selected);
  std::vector<corpus::Outcome> outcomes = corpus::Evaluate(*corpus, split, *vocab, classifier);
  corpus::Summary summary = corpus::Summarize(outcomes, split, policy_ids);
  // The one rule-set version of the project (engine::Knowledge::ruleset_version), so figures
  // quoted in docs/accuracy.md name the knowledge that produced them.
  std::printf("Rule set `%s`, combiner `%s`.\n\n", knowledge->ruleset_version.c_str(), knowledge->combiner.c_str());
  std::printf("%s", corpus::RenderMarkdown(summary, outcomes).c_str());
  if (devices_list) {
    std::printf("\nPer device:\n\n| device | split | truth | identified | verdicts | rules |\n|---|---|---|---|---|---|\n");
    for (const corpus::Outcome& o : outcomes) {
      std::string verdicts, rules;
      for (const std::string& v : o.verdicts) verdicts += v + " ";
      for (const std::string& r : o.rules) rules += r + " ";
      std::printf("| %s | %s | %s | %s | %s | %s |\n", o.device->id.c_str(), o.device->split.c_str(),
                  o.device->truth.manufacturer.empty() ? "(not shown)" : o.device->truth.manufacturer.c_str(),
                  !o.replayable ? "(not replayable)" : o.predicted.empty() ? "unknown" : o.predicted.c_str(),
                  verdicts.c_str(), rules.c_str());
    }
  }
  return fail_on_fp && summary.false_prohibited > 0 ? 3 : 0;
}
