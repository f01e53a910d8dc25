#include "runtime/engine.hpp"
#include "storage/schema.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <random>
#include <regex>
#include <sstream>
#include <thread>
#include <tuple>

#include "tests/support/engine_fixture.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"
#include <nlohmann/json.hpp>

using namespace argus;

namespace {

/// Runs the embedding example, which writes a regime and an ensemble row
/// into `db`.
test::run_result run_embed_example(const std::string& db) {
  return test::run(
    {EMBED_EXAMPLE_PATH,
     std::string{ARGUS_SOURCE_DIR} + "/config/examples/minimal.yaml", db});
}

} // namespace

TEST_CASE("argusctl status explains a missing database") {
  auto r = test::run({ARGUSCTL_PATH, "status", "--db", "/nonexistent/x.db"});
  CHECK(r.code == 1);
  CHECK(r.err.find("does not exist") != std::string::npos);
}

TEST_CASE("argusctl status shows a fresh database's schema and tables") {
  test::temp_dir dir;
  // The embedding example writes two rows into a new database.
  auto db = dir.file("embed.db");
  auto ex = run_embed_example(db);
  REQUIRE(ex.code == 0);
  // Two events, plus the dashboard's rollups if a minute closed meanwhile.
  auto at = ex.out.find("committed rows: ");
  REQUIRE(at != std::string::npos);
  CHECK(std::stoll(ex.out.substr(at + 16)) >= 2);
  auto r = test::run({ARGUSCTL_PATH, "status", "--db", db});
  CHECK(r.code == 0);
  auto latest = std::to_string(storage::latest_schema_version());
  CHECK(r.out.find("SCHEMA VERSION  " + latest + " (latest " + latest + ")")
        != std::string::npos);
  // One row each, whatever the columns' widths.
  CHECK(std::regex_search(r.out, std::regex{"\nregime_tracking +1\n"}));
  CHECK(std::regex_search(r.out, std::regex{"\nensemble_tracking +1\n"}));
}

TEST_CASE("argusctl check-config -o json lists diagnostics with lines") {
  test::temp_dir dir;
  auto bad = dir.write("bad.yaml", "monitoring:\n  ml_monitor:\n"
                                   "    drift_detection_methods: [magic]\n");
  auto r = test::run({ARGUSCTL_PATH, "check-config", bad, "-o", "json"});
  CHECK(r.code == 2);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["ok"] == false);
  REQUIRE(j["diagnostics"].size() == 1);
  CHECK(j["diagnostics"][0]["path"]
        == "monitoring.ml_monitor.drift_detection_methods[0]");
  CHECK(j["diagnostics"][0]["line"] == 3);
}

TEST_CASE("argusctl check-config prints the effective config with the "
          "password masked") {
  test::temp_dir dir;
  auto good
    = dir.write("good.yaml", "monitoring:\n  report_scheduler:\n    email:\n"
                             "      password: ${ARGUS_TEST_SMTP_PW}\n");
  ::setenv("ARGUS_TEST_SMTP_PW", "Xy9-not-for-eyes", 1);
  auto r = test::run({ARGUSCTL_PATH, "check-config", good, "-o", "json"});
  ::unsetenv("ARGUS_TEST_SMTP_PW");
  CHECK(r.code == 0);
  CHECK(r.out.find("Xy9-not-for-eyes") == std::string::npos);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["config"]["report_scheduler"]["email"]["password"] == "***");
  CHECK(j["config"]["advanced_tracer"]["trace_sampling_rate"] == 1.0);
  auto table = test::run({ARGUSCTL_PATH, "check-config", good});
  CHECK(table.code == 2); // the variable is unset now
  CHECK(table.out.find("ARGUS_TEST_SMTP_PW") != std::string::npos);
}

TEST_CASE("argusctl rejects unknown commands and options") {
  CHECK(test::run({ARGUSCTL_PATH, "frobnicate"}).code == 2);
  CHECK(test::run({ARGUSCTL_PATH, "status", "--db", "x", "-o", "xml"}).code
        == 2);
}

