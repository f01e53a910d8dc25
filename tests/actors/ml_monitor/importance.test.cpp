#include "actors/ml_monitor/importance.hpp"

#include <doctest/doctest.h>

#include <cmath>

#include "tests/support/temp_dir.hpp"
#include <nlohmann/json.hpp>

using namespace argus;

TEST_CASE("feature importance: Spearman equals SciPy's spearmanr, top-k "
          "overlap, entering and leaving, drift") {
  auto cases = nlohmann::json::parse(
    test::read_file(ARGUS_SOURCE_DIR "/tests/oracles/drift_cases.json"));
  for (const auto& c : cases["spearman"]) {
    CAPTURE(c["name"].get<std::string>());
    auto a = c["a"].get<std::vector<double>>();
    auto b = c["b"].get<std::vector<double>>();
    importance_map x, y;
    for (size_t i = 0; i < a.size(); ++i) {
      x["f" + std::to_string(i)] = a[i];
      y["f" + std::to_string(i)] = b[i];
    }
    CHECK(compare_importance(x, y).spearman
          == doctest::Approx(c["rho"].get<double>()).epsilon(1e-12));
  }
  importance_map before{
    {"momentum", 0.4}, {"volume", 0.3}, {"rsi", 0.2}, {"spread", 0.1}};
  importance_map after{
    {"momentum", 0.1}, {"volume", 0.3}, {"rsi", 0.2}, {"sentiment", 0.4}};
  auto c = compare_importance(before, after, 2);
  CHECK(ranking(after).front() == "sentiment");
  CHECK(c.top_k_overlap == 0.5); // volume stays in the top 2
  CHECK(c.entered == std::vector<std::string>{"sentiment"});
  CHECK(c.left == std::vector<std::string>{"momentum"});
  // |.4-.1| + 0 + 0 + |.1-0| + |0-.4| = 0.8, halved.
  CHECK(c.drift == doctest::Approx(0.4));
  CHECK(compare_importance(before, before).drift == 0);
  CHECK(compare_importance(before, before).spearman == doctest::Approx(1.0));
}
