#include "tools/argusd/demo.hpp"

#include "messages/trace_context.hpp"

#include <array>
#include <cmath>

namespace argus::tools {

namespace {

constexpr std::array<const char*, 3> regimes
  = {"BULL_TREND", "SIDEWAYS", "BEAR_TREND"};
constexpr std::array<const char*, 3> models
  = {"gradient_boost", "lstm", "random_forest"};

} // namespace

constexpr std::array<const char*, 3> symbols
  = {"BTCUSDT", "ETHUSDT", "SOLUSDT"};
constexpr double fee_rate = 0.001;

demo_bot::demo_bot(runtime::client& client, uint64_t seed)
    : client_(client),
      rng_(seed),
      prices_{{"BTCUSDT", 30000.0}, {"ETHUSDT", 2000.0}, {"SOLUSDT", 60.0}},
      order_latency_(
        client.histogram("order_latency_seconds", {{"venue", "simulated"}})),
      orders_filled_(client.counter(
        "orders", {{"venue", "simulated"}, {"outcome", "filled"}})),
      orders_rejected_(client.counter(
        "orders", {{"venue", "simulated"}, {"outcome", "rejected"}})),
      orders_timed_out_(client.counter(
        "orders", {{"venue", "simulated"}, {"outcome", "timed_out"}})),
      equity_gauge_(client.gauge("equity", {{"account", "demo"}})) {
}

void demo_bot::trade(int64_t now_ns, const std::string& decision, double drift,
                     double volatility, const correlation_id& corr) {
  std::uniform_real_distribution<double> unit{0.0, 1.0};
  std::normal_distribution<double> move{drift, volatility};
  for (auto& [symbol, price] : prices_)
    price *= 1 + move(rng_);
  auto symbol = symbols[rng_() % symbols.size()];
  auto& pos = positions_[symbol];
  auto price = prices_[symbol];
  trade_executed fill;
  fill.hdr.corr = corr;
  fill.trade_id = "demo-" + std::to_string(fills_ + 1);
  fill.order_id = "order-" + std::to_string(fills_ + 1);
  fill.symbol = symbol;
  fill.price = price;
  fill.time_ns = now_ns;
  if (pos.quantity == 0 && decision == "buy") {
    pos.quantity = std::round((500 + 1500 * unit(rng_)) / price * 1e4) / 1e4;
    pos.entry = price;
    pos.strategy = unit(rng_) < 0.6 ? "momentum" : "mean_revert";
    fill.side = trade_side::buy;
    fill.quantity = pos.quantity;
  } else if (pos.quantity > 0 && (decision == "sell" || unit(rng_) < 0.1)) {
    fill.side = trade_side::sell;
    fill.quantity = pos.quantity;
    fill.realized_pnl = pos.quantity * (price - pos.entry);
    fill.exit_reason
      = decision == "sell"
          ? (fill.realized_pnl >= 0 ? "signal_exit" : "stop_loss")
          : "time_exit";
    pos.quantity = 0;
  } else {
    return;
  }
  fill.strategy_tag = pos.strategy;
  fill.fee = fill.quantity * price * fee_rate;
  equity_ += fill.realized_pnl - fill.fee;
  equity_gauge_.set(equity_);
  ++fills_;
  client_.record(std::move(fill));
}

void demo_bot::model_outputs(int64_t now_ns, const correlation_id& corr,
                             double bias) {
  std::uniform_real_distribution<double> unit{0.0, 1.0};
  std::normal_distribution<double> normal{0.0, 1.0};
  if (first_step_ns_ == 0) {
    first_step_ns_ = now_ns;
    for (const char* id : {"gradient_boost", "lstm"}) {
      model_lifecycle_changed deployed;
      deployed.hdr.corr = corr;
      deployed.model = {id, "v1"};
      deployed.stage = model_stage::deployed;
      deployed.time_ns = now_ns;
      client_.record(std::move(deployed));
    }
  }
  auto since = now_ns - first_step_ns_;
  // The drift builds up over a few seconds, so its alert escalates.
  const double ramp_ns = 20e9;
  double drift
    = since < drift_after_ns_
        ? 0.0
        : std::min(1.0, static_cast<double>(since - drift_after_ns_) / ramp_ns);
  // The error rate follows a little later than the inputs.
  bool degrading = drift >= 1.0;
  // Importances, re-estimated every 50 requests with some noise: as the
  // lstm's volatility input drifts, the lstm leans on it more, and
  // volatility overtakes momentum in its ranking.
  if (requests_ % 50 == 1) {
    for (const char* id : {"gradient_boost", "lstm"}) {
      auto lean = id[0] == 'l' ? 0.25 * drift : 0.0;
      feature_importance_reported imp;
      imp.hdr.corr = corr;
      imp.model = {id, "v1"};
      imp.importance = {{"momentum", 0.45 - lean + 0.03 * normal(rng_)},
                        {"volatility", 0.35 + lean + 0.03 * normal(rng_)},
                        {"spread_bps", 0.2 + 0.02 * normal(rng_)}};
      imp.time_ns = now_ns;
      client_.record(std::move(imp));
    }
  }
  for (const char* id : {"gradient_boost", "lstm"}) {
    bool lstm = id[0] == 'l';
    features_observed f;
    f.hdr.corr = corr;
    f.model = {id, "v1"};
    f.numeric["momentum"] = bias * 4 + normal(rng_) * 0.5;
    // The lstm's volatility feed changes scale and level when it drifts.
    auto shift = lstm ? drift : 0.0;
    // Its level creeps up by 1.7 standard deviations over 20 s.
    f.numeric["volatility"] = 0.2 + 0.1 * shift + std::abs(normal(rng_)) * 0.1;
    f.numeric["spread_bps"] = 1.0 + std::abs(normal(rng_)) * 0.3;
    f.categorical["session"] = unit(rng_) < 0.5 ? "asia" : "europe";
    f.time_ns = now_ns;
    client_.record(std::move(f));
    prediction_made p;
    p.hdr.corr = corr;
    p.model = {id, "v1"};
    p.label = bias > 0 ? "buy" : bias < 0 ? "sell" : "hold";
    p.confidence = 0.6 + 0.3 * unit(rng_);
    p.time_ns = now_ns;
    label_observed l;
    l.hdr.corr = corr;
    l.model = p.model;
    double error_rate = lstm && degrading ? 0.55 : 0.12;
    l.label
      = unit(rng_) < error_rate ? (p.label == "buy" ? "sell" : "buy") : p.label;
    l.time_ns = now_ns;
    client_.record(std::move(p));
    client_.record(std::move(l));
  }
}

void demo_bot::backfill(int64_t now_ns, int days) {
  constexpr int64_t hour = 3'600'000'000'000;
  std::uniform_real_distribution<double> unit{0.0, 1.0};
  // A few decisions an hour; bull, sideways and bear weeks take turns.
  for (int64_t t = now_ns - days * 24 * hour; t < now_ns - hour;
       t += hour / 4) {
    auto week = (now_ns - t) / (7 * 24 * hour);
    auto drift = week % 3 == 0 ? 0.0015 : week % 3 == 1 ? -0.0015 : 0.0;
    auto decision = unit(rng_) < 0.5 + drift * 100 ? "buy" : "sell";
    trade(t, decision, drift, 0.004);
  }
}

void demo_bot::next_regime(int64_t now_ns) {
  std::uniform_real_distribution<double> unit{0.0, 1.0};
  // Regimes last 20 to 60 seconds (by default), then move on in order.
  if (regime_since_ns_ == 0 || now_ns - regime_since_ns_ > regime_length_ns_) {
    if (regime_since_ns_ != 0)
      regime_ = (regime_ + 1) % regimes.size();
    regime_since_ns_ = now_ns;
    regime_length_ns_ = static_cast<int64_t>(
      static_cast<double>(regime_mean_ns_) * (0.5 + unit(rng_)));
  }
}

demo_bot::ensemble_decision
demo_bot::record_ensemble(int64_t now_ns, const correlation_id& corr,
                          double bias) {
  std::uniform_real_distribution<double> unit{0.0, 1.0};
  std::normal_distribution<double> noise{0.0, 0.05};
  // Weights drift slowly and stay normalized.
  double sum = 0;
  for (auto& w : weights_) {
    w = std::max(0.05, w + noise(rng_) * 0.1);
    sum += w;
  }
  ensemble_recorded ens;
  ens.hdr.corr = corr;
  ens.ensemble_id = "ensemble_1";
  ens.ensemble_type = "regime_ensemble";
  double vote = 0;
  for (size_t i = 0; i < models.size(); ++i) {
    weights_[i] /= sum;
    auto p = std::clamp(0.5 + bias + noise(rng_) * 2, 0.0, 1.0);
    ens.individual_predictions[models[i]] = p;
    ens.ensemble_weights[models[i]] = weights_[i];
    vote += weights_[i] * p;
  }
  ens.final_prediction = vote > 0.55 ? "buy" : vote < 0.45 ? "sell" : "hold";
  ens.confidence = std::abs(vote - 0.5) * 2;
  if (unit(rng_) < 0.1) {
    ens.meta_learner_prediction
      = ens.final_prediction == "buy" ? "hold" : "buy";
    ens.meta_learner_confidence = 0.6 + 0.3 * unit(rng_);
  }
  ensemble_decision result{ens.final_prediction, ens.meta_learner_prediction,
                           vote};
  client_.record_ensemble_tracking(std::move(ens));
  return result;
}

void demo_bot::record_ensemble_outcome(int64_t now_ns,
                                       const correlation_id& corr,
                                       const ensemble_decision& d) {
  std::uniform_real_distribution<double> unit{0.0, 1.0};
  // The ensemble's own prediction, for the ML monitor's performance
  // figures, and what turned out right, as the bot learns it later: the
  // regime's side two times in three (hold in a sideways market half the
  // time). The tracker takes the same label as the decision's outcome.
  prediction_made said;
  said.hdr.corr = corr;
  said.model = {"ensemble_1", "v1"};
  said.label = d.decision;
  said.confidence = std::abs(d.vote - 0.5) * 2;
  said.time_ns = now_ns;
  client_.record(std::move(said));
  label_observed truth;
  truth.hdr.corr = corr;
  truth.model = {"ensemble_1", "v1"};
  auto u = unit(rng_);
  truth.label = regime_ == 0   ? (u < 0.67 ? "buy" : "sell")
                : regime_ == 2 ? (u < 0.67 ? "sell" : "buy")
                               : (u < 0.5    ? "hold"
                                  : u < 0.75 ? "buy"
                                             : "sell");
  truth.time_ns = now_ns;
  client_.record(std::move(truth));
}

void demo_bot::record_regime(int64_t now_ns, const correlation_id& corr,
                             double bias) {
  std::uniform_real_distribution<double> unit{0.0, 1.0};
  std::normal_distribution<double> noise{0.0, 0.05};
  regime_recorded reg;
  reg.hdr.corr = corr;
  reg.regime_type = regimes[regime_];
  reg.regime_confidence = 0.6 + 0.35 * unit(rng_);
  for (size_t i = 0; i < regimes.size(); ++i)
    reg.regime_probabilities[regimes[i]]
      = i == regime_ ? reg.regime_confidence : (1 - reg.regime_confidence) / 2;
  reg.regime_features = {"price_momentum", "volatility"};
  reg.regime_indicators = {{"momentum_score", 0.5 + bias + noise(rng_)},
                           {"volatility_score", 0.3 + noise(rng_)}};
  reg.regime_transition_probability = 0.05 + 0.1 * unit(rng_);
  reg.regime_duration = (now_ns - regime_since_ns_) / 1'000'000'000;
  client_.record_regime_tracking(std::move(reg));
}

namespace {

/// The decision path of every request, one hop per component.
constexpr std::array<std::pair<component_type, const char*>, 5> path
  = {{{component_type::analyst, "feature_engineering"},
      {component_type::strategist, "strategy_execution"},
      {component_type::tactician, "order_sizing"},
      {component_type::supervisor, "risk_check"},
      {component_type::exchange, "order_submission"}}};

} // namespace

demo_bot::order_fate demo_bot::record_trace(int64_t now_ns,
                                            const correlation_id& corr) {
  std::uniform_real_distribution<double> unit{0.0, 1.0};
  // Spans of the same path under one root span, as a bot with the client's
  // span API would record them; here with simulated latencies (the
  // exchange is the slow hop and sometimes rejects).
  auto trace = trace_id_for(corr).hex();
  auto new_span_id = [&] {
    static constexpr char digits[] = "0123456789abcdef";
    auto bits = rng_() | 1;
    std::string id(16, '0');
    for (int k = 0; k < 16; ++k)
      id[k] = digits[(bits >> (60 - 4 * k)) & 0xf];
    return id;
  };
  request_started request;
  request.hdr.corr = corr;
  request.operation = "market_tick";
  request.time_ns = now_ns;
  client_.record(std::move(request));
  span_recorded root;
  root.hdr.corr = corr;
  root.trace_id = trace;
  root.span_id = new_span_id();
  root.component = component_type::supervisor;
  root.operation = "handle_request";
  root.kind = span_kind::server;
  root.start_ns = now_ns;
  auto t = now_ns;
  // Most orders go through; some are rejected, some time out at the exchange
  // (the bot gives up after 50 ms and fails the request), and a few requests
  // never answer at all: the correlation manager times those out after
  // `correlation_timeout`.
  auto fate = unit(rng_);
  order_fate result;
  result.rejected = fate < 0.05;
  result.timed_out = fate >= 0.05 && fate < 0.08;
  auto lost = fate >= 0.08 && fate < 0.09;
  auto failed = result.rejected || result.timed_out;
  for (uint32_t i = 0; i < path.size(); ++i) {
    span_recorded hop;
    hop.hdr.corr = corr;
    hop.trace_id = trace;
    hop.span_id = new_span_id();
    hop.parent_span_id = root.span_id;
    hop.component = path[i].first;
    hop.operation = path[i].second;
    hop.kind = i == 4 ? span_kind::client : span_kind::internal;
    hop.start_ns = t + 50'000;
    auto ms = i == 4 ? 2.0 + 6.0 * unit(rng_) : 0.2 + unit(rng_);
    if (i == 4 && result.timed_out)
      ms = 50.0;
    if (i == 4) {
      order_latency_.observe(ms / 1e3);
      (result.rejected    ? orders_rejected_
       : result.timed_out ? orders_timed_out_
                          : orders_filled_)
        .inc();
    }
    hop.end_ns = hop.start_ns + static_cast<int64_t>(ms * 1e6);
    hop.status = span_status::ok;
    if (i == 0)
      hop.attributes.push_back(
        {"features_generated", attribute_type::integer, {}, 50, 0.0, false});
    if (i == 1)
      hop.attributes.push_back({"strategy_applied", attribute_type::string,
                                "momentum_based", 0, 0.0, false});
    if (i == 4 && failed) {
      hop.status = span_status::error;
      hop.status_message = result.rejected
                             ? "order rejected: insufficient margin"
                             : "exchange did not answer within 50 ms";
      hop.events.push_back(
        {std::string{exception_event_name},
         hop.end_ns,
         {{std::string{exception_type_key}, attribute_type::string,
           result.rejected ? "OrderRejected" : "ExchangeTimeout", 0, 0.0,
           false},
          {std::string{exception_message_key}, attribute_type::string,
           hop.status_message, 0, 0.0, false}}});
    }
    t = hop.end_ns;
    client_.record(std::move(hop));
  }
  root.end_ns = t + 100'000;
  root.status = failed ? span_status::error : span_status::ok;
  if (failed)
    root.status_message = "request failed at the exchange";
  request_finished response;
  response.hdr.corr = corr;
  response.time_ns = root.end_ns;
  response.success = !failed;
  if (failed) {
    response.error_type = result.rejected ? "OrderRejected" : "ExchangeTimeout";
    response.error_message = root.status_message;
  }
  client_.record(std::move(root));
  if (!lost)
    client_.record(std::move(response));
  return result;
}

void demo_bot::record_decision_path(int64_t now_ns, const correlation_id& corr,
                                    const ensemble_decision& d,
                                    const order_fate& fate) {
  std::uniform_real_distribution<double> unit{0.0, 1.0};
  const auto& decision = d.decision;
  auto t = now_ns;
  for (uint32_t i = 0; i < path.size(); ++i) {
    decision_step_recorded step;
    step.hdr.corr = corr;
    step.step = i;
    step.component = path[i].first;
    step.name = path[i].second;
    // What each hop saw, what it said, and the model or rule that said it.
    switch (i) {
      case 0:
        step.decided_by = d.meta.empty() ? "ensemble_1" : "meta_learner";
        step.inputs = {{"regime", regimes[regime_]},
                       {"features", "momentum,volatility,spread_bps"}};
        step.outputs = {{"signal", decision}};
        break;
      case 1:
        step.decided_by = "momentum_based";
        step.inputs = {{"signal", decision}, {"regime", regimes[regime_]}};
        step.outputs = {{"decision", decision}};
        break;
      case 2:
        step.decided_by = "kelly_fraction";
        step.inputs
          = {{"decision", decision}, {"equity", std::to_string(equity_)}};
        step.outputs = {{"notional", decision == "hold" ? "0" : "1000"}};
        break;
      case 3:
        step.decided_by = "max_drawdown_rule";
        step.inputs = {{"notional", decision == "hold" ? "0" : "1000"}};
        step.outputs = {{"approved", "true"}};
        break;
      default:
        step.decided_by = "simulated_venue";
        step.inputs = {{"decision", decision}};
        step.outputs = {{"status", fate.rejected    ? "rejected"
                                   : fate.timed_out ? "timed_out"
                                                    : "accepted"}};
        break;
    }
    step.start_ns = t;
    t += static_cast<int64_t>((0.2 + unit(rng_)) * 1e6);
    step.end_ns = t;
    client_.record_decision_step(std::move(step));
  }
}

void demo_bot::record_behavior(const correlation_id& corr) {
  std::uniform_real_distribution<double> unit{0.0, 1.0};
  model_behavior_recorded mb;
  mb.hdr.corr = corr;
  mb.model_id = models[requests_ / 10 % models.size()];
  mb.prediction_consistency = 0.8 + 0.1 * unit(rng_);
  mb.confidence_trend = {0.8, 0.82, 0.79};
  mb.feature_importance_stability = 0.85 + 0.1 * unit(rng_);
  mb.prediction_drift = 0.02 + 0.05 * unit(rng_);
  client_.record_model_behavior_tracking(std::move(mb));
}

void demo_bot::step(int64_t now_ns) {
  auto corr = client_.new_correlation_id();
  ++requests_;
  next_regime(now_ns);
  auto bias = regime_ == 0 ? 0.15 : regime_ == 2 ? -0.15 : 0.0;
  auto decision = record_ensemble(now_ns, corr, bias);
  record_ensemble_outcome(now_ns, corr, decision);
  // Live steps come many a second: small moves, the regime's drift.
  trade(now_ns, decision.decision, bias / 3000, 0.0008, corr);
  model_outputs(now_ns, corr, bias);
  record_regime(now_ns, corr, bias);
  auto fate = record_trace(now_ns, corr);
  record_decision_path(now_ns, corr, decision, fate);
  if (requests_ % 10 == 0)
    record_behavior(corr);
}

} // namespace argus::tools