TEST_CASE("argusctl on a database with nothing in it yet: every list says "
          "so and exits 0, in tables, json and yaml") {
  test::engine_fixture fx;
  {
    engine eng{fx.cfg, fx.options()};
    REQUIRE(!eng.start());
    REQUIRE(!eng.stop());
  }
  const auto& db = fx.cfg.storage.path;
  struct expect {
    std::vector<std::string> args;
    std::string says;
    /// Aggregates read the last hour by default and say so.
    bool windowed = false;
  };
  for (const auto& e : std::vector<expect>{
         {{"traces"}, "no traces yet", true},
         {{"traces", "--errors"}, "no errors yet", true},
         {{"traces", "--latency"}, "no spans yet", true},
         {{"models"}, "no models yet"},
         {{"drift"}, "no drift alerts yet"},
         {{"drift", "--severity", "high"},
          "no drift alerts at or above high yet"},
         {{"trading"}, "no fills yet"},
         {{"tracking", "regimes"}, "no regimes yet", true},
         {{"tracking", "ensembles"}, "no ensemble decisions yet", true},
         {{"tracking", "features", "--model", "m"},
          "no feature scores of 'm' yet",
          true}}) {
    std::vector<std::string> args{ARGUSCTL_PATH};
    args.insert(args.end(), e.args.begin(), e.args.end());
    args.push_back("--db");
    args.push_back(db);
    CAPTURE(e.says);
    auto table = test::run(args);
    CHECK(table.code == 0);
    CHECK(table.out == e.says + "\n");
    if (e.windowed)
      CHECK(table.err
            == "note: only the last 1h was read (--since all: everything "
               "stored)\n");
    else
      CHECK(table.err.empty());
    args.push_back("-o");
    args.push_back("json");
    auto j = test::run(args);
    CHECK(j.code == 0);
    auto doc = nlohmann::json::parse(j.out);
    CHECK(doc.empty());
    args.back() = "yaml";
    auto y = test::run(args);
    CHECK(y.code == 0);
    CHECK((y.out == "[]\n" || y.out == "{}\n"));
  }
}

TEST_CASE("argusctl -o yaml says what -o json says, --no-headers drops the "
          "header line, and tables show bytes in binary units") {
  test::engine_fixture fx;
  fx.cfg.metrics_dashboard.aggregation_windows
    = {{"1s", std::chrono::seconds{1}}};
  {
    engine eng{fx.cfg, fx.options()};
    REQUIRE(!eng.start());
    eng.client().record("buffer_bytes", 3.5 * 1024 * 1024);
    eng.client().record("version", 1.0, {{"build", "007"}, {"flag", "yes"}});
    std::this_thread::sleep_for(std::chrono::milliseconds{2200});
    REQUIRE(eng.flush());
    REQUIRE(!eng.stop());
  }
  const auto& db = fx.cfg.storage.path;
  auto j = test::run({ARGUSCTL_PATH, "metrics", "list", "--window", "1s",
                      "--db", db, "-o", "json"});
  auto y = test::run({ARGUSCTL_PATH, "metrics", "list", "--window", "1s",
                      "--db", db, "-o", "yaml"});
  REQUIRE_MESSAGE(j.code == 0, j.err);
  REQUIRE_MESSAGE(y.code == 0, y.err);
  // PyYAML reads the YAML back into the very document the JSON is.
  test::temp_dir dir;
  auto yaml_file = dir.write("out.yaml", y.out);
  auto json_file = dir.write("out.json", j.out);
  auto same = test::run({"/usr/bin/python3", "-c",
                         "import json, sys, yaml\n"
                         "a = yaml.safe_load(open(sys.argv[1]))\n"
                         "b = json.load(open(sys.argv[2]))\n"
                         "sys.exit(0 if a == b and len(b) > 0 else 1)\n",
                         yaml_file, json_file});
  CHECK_MESSAGE(same.code == 0, y.out << same.err);
  // Strings YAML would read as numbers or booleans stay strings.
  CHECK(y.out.find("build: \"007\"") != std::string::npos);
  CHECK(y.out.find("flag: \"yes\"") != std::string::npos);
  auto table = test::run(
    {ARGUSCTL_PATH, "metrics", "list", "--window", "1s", "--db", db});
  REQUIRE(table.code == 0);
  CHECK(table.out.rfind("NAME", 0) == 0);
  CHECK(table.out.find("3.5 MiB") != std::string::npos);
  auto bare = test::run({ARGUSCTL_PATH, "metrics", "list", "--window", "1s",
                         "--db", db, "--no-headers"});
  REQUIRE(bare.code == 0);
  CHECK(bare.out.find("NAME") == std::string::npos);
  CHECK(bare.out.find("buffer_bytes") != std::string::npos);
}

