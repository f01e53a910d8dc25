#include <doctest/doctest.h>

#include <sstream>

#include "tests/support/temp_dir.hpp"

using namespace argus;

TEST_CASE("the README's embedding snippet is taken from the compiled example") {
  auto readme = test::read_file(std::string{ARGUS_SOURCE_DIR} + "/README.md");
  auto example
    = test::read_file(std::string{ARGUS_SOURCE_DIR} + "/examples/embed.cpp");
  auto start = readme.find("```cpp\n");
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
                  "README line not in examples/embed.cpp: " << line);
  }
  CHECK(lines >= 10);
}
