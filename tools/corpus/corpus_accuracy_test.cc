// Accuracy on the real-device corpus: replays every `test` device through the real probe
// sessions and classifier and fails on any false prohibited. Other figures are printed, not
// asserted (docs/accuracy.md).
#include <gtest/gtest.h>

#include <cstdio>
#include <set>

#include "engine/knowledge.h"
#include "tools/corpus/corpus.h"
#include "tools/corpus/evaluate.h"

namespace phaseout::corpus {
namespace {

class CorpusAccuracy : public ::testing::Test {
 protected:
  void SetUp() override {
    auto d = LoadCorpus(PHASEOUT_CORPUS_DIR);
    ASSERT_TRUE(d) << d.error().message;
    devices_ = std::move(*d);
    auto k = engine::LoadKnowledge(PHASEOUT_SOURCE_DATA_DIR);
    ASSERT_TRUE(k) << k.error().message;
    knowledge_ = std::make_unique<engine::Knowledge>(std::move(*k));
    auto v = LoadKeyVocabulary(knowledge_->data_dir + "/identifiers/fields.yaml");
    ASSERT_TRUE(v) << v.error().message;
    vocab_ = std::move(*v);
    for (const policy::Policy& p : knowledge_->policies->policies()) {
      selected_.push_back(&p);
      policy_ids_.push_back(p.id);
    }
  }
  std::vector<Device> devices_;
  std::unique_ptr<engine::Knowledge> knowledge_;
  KeyVocabulary vocab_;
  std::vector<const policy::Policy*> selected_;
  std::vector<std::string> policy_ids_;
};

TEST_F(CorpusAccuracy, CorpusMeetsItsSizeFloor) {
  std::set<std::string> makers;
  int not_covered = 0;
  for (const Device& d : devices_) {
    if (!d.truth.manufacturer.empty()) makers.insert(d.truth.manufacturer);
    if (!d.truth.covered) ++not_covered;
  }
  EXPECT_GE(devices_.size(), 120u);
  EXPECT_GE(makers.size(), 40u);
  EXPECT_GE(2 * not_covered, static_cast<int>(devices_.size()));
}

TEST_F(CorpusAccuracy, NoFalseProhibitedOnTheTestSplit) {
  engine::Classifier classifier(knowledge_->rules, *knowledge_->policies, selected_);
  std::vector<Outcome> outcomes = Evaluate(devices_, "test", vocab_, classifier);
  Summary s = Summarize(outcomes, "test", policy_ids_);
  std::printf("%s", RenderMarkdown(s, outcomes).c_str());
  ASSERT_GT(s.replayable, 30) << "almost nothing could be replayed: is the harness still wired to the probes?";
  for (const Outcome& o : outcomes) {
    if (!o.false_prohibited) continue;
    std::string rules;
    for (const std::string& r : o.rules) rules += " " + r;
    ADD_FAILURE() << "false prohibited on test device " << o.device->id << " (truth "
                  << (o.device->truth.manufacturer.empty() ? "not shown" : o.device->truth.manufacturer)
                  << ", identified " << (o.predicted.empty() ? "unknown" : o.predicted) << "); rules:" << rules;
  }
}

}  // namespace
}  // namespace phaseout::corpus