TEST_CASE("argusctl says which command or flag it did not understand, with "
          "the nearest one") {
  auto typo = test::run({ARGUSCTL_PATH, "statsu"});
  CHECK(typo.code == 2);
  CHECK(typo.err.find("unknown command 'statsu'; did you mean 'status'?")
        != std::string::npos);
  auto far = test::run({ARGUSCTL_PATH, "frobnicate"});
  CHECK(far.err.find("unknown command 'frobnicate'") != std::string::npos);
  CHECK(far.err.find("did you mean") == std::string::npos);
  auto flag = test::run({ARGUSCTL_PATH, "status", "--dbb", "x.db"});
  CHECK(flag.code == 2);
  CHECK(flag.err.find("unknown flag '--dbb'; did you mean '--db'?")
        != std::string::npos);
}

TEST_CASE("argusctl takes --db from ARGUS_DB, and both tools say their "
          "version") {
  test::temp_dir dir;
  auto db = dir.file("env.db");
  REQUIRE(run_embed_example(db).code == 0);
  ::setenv("ARGUS_DB", db.c_str(), 1);
  auto r = test::run({ARGUSCTL_PATH, "status", "-o", "json"});
  ::unsetenv("ARGUS_DB");
  CHECK(r.code == 0);
  CHECK(nlohmann::json::parse(r.out)["rows"]["regime_tracking"] == 1);
  // Without it, --db is required and the error says so.
  auto missing = test::run({ARGUSCTL_PATH, "status"});
  CHECK(missing.code == 2);
  CHECK(missing.err.find("--db") != std::string::npos);
  for (auto tool : {ARGUSCTL_PATH, ARGUSD_PATH}) {
    auto v = test::run({tool, "--version"});
    CHECK(v.code == 0);
    CHECK(v.out.find(ARGUS_VERSION) != std::string::npos);
  }
}

namespace {

/// Writes `xs`, one a line.
template <class T>
std::string write_lines(const test::temp_dir& dir, const std::string& name,
                        const std::vector<T>& xs) {
  std::ostringstream os;
  os.precision(17);
  for (const auto& x : xs)
    os << x << "\n";
  return dir.write(name, os.str());
}

} // namespace

