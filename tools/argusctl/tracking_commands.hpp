#pragma once

// argusctl's tracking commands, offline from the spec's tables:
//
//   argusctl tracking regimes --db FILE [--since 24h] [-o table|json]
//   argusctl tracking ensembles --db FILE [--id E] [--since 24h] [-o ...]
//   argusctl tracking features --db FILE [--model M] [--top K] [--since 24h]
//   argusctl tracking decisions CID --db FILE [-o table|json]

#include <cstddef>
#include <string>

namespace argus::ctl {

int tracking_regimes(const std::string& db, const std::string& since,
                     const std::string& output);

int tracking_ensembles(const std::string& db, const std::string& id,
                       const std::string& since, const std::string& output);

int tracking_features(const std::string& db, const std::string& model_id,
                      size_t top, const std::string& since,
                      const std::string& output);

int tracking_decisions(const std::string& db, const std::string& cid,
                       const std::string& output);

} // namespace argus::ctl
