// The complete examples of docs/writing-tests.md's reference sections (the blocks marked
// `<!-- snippet -->`), compiled and run as the page has them: the build extracts them from the
// page (tests/docs/walkthrough.py --snippets), so they cannot drift from it. The page's quick
// start is run by docs.writing_tests_walkthrough, its worked example is tests/examples.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>

#include <simsock/testing.hpp>

namespace {

namespace net = simsock::net;

#include "writing_tests_snippets.inc"

}  // namespace
