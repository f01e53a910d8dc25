#pragma once

#include "messages/header.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace argus {

/// Someone (a schedule, the REST API, argusctl) asks for a report.
struct report_requested {
  static constexpr uint16_t version = 1;
  message_header hdr;
  std::string report_type; // e.g. "performance_summary"
  std::string format;      // "pdf", "html" or "json"
  std::vector<std::string> recipients;
  int64_t range_start_ns = 0;
  int64_t range_end_ns = 0;
  /// E-mail it to `recipients` (otherwise only render and record it).
  bool send = false;
  /// The zone its times are shown in (empty: the section's).
  std::string time_zone;

  ARGUS_FIELDS(report_requested, hdr, report_type, format, recipients,
               range_start_ns, range_end_ns, send, time_zone)
};

/// A report was rendered (and perhaps delivered); spec table
/// `report_history`.
struct report_generated {
  static constexpr uint16_t version = 1;
  message_header hdr;
  std::string report_type;
  std::string schedule_type; // "daily", "weekly", "monthly", "on_demand"
  std::string format;
  std::vector<std::string> recipients;
  std::string file_path;
  /// "generated", "sent", "sending" (retries pending) or "failed: <why>".
  std::string status;
  std::string error;
  int64_t generated_at_ns = 0;
  int64_t range_start_ns = 0;
  int64_t range_end_ns = 0;
  uint64_t bytes = 0;
  /// Delivery attempts made.
  uint32_t attempts = 0;
  /// The report entry of a scheduled run (`risk_assessment`,
  /// `ny_open_risk`); empty for one asked on demand.
  std::string report_name;

  ARGUS_FIELDS(report_generated, hdr, report_type, schedule_type, format,
               recipients, file_path, status, error, generated_at_ns,
               range_start_ns, range_end_ns, bytes, attempts, report_name)
};

} // namespace argus
