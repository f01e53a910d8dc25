#pragma once

#include "messages/header.hpp"

#include <cstdint>
#include <map>
#include <string>

namespace argus {

/// The kinds of metric the dashboard keeps.
enum class metric_kind : uint8_t { counter, gauge, histogram };

/// One observation of a metric series.
struct metric_sampled {
  static constexpr uint16_t version = 1;
  message_header hdr;
  std::string name;
  metric_kind kind = metric_kind::gauge;
  double value = 0.0;
  std::map<std::string, std::string> labels;
  int64_t time_ns = 0;

  ARGUS_FIELDS(metric_sampled, hdr, name, kind, value, labels, time_ns)
};

/// Buy or sell.
enum class trade_side : uint8_t { buy, sell };

/// A fill (or a whole trade) reported by the exchange layer.
struct trade_executed {
  static constexpr uint16_t version = 1;
  message_header hdr;
  std::string trade_id;
  std::string order_id;
  std::string symbol;
  trade_side side = trade_side::buy;
  double quantity = 0.0;
  double price = 0.0;
  double fee = 0.0;
  /// Realised PnL booked by this fill (0 for an opening fill).
  double realized_pnl = 0.0;
  std::string strategy_tag;
  std::string exit_reason;
  int64_t time_ns = 0;

  ARGUS_FIELDS(trade_executed, hdr, trade_id, order_id, symbol, side, quantity,
               price, fee, realized_pnl, strategy_tag, exit_reason, time_ns)
};

} // namespace argus

ARGUS_MSGPACK_ENUM(argus::metric_kind, argus::metric_kind::histogram)
ARGUS_MSGPACK_ENUM(argus::trade_side, argus::trade_side::sell)