TEST_CASE("argusctl drift-test agrees with SciPy on fresh random samples "
          "nobody tuned for") {
  // A new seed each run: the cases are not the committed ones. A failing
  // seed can be replayed with ARGUS_TEST_SEED.
  auto seed = static_cast<uint64_t>(
    std::chrono::steady_clock::now().time_since_epoch().count());
  if (const char* fixed = std::getenv("ARGUS_TEST_SEED"))
    seed = std::stoull(fixed);
  CAPTURE(seed);
  std::mt19937_64 rng{seed};
  std::uniform_int_distribution<int> size{6, 400};
  std::normal_distribution<double> normal{0, 1};
  std::uniform_real_distribution<double> shift{-0.8, 0.8};
  test::temp_dir dir;
  for (int round = 0; round < 4; ++round) {
    // The last round is big enough for KS's asymptotic method.
    std::vector<double> a(round == 3 ? 10001 + rng() % 2000
                                     : static_cast<size_t>(size(rng)));
    std::vector<double> b(static_cast<size_t>(size(rng)));
    double s = shift(rng);
    for (auto& x : a)
      x = std::round(normal(rng) * 100) / 100; // ties, as real data has
    for (auto& x : b)
      x = std::round((normal(rng) * 1.2 + s) * 100) / 100;
    auto ref = write_lines(dir, "ref.txt", a);
    auto cur = write_lines(dir, "cur.txt", b);
    for (std::string method :
         {"ks", "psi", "wasserstein", "js", "hellinger", "ad", "cvm"}) {
      CAPTURE(method);
      auto ours
        = test::run({ARGUSCTL_PATH, "drift-test", "--method", method,
                     "--reference", ref, "--current", cur, "-o", "json"});
      REQUIRE_MESSAGE((ours.code == 0 || ours.code == 3), ours.err);
      auto scipy = test::run({"/usr/bin/python3",
                              ARGUS_SOURCE_DIR "/tests/oracles/drift_cases.py",
                              "one", method, ref, cur});
      REQUIRE_MESSAGE(scipy.code == 0, scipy.err);
      auto o = nlohmann::json::parse(ours.out);
      auto t = nlohmann::json::parse(scipy.out);
      // The exit status tells drift from no drift.
      CHECK(ours.code == (o["drift"].get<bool>() ? 3 : 0));
      auto st = t["statistic"].get<double>();
      CHECK(std::abs(o["statistic"].get<double>() - st)
            <= std::max(1e-9 * std::abs(st), 1e-12));
      if (!t["pvalue"].is_null()) {
        auto diff
          = std::abs(o["pvalue"].get<double>() - t["pvalue"].get<double>());
        CHECK((diff <= 1e-6 || diff <= 1e-3 * t["pvalue"].get<double>()));
      } else {
        CHECK(o["pvalue"].is_null());
      }
    }
  }
  // Categories, with one the reference never saw.
  std::vector<std::string> ra, cb;
  const char* cats[] = {"buy", "sell", "hold"};
  for (int i = 0; i < 120; ++i)
    ra.push_back(cats[rng() % 3]);
  for (int i = 0; i < 90; ++i)
    cb.push_back(i % 9 == 0 ? "short" : cats[rng() % 2]);
  auto ref = write_lines(dir, "ref_cat.txt", ra);
  auto cur = write_lines(dir, "cur_cat.txt", cb);
  for (std::string method : {"chi2", "psi", "js"}) {
    CAPTURE(method);
    auto ours = test::run({ARGUSCTL_PATH, "drift-test", "--method", method,
                           "--categorical", "--reference", ref, "--current",
                           cur, "-o", "json"});
    REQUIRE_MESSAGE((ours.code == 0 || ours.code == 3), ours.err);
    auto scipy = test::run({"/usr/bin/python3",
                            ARGUS_SOURCE_DIR "/tests/oracles/drift_cases.py",
                            "one", method, ref, cur, "--categorical"});
    REQUIRE_MESSAGE(scipy.code == 0, scipy.err);
    auto o = nlohmann::json::parse(ours.out);
    auto t = nlohmann::json::parse(scipy.out);
    CHECK(o["statistic"].get<double>()
          == doctest::Approx(t["statistic"].get<double>()).epsilon(1e-9));
    CHECK(o["new_categories"] == nlohmann::json::array({"short"}));
  }
}

