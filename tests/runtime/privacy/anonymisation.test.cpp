#include "runtime/engine.hpp"

#include <SQLiteCpp/Database.h>
#include <doctest/doctest.h>
#include <msgpack.hpp>

#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "tests/messages/samples.hpp"
#include "tests/support/engine_fixture.hpp"
#include "tests/support/process.hpp"

using namespace argus;

namespace {

/// Appends `_<secret>` to every text of `o` except ids.
void seed(msgpack::object& o, msgpack::zone& zone,
          const std::function<std::string()>& next, std::string_view key) {
  switch (o.type) {
    case msgpack::type::STR: {
      if (key == "trace_id" || key == "span_id" || key == "parent_span_id"
          || key == "corr")
        return;
      std::string v{o.via.str.ptr, o.via.str.size};
      v += "_" + next();
      o = msgpack::object{v, zone};
      return;
    }
    case msgpack::type::ARRAY:
      for (uint32_t i = 0; i < o.via.array.size; ++i)
        seed(o.via.array.ptr[i], zone, next, key);
      return;
    case msgpack::type::MAP:
      for (uint32_t i = 0; i < o.via.map.size; ++i) {
        auto& kv = o.via.map.ptr[i];
        std::string k = kv.key.type == msgpack::type::STR
                          ? std::string{kv.key.via.str.ptr, kv.key.via.str.size}
                          : std::string{};
        seed(kv.val, zone, next, k);
      }
      return;
    default:
      return;
  }
}

/// `x` with a secret in each of its texts.
template <class T>
T seeded(const T& x, const std::function<std::string()>& next) {
  msgpack::sbuffer buf;
  msgpack::pack(buf, x);
  auto handle = msgpack::unpack(buf.data(), buf.size());
  msgpack::object o = handle.get();
  seed(o, *handle.zone(), next, {});
  T out;
  o.convert(out);
  return out;
}

std::string file_bytes(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

} // namespace

TEST_CASE("50 secrets seeded through every event type, spans and metric "
          "labels are in none of the database, its WAL, the logs or any "
          "argusctl output") {
  test::engine_fixture fx;
  fx.cfg.privacy.redact_patterns.push_back(R"(sk_live_[A-Za-z0-9]{24})");
  fx.cfg.privacy.redact_patterns.push_back(R"(ACC-[0-9]{8})");
  fx.cfg.privacy.hash_key = config::secret{"test-only-key"};
  // 20 API keys, 15 account ids, 15 e-mail addresses, all distinct.
  std::vector<std::string> secrets;
  for (int i = 0; i < 20; ++i) {
    std::string key = "sk_live_";
    for (int k = 0; k < 24; ++k)
      key += "abcdefghijkLMNOPQRSTUVWXYZ0123456789"[(i * 7 + k * 13) % 36];
    secrets.push_back(key);
  }
  for (int i = 0; i < 15; ++i)
    secrets.push_back("ACC-" + std::to_string(40'000'000 + i * 1'234'567));
  for (int i = 0; i < 15; ++i)
    secrets.push_back("trader" + std::to_string(i) + "@fund" + std::to_string(i)
                      + ".example.com");
  // Values no pattern knows, hidden only by their key.
  std::vector<std::string> plain;
  for (int i = 0; i < 6; ++i)
    plain.push_back("hunter" + std::to_string(i) + "x9");
  size_t n = 0;
  auto next = [&] {
    return secrets[n++ % secrets.size()];
  };
  const auto cid = *correlation_id::parse("req_privacy");
  {
    engine eng{fx.cfg, fx.options()};
    REQUIRE(!eng.start());
    auto& c = eng.client();
    // Every event type, every text field, twice over (100 secrets placed).
    for (int round = 0; round < 2; ++round)
      for (auto e : test::sample_events()) {
        if (std::holds_alternative<flush_requested>(e))
          continue;
        std::visit(
          [&](auto& x) {
            x = seeded(x, next);
          },
          e);
        std::visit(
          [&](auto& x) {
            x.hdr.corr = cid;
          },
          e);
        REQUIRE(c.publish(std::move(e)));
      }
    // Spans recorded in-process: inline and overflow attributes, a status
    // message, an exception, a sensitive key with a value no pattern knows.
    for (int i = 0; i < 5; ++i) {
      auto s = c.span(component_type::exchange, "order_submission", cid);
      s.set("api_key", plain[0]);
      s.set("venue", "binance " + next());
      s.set("note",
            "a long note that does not fit inline and carries " + next());
      s.set("token", plain[1]);
      s.error("rejected for " + next());
    }
    try {
      c.traced(component_type::tactician, "order_sizing", cid,
               [&](runtime::scoped_span&) -> int {
                 throw std::runtime_error{"margin call for " + next()};
               });
    } catch (const std::runtime_error&) {
    }
    // Metric labels: through handles and one-shot records.
    c.counter("orders_total", {{"account_id", plain[2]}, {"desk", next()}})
      .inc();
    c.record("equity", 10'000, {{"password", plain[3]}, {"owner", next()}});
    c.histogram("latency_seconds", {{"email", plain[4]}}).observe(0.01);
    REQUIRE(eng.flush());
    // The WAL as it is while running, before any checkpoint at close.
    auto db = file_bytes(fx.cfg.storage.path);
    auto wal = file_bytes(fx.cfg.storage.path + "-wal");
    REQUIRE(db.size() + wal.size() > 0);
    for (const auto& x : secrets) {
      CHECK_MESSAGE(db.find(x) == std::string::npos, x);
      CHECK_MESSAGE(wal.find(x) == std::string::npos, x);
    }
    for (const auto& x : plain) {
      CHECK_MESSAGE(db.find(x) == std::string::npos, x);
      CHECK_MESSAGE(wal.find(x) == std::string::npos, x);
    }
    REQUIRE(!eng.stop());
  }
  auto db = file_bytes(fx.cfg.storage.path);
  for (const auto& x : secrets)
    CHECK_MESSAGE(db.find(x) == std::string::npos, x);
  // Kept, not dropped: the rows are there, with keyed hashes in place.
  CHECK(fx.rows("spans") >= 7);
  CHECK(fx.rows("trades") + fx.rows("regime_tracking") > 0);
  SQLite::Database conn{fx.cfg.storage.path, SQLite::OPEN_READONLY};
  CHECK(conn
          .execAndGet("SELECT count(*) FROM spans WHERE attributes LIKE "
                      "'%hmac:%'")
          .getInt64()
        >= 5);
  // The logs.
  for (const auto& line : fx.logs->last_formatted()) {
    for (const auto& x : secrets)
      CHECK_MESSAGE(line.find(x) == std::string::npos, line);
    for (const auto& x : plain)
      CHECK_MESSAGE(line.find(x) == std::string::npos, line);
  }
  // Everything argusctl shows of it.
  const auto& path = fx.cfg.storage.path;
  std::vector<std::vector<std::string>> commands{
    {"traces"},
    {"traces", "--errors"},
    {"traces", "--latency"},
    {"trace", cid.str()},
    {"export", cid.str(), "--format", "otlp"},
    {"export", cid.str(), "--format", "json"},
    {"correlations", "stats"},
    {"metrics", "list"},
    {"health"},
    {"trading"},
    {"models"},
    {"drift"},
    {"tracking", "regimes"},
    {"tracking", "ensembles"},
    {"tracking", "features"},
    {"tracking", "decisions", cid.str()}};
  size_t shown = 0;
  for (const auto& cmd : commands)
    for (const char* output : {"table", "json"}) {
      std::vector<std::string> args{ARGUSCTL_PATH};
      args.insert(args.end(), cmd.begin(), cmd.end());
      args.insert(args.end(), {"--db", path, "-o", output});
      if (cmd.front() == "export")
        args.resize(args.size() - 2); // export chooses its own format
      auto r = test::run(args);
      CAPTURE(cmd.front());
      shown += r.out.size();
      for (const auto& x : secrets) {
        CHECK_MESSAGE(r.out.find(x) == std::string::npos, x);
        CHECK_MESSAGE(r.err.find(x) == std::string::npos, x);
      }
      for (const auto& x : plain)
        CHECK_MESSAGE(r.out.find(x) == std::string::npos, x);
    }
  CHECK(shown > 10'000);
}
