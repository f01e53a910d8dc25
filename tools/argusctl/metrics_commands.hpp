#pragma once

// argusctl's metrics commands, read from the database argusd writes (the
// dashboard persists each window's rollup when it closes and the open
// windows at stop; fills go to `trades` as they arrive):
//
//   argusctl metrics list --db FILE [--window 1m] [-o table|json]
//   argusctl metrics get NAME --db FILE [--window 5m] [--labels k=v,...]
//                        [--since 1h] [-o table|json]
//   argusctl metrics --prom --db FILE [--window 1m]
//   argusctl health --db FILE [--window 1m] [-o table|json]
//   argusctl trading --db FILE [--by symbol|tag] [-o table|json]

#include <string>
#include <vector>

namespace argus::ctl {

/// Where the trading figures' returns are measured from (as in the config).
struct trading_basis {
  double starting_capital = 10000.0;
  double periods_per_year = 365.0;
};

int metrics_list(const std::string& db, const std::string& window,
                 const std::string& output);

int metrics_get(const std::string& db, const std::string& name,
                const std::string& window,
                const std::vector<std::string>& labels,
                const std::string& since, const std::string& output);

int metrics_prometheus(const std::string& db, const std::string& window,
                       const trading_basis& basis);

int health(const std::string& db, const std::string& window,
           const std::string& output);

int trading(const std::string& db, const std::string& by,
            const trading_basis& basis, const std::string& output);

} // namespace argus::ctl