TEST_CASE("argusctl drift-test and detect: verdicts, severities and clear "
          "errors") {
  test::temp_dir dir;
  std::vector<double> a, b;
  std::mt19937_64 rng{5};
  std::normal_distribution<double> normal{0, 1};
  for (int i = 0; i < 2000; ++i) {
    a.push_back(normal(rng));
    b.push_back(normal(rng) + 1.5);
  }
  auto ref = write_lines(dir, "a.txt", a);
  auto cur = write_lines(dir, "b.txt", b);
  auto r = test::run({ARGUSCTL_PATH, "drift-test", "--method", "psi",
                      "--reference", ref, "--current", cur, "-o", "json"});
  // Drift: exit 3, in both output formats.
  REQUIRE(r.code == 3);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["drift"] == true);
  CHECK(j["severity"] == "critical");
  CHECK(test::run({ARGUSCTL_PATH, "drift-test", "--method", "psi",
                   "--reference", ref, "--current", cur})
          .code
        == 3);
  auto same = test::run({ARGUSCTL_PATH, "drift-test", "--method", "ks",
                         "--reference", ref, "--current", ref, "-o", "json"});
  CHECK(same.code == 0);
  CHECK(nlohmann::json::parse(same.out)["drift"] == false);
  // Numbers are decimal numbers in range: no hexadecimal, no nan, and the
  // significance level inside (0, 1); subnormal values are fine.
  for (auto [flag, value, says] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
         {"--alpha", "0x1p-4", "'0x1p-4' is not a decimal number"},
         {"--alpha", "nan", "'nan' is not a decimal number"},
         {"--alpha", "1.5", "must be within (0, 1), got 1.5"},
         {"--alpha", "0", "must be within (0, 1), got 0"},
         {"--threshold", "-1", "must be at least 0, got -1"},
         {"--critical", "inf", "'inf' is not a decimal number"}}) {
    CAPTURE(flag);
    CAPTURE(value);
    auto v = test::run({ARGUSCTL_PATH, "drift-test", "--method", "ks",
                        "--reference", ref, "--current", cur, flag, value});
    CHECK(v.code == 2);
    CHECK_MESSAGE(v.err.find(says) != std::string::npos, v.err);
  }
  CHECK(test::run({ARGUSCTL_PATH, "drift-test", "--method", "ks", "--reference",
                   ref, "--current", cur, "--alpha", "4.9e-324"})
          .code
        != 2);
  auto hex = dir.write("hex.txt", "1.5\n0x10\n");
  auto h = test::run({ARGUSCTL_PATH, "drift-test", "--method", "ks",
                      "--reference", hex, "--current", cur});
  CHECK(h.code == 2);
  CHECK(h.err.find("hex.txt:2: not a number: '0x10'") != std::string::npos);
  auto tiny = dir.write("tiny.txt", "1e-310\n 2.5e-320\n-0\n+3\n");
  CHECK(test::run({ARGUSCTL_PATH, "drift-test", "--method", "ks", "--reference",
                   tiny, "--current", cur})
          .code
        != 2);
  // Bad input: a line that is not a number, an unknown method.
  auto bad = dir.write("bad.txt", "1.5\n2.5\nabc\n");
  auto e = test::run({ARGUSCTL_PATH, "drift-test", "--method", "ks",
                      "--reference", bad, "--current", cur});
  CHECK(e.code == 2);
  CHECK(e.err.find("bad.txt:3: not a number") != std::string::npos);
  auto m = test::run({ARGUSCTL_PATH, "drift-test", "--method", "magic",
                      "--reference", ref, "--current", cur});
  CHECK(m.code == 2);
  CHECK(m.err.find("unknown method 'magic'") != std::string::npos);
  // detect: an error stream whose rate jumps at 1500.
  std::vector<int> errors;
  for (int i = 0; i < 2500; ++i)
    errors.push_back(std::bernoulli_distribution{i < 1500 ? 0.1 : 0.45}(rng));
  auto stream = write_lines(dir, "errors.txt", errors);
  // DDM's 30-value warm-up is too short for a 10 % base rate to settle (its
  // minimum of p + s is then noise): it gets a longer one here.
  for (std::string det : {"adwin", "ddm", "page-hinkley"}) {
    CAPTURE(det);
    std::vector<std::string> args{ARGUSCTL_PATH, "detect",   "--detector",
                                  det,           "--stream", stream,
                                  "-o",          "json"};
    if (det == "page-hinkley") {
      args.push_back("--param");
      args.push_back("lambda=20");
    }
    if (det == "ddm") {
      args.push_back("--param");
      args.push_back("warm_start=300");
    }
    auto d = test::run(args);
    REQUIRE_MESSAGE(d.code == 0, d.err);
    auto dj = nlohmann::json::parse(d.out);
    REQUIRE(!dj["drifts"].empty());
    auto first = dj["drifts"][0].get<int>();
    CHECK(first >= 1500);
    CHECK(first < 1800);
  }
  auto p = test::run({ARGUSCTL_PATH, "detect", "--detector", "adwin",
                      "--stream", stream, "--param", "lambda=3"});
  CHECK(p.code == 2);
  CHECK(p.err.find("adwin has no parameter 'lambda'") != std::string::npos);
  // Parameters in range, counts whole.
  for (auto [det, param, says] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
         {"adwin", "delta=0", "adwin parameter delta must be within (0, 1)"},
         {"adwin", "clock=2.5", "adwin parameter clock must be a whole number"},
         {"adwin", "clock=1e300", "adwin parameter clock must be a whole"},
         {"page-hinkley", "alpha=1.5", "alpha must be within (0, 1]"},
         {"page-hinkley", "lambda=0", "lambda must be a finite number above 0"},
         {"ddm", "drift=1", "drift must be a finite number above warning"},
         {"ddm", "warm_start=0", "warm_start must be at least 1"},
         {"ddm", "warning=0x2", "--param wants name=number, got 'warning=0x2'"},
       }) {
    CAPTURE(param);
    auto v = test::run({ARGUSCTL_PATH, "detect", "--detector", det, "--stream",
                        stream, "--param", param});
    CHECK(v.code == 2);
    CHECK_MESSAGE(v.err.find(says) != std::string::npos, v.err);
  }
}

