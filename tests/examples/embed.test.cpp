#include <doctest/doctest.h>

#include <sstream>

#include "tests/support/temp_dir.hpp"

using namespace argus;

namespace {

/// Checks that every line of the first ```cpp block after `heading` in the
/// README is in the source file `source`. @returns the lines checked.
int check_snippet(const std::string& heading, const std::string& source) {
  auto readme = test::read_file(std::string{ARGUS_SOURCE_DIR} + "/README.md");
  auto example = test::read_file(std::string{ARGUS_SOURCE_DIR} + "/" + source);
  auto at = readme.find(heading);
  REQUIRE(at != std::string::npos);
  auto start = readme.find("```cpp\n", at);
  REQUIRE(start != std::string::npos);
  start += 7;
  auto end = readme.find("```", start);
  REQUIRE(end != std::string::npos);
  std::istringstream block{readme.substr(start, end - start)};
  std::string line;
  int lines = 0;
  while (std::getline(block, line)) {
    if (line.empty())
      continue;
    ++lines;
    CHECK_MESSAGE(example.find(line) != std::string::npos,
                  "README line not in " << source << ": " << line);
  }
  return lines;
}

} // namespace

TEST_CASE("the README's embedding snippet is taken from the compiled example") {
  CHECK(check_snippet("## Embedding the engine", "examples/embed.cpp") >= 10);
}

TEST_CASE("the README's registration snippet is taken from the test that "
          "proves it") {
  CHECK(check_snippet("## Components and their registry",
                      "tests/actors/registry.test.cpp")
        >= 10);
}
