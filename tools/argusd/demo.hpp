#pragma once

#include "runtime/client.hpp"

#include <atomic>
#include <cstdint>
#include <map>
#include <random>
#include <string>

namespace argus::tools {

/// A simulated trading bot that drives the engine through the public client
/// API, as the spec's `launch_advanced_monitoring.py` does: each request walks
/// analyst -> strategist -> tactician -> supervisor -> exchange, a
/// three-model ensemble votes (a meta-learner sometimes overrides), the
/// market regime moves bull -> sideways -> bear with realistic durations, and
/// models report their behaviour. It trades, too: three symbols whose prices
/// follow the regime (longs win in bull markets and lose in bear ones, so
/// the equity curve has its drawdowns), two strategies, fees; it starts with
/// 30 days of past fills from its trade log so that daily figures (Sharpe,
/// PnL by day and week) have days to work with; and it records order
/// latency, orders by outcome and equity as metrics. Deterministic for a
/// given seed.
class demo_bot {
public:
  demo_bot(runtime::client& client, uint64_t seed);

  /// Simulates one bot request at wall-clock time `now_ns`.
  void step(int64_t now_ns);

  /// Replays `days` days of past fills ending at `now_ns` (the bot's trade
  /// log), as a bot that starts monitoring mid-life would.
  void backfill(int64_t now_ns, int days);

  /// The second model's inputs shift this long after the first step, and
  /// its error rate rises a little later (ML monitor demo).
  /// Regimes last from half to one and a half times `ns` (default 40 s).
  void regime_length(int64_t ns) noexcept {
    regime_mean_ns_ = ns;
  }

  void drift_after(int64_t ns) noexcept {
    drift_after_ns_ = ns;
  }

  /// Fills sent so far.
  uint64_t fills() const noexcept {
    return fills_;
  }

  /// Requests simulated so far.
  uint64_t requests() const noexcept {
    return requests_;
  }

private:
  runtime::client& client_;
  std::mt19937_64 rng_;
  uint64_t requests_ = 0;
  size_t regime_ = 0;
  int64_t regime_since_ns_ = 0;
  int64_t regime_length_ns_ = 0;
  double weights_[3] = {0.4, 0.35, 0.25};
  int64_t drift_after_ns_ = 60'000'000'000;
  int64_t regime_mean_ns_ = 40'000'000'000;
  int64_t first_step_ns_ = 0;

  /// Two models see each request's features, predict, and learn the label:
  /// "gradient_boost" stays as it was trained, "lstm" drifts.
  void model_outputs(int64_t now_ns, const correlation_id& corr, double bias);

  // -- the parts of one step, in the order they run ---------------------------

  /// What the ensemble decided.
  struct ensemble_decision {
    std::string decision;
    /// Empty unless the meta-learner overrode the vote.
    std::string meta;
    double vote = 0;
  };

  /// How the exchange treated the order.
  struct order_fate {
    bool rejected = false;
    bool timed_out = false;
  };

  void next_regime(int64_t now_ns);
  ensemble_decision record_ensemble(int64_t now_ns, const correlation_id& corr,
                                    double bias);
  void record_ensemble_outcome(int64_t now_ns, const correlation_id& corr,
                               const ensemble_decision& d);
  void record_regime(int64_t now_ns, const correlation_id& corr, double bias);
  order_fate record_trace(int64_t now_ns, const correlation_id& corr);
  void record_decision_path(int64_t now_ns, const correlation_id& corr,
                            const ensemble_decision& d, const order_fate& fate);
  void record_behavior(const correlation_id& corr);

  /// Moves the prices one step (drift by regime) and maybe opens or closes
  /// a position on `decision`.
  /// `corr`: the decision's correlation id, carried by its fill (empty in
  /// the backfill).
  void trade(int64_t now_ns, const std::string& decision, double drift,
             double volatility, const correlation_id& corr = {});

  struct position {
    double quantity = 0;
    double entry = 0;
    std::string strategy;
  };
  std::map<std::string, double> prices_;
  std::map<std::string, position> positions_;
  double equity_ = 10000.0;
  uint64_t fills_ = 0;
  runtime::histogram_handle order_latency_;
  runtime::counter_handle orders_filled_;
  runtime::counter_handle orders_rejected_;
  runtime::counter_handle orders_timed_out_;
  runtime::gauge_handle equity_gauge_;
};

} // namespace argus::tools