TEST_CASE("argusctl tracking: regimes' transition matrix and durations, "
          "ensemble statistics and a decision path linked to its trace, "
          "from the spec's tables") {
  test::engine_fixture fx;
  engine eng{fx.cfg, fx.options()};
  REQUIRE(!eng.start());
  auto& c = eng.client();
  constexpr int64_t sec = 1'000'000'000;
  const int64_t t0 = 1'790'845'200 * sec;
  // bull 0-100 s, sideways 100-130, bull 130-190, bear 190-250 (last seen).
  for (auto [s, r] : std::vector<std::pair<int, const char*>>{{0, "BULL"},
                                                              {50, "BULL"},
                                                              {100, "SIDEWAYS"},
                                                              {130, "BULL"},
                                                              {190, "BEAR"},
                                                              {250, "BEAR"}}) {
    regime_recorded x;
    x.regime_type = r;
    x.time_ns = t0 + s * sec;
    c.record_regime_tracking(x);
  }
  for (int i = 0; i < 4; ++i) {
    ensemble_recorded e;
    e.ensemble_id = "ens";
    e.individual_predictions = {{"a", 0.7}, {"b", i % 2 ? 0.2 : 0.7}};
    e.ensemble_weights = {{"a", 0.6}, {"b", 0.4}};
    e.final_prediction = "buy";
    e.meta_learner_prediction = i == 3 ? "sell" : "";
    e.time_ns = t0 + i * sec;
    e.hdr.corr = *correlation_id::parse("ens-" + std::to_string(i));
    c.record_ensemble_tracking(e);
  }
  // The first buy made money, the second lost: the outcomes offline.
  for (auto [i, pnl] : std::vector<std::pair<int, double>>{{0, 5}, {1, -2}}) {
    trade_executed t;
    t.hdr.corr = *correlation_id::parse("ens-" + std::to_string(i));
    t.symbol = "BTCUSDT";
    t.side = trade_side::sell;
    t.quantity = 1;
    t.price = 100;
    t.realized_pnl = pnl;
    t.time_ns = t0 + i * sec + 1;
    c.record(t);
  }
  // Feature importances over time: vol and mom swap ranks.
  for (auto [i, imp] :
       std::vector<std::pair<int, std::map<std::string, double>>>{
         {0, {{"rsi", 0.5}, {"vol", 0.3}, {"mom", 0.2}}},
         {1, {{"rsi", 0.5}, {"vol", 0.1}, {"mom", 0.4}}}}) {
    model_behavior_recorded b;
    b.model_id = "lstm";
    b.feature_importance = imp;
    if (i == 1)
      b.drift_scores = {{"vol", 0.25}};
    b.time_ns = t0 + i * sec;
    c.record_model_behavior_tracking(b);
  }
  auto cid = c.new_correlation_id();
  { auto span = c.span(component_type::analyst, "feature_engineering", cid); }
  for (uint32_t step = 0; step < 3; ++step) {
    decision_step_recorded d;
    d.hdr.corr = cid;
    d.step = step;
    d.component
      = step == 0 ? component_type::analyst : component_type::strategist;
    d.name = "step" + std::to_string(step);
    d.start_ns = t0 + step;
    d.end_ns = t0 + step + 1000;
    c.record_decision_step(d);
  }
  REQUIRE(eng.flush());
  REQUIRE(!eng.stop());
  auto db = fx.cfg.storage.path;
  // The rows are from 2026-09: an aggregate reads the last hour unless told
  // otherwise, and says so when that finds nothing.
  auto recent = test::run({ARGUSCTL_PATH, "tracking", "regimes", "--db", db});
  CHECK(recent.code == 0);
  CHECK(recent.out == "no regimes yet\n");
  CHECK_MESSAGE(recent.err.find("only the last 1h was read (--since all")
                  != std::string::npos,
                recent.err);
  auto r = test::run({ARGUSCTL_PATH, "tracking", "regimes", "--db", db,
                      "--since", "all", "-o", "json"});
  REQUIRE_MESSAGE(r.code == 0, r.err);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["current"] == "BEAR");
  CHECK(j["current_duration_s"] == 60.0);
  CHECK(j["transition_matrix"]["BULL"]["SIDEWAYS"] == 0.5);
  CHECK(j["transition_matrix"]["BULL"]["BEAR"] == 0.5);
  CHECK(j["transition_matrix"]["SIDEWAYS"]["BULL"] == 1.0);
  CHECK(j["mean_duration_s"]["BULL"] == 80.0);
  CHECK(j["time_share"]["SIDEWAYS"] == doctest::Approx(30.0 / 250));
  CHECK(j["transitions"].size() == 3);
  auto table = test::run(
    {ARGUSCTL_PATH, "tracking", "regimes", "--db", db, "--since", "all"});
  CHECK(table.out.find("TRANSITION MATRIX") != std::string::npos);
  auto e = test::run({ARGUSCTL_PATH, "tracking", "ensembles", "--db", db,
                      "--id", "ens", "--since", "all", "-o", "json"});
  REQUIRE_MESSAGE(e.code == 0, e.err);
  auto ej = nlohmann::json::parse(e.out)["ens"];
  CHECK(ej["decisions"] == 4);
  CHECK(ej["agreement_with_final"]["a"] == 1.0);
  CHECK(ej["agreement_with_final"]["b"] == 0.5);
  CHECK(ej["override_rate"] == 0.25);
  CHECK(ej["with_outcome"] == 2);
  CHECK(ej["final_hit_rate"] == 0.5);
  CHECK(ej["agreement_with_outcome"]["a"] == 0.5);
  CHECK(ej["agreement_with_outcome"]["b"] == 1.0);
  auto et = test::run(
    {ARGUSCTL_PATH, "tracking", "ensembles", "--db", db, "--since", "all"});
  CHECK(et.out.find("final right 50.0%") != std::string::npos);
  auto f = test::run({ARGUSCTL_PATH, "tracking", "features", "--db", db,
                      "--since", "all", "--top", "2", "-o", "json"});
  REQUIRE_MESSAGE(f.code == 0, f.err);
  auto fj = nlohmann::json::parse(f.out)["models"]["lstm"];
  REQUIRE(fj.size() == 2);
  CHECK(fj[0]["feature"] == "rsi");
  CHECK(fj[1]["feature"] == "mom");
  CHECK(fj[1]["rank"] == 2);
  CHECK(fj[1]["rank_changes"] == 2); // first ranked 3, then 2
  // 0.2 then 0.4: mean 0.3, sd 0.1.
  CHECK(fj[1]["stability"].get<double>() == doctest::Approx(2.0 / 3.0));
  auto ft = test::run(
    {ARGUSCTL_PATH, "tracking", "features", "--db", db, "--since", "all"});
  REQUIRE_MESSAGE(ft.code == 0, ft.err);
  CHECK(ft.out.find("lstm/mom  3 -> 2") != std::string::npos);
  CHECK(ft.out.find("0.2500") != std::string::npos); // vol's drift
  auto bad_top = test::run(
    {ARGUSCTL_PATH, "tracking", "features", "--db", db, "--top", "0"});
  CHECK(bad_top.code == 2);
  auto no_model = test::run(
    {ARGUSCTL_PATH, "tracking", "features", "--db", db, "--model", "nope"});
  // Nothing for that model (yet) is an answer, not a failure.
  CHECK(no_model.code == 0);
  CHECK(no_model.out == "no feature scores of 'nope' yet\n");
  auto d = test::run({ARGUSCTL_PATH, "tracking", "decisions", cid.str(), "--db",
                      db, "-o", "json"});
  REQUIRE_MESSAGE(d.code == 0, d.err);
  auto dj = nlohmann::json::parse(d.out);
  CHECK(dj["steps"].size() == 3);
  CHECK(dj["steps"][1]["component"] == "strategist");
  CHECK(dj["trace"]["spans"] == 1);
  CHECK(dj["trace"]["correlation_id"] == cid.str());
  CHECK(dj["trace"]["api"] == "/api/tracing/correlation/" + cid.str());
  CHECK(dj["trace"]["argusctl"].get<std::string>().find("argusctl trace "
                                                        + cid.str())
        == 0);
  auto none = test::run(
    {ARGUSCTL_PATH, "tracking", "decisions", "no-such", "--db", db});
  CHECK(none.code == 1);
  CHECK(none.err.find("no decision path") != std::string::npos);
}
