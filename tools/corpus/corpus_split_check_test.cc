// The split check on the shipped data: no rule, example, negative example or screening value
// quotes a distinctive value of a `test` corpus reply (tests/corpus/README.md).
#include <gtest/gtest.h>

#include "tools/corpus/corpus.h"
#include "tools/corpus/split_check.h"

namespace phaseout::corpus {
namespace {

TEST(CorpusSplitCheck, NoRuleQuotesTheTestSplit) {
  auto devices = LoadCorpus(PHASEOUT_CORPUS_DIR);
  ASSERT_TRUE(devices) << devices.error().message;
  auto quotes = CollectQuotes(PHASEOUT_SOURCE_DATA_DIR);
  ASSERT_TRUE(quotes) << quotes.error().message;
  ASSERT_GT(quotes->size(), 50u) << "the quote collector found almost nothing: is the rule format still read?";
  for (const Leak& l : FindLeaks(*devices, *quotes)) {
    ADD_FAILURE() << l.quote.where << " quotes test device " << l.device << "/" << l.file << ": \"" << l.quote.text
                  << "\" ~ \"" << l.value << "\". Rules may only be written from tests/corpus/dev.";
  }
}

}  // namespace
}  // namespace phaseout::corpus
