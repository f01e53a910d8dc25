// Embedding argus in a C++ trading bot: build the engine from YAML, record
// from the bot's threads, flush, stop. Built by CMake so it cannot rot; the
// README quotes it.
//
//   build/embed_example config/examples/minimal.yaml /tmp/bot.db

#include "config/load.hpp"
#include "runtime/engine.hpp"

#include <iostream>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: embed_example CONFIG.yaml DATABASE.db\n";
    return 2;
  }
  auto cfg = argus::config::load(argv[1]);
  if (!cfg) {
    std::cerr << argus::describe(cfg.error()) << "\n";
    return 2;
  }
  cfg->storage.path = argv[2];
  argus::engine engine{*cfg};
  if (auto err = engine.start()) {
    std::cerr << "cannot start: " << argus::describe(err) << "\n";
    return 1;
  }
  auto& client = engine.client();
  // The spec's record_regime_tracking example; never blocks, never throws.
  argus::regime_recorded regime;
  regime.hdr.corr = *argus::correlation_id::parse("req_123");
  regime.regime_type = "BULL_TREND";
  regime.regime_confidence = 0.85;
  regime.regime_probabilities
    = {{"BULL_TREND", 0.6}, {"BEAR_TREND", 0.2}, {"SIDEWAYS", 0.2}};
  regime.regime_features = {"price_momentum", "volatility"};
  regime.regime_indicators
    = {{"momentum_score", 0.7}, {"volatility_score", 0.3}};
  regime.regime_transition_probability = 0.1;
  client.record_regime_tracking(regime);
  // And the spec's record_ensemble_tracking example.
  argus::ensemble_recorded ensemble;
  ensemble.hdr.corr = regime.hdr.corr;
  ensemble.ensemble_id = "ensemble_1";
  ensemble.ensemble_type = "regime_ensemble";
  ensemble.individual_predictions = {{"model_1", 0.8}, {"model_2", 0.75}};
  ensemble.ensemble_weights = {{"model_1", 0.6}, {"model_2", 0.4}};
  ensemble.final_prediction = "buy";
  ensemble.confidence = 0.78;
  client.record_ensemble_tracking(ensemble);
  // Everything recorded so far is in SQLite once flush() returns an ack.
  auto ack = engine.flush();
  if (!ack) {
    std::cerr << "flush failed: " << argus::describe(ack.error()) << "\n";
    return 1;
  }
  std::cout << "committed rows: " << ack->committed_rows << "\n";
  return engine.stop() ? 1 : 0;
}
