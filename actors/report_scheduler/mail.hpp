#pragma once

// E-mail through libcurl's SMTP: STARTTLS required when `use_tls` (never
// CURLUSESSL_TRY, which falls back to clear text), implicit TLS on port
// 465, AUTH with the configured user. The message is
//   multipart/mixed { multipart/related { text/html, image/png (cid:) ... },
//                     attachments ... }
// with From, Reply-To, To, Date, Subject (RFC 2047 when not ASCII) and
// Message-ID set (curl sets none of them). The password goes to curl only:
// never into a URL, an error text or a log.

#include "actors/report_scheduler/render.hpp"
#include "config/components.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace argus::report_scheduler {

struct mail_attachment {
  std::string filename;
  std::string content_type;
  std::string bytes;
};

struct mail_message {
  std::vector<std::string> to;
  std::string subject;
  std::string html;
  std::vector<inline_image> images;
  std::vector<mail_attachment> attachments;
  /// Without angle brackets: `report-12@argus.localhost`.
  std::string message_id;
  int64_t date_ns = 0;
};

struct delivery_result {
  bool sent = false;
  /// A transient failure (connect, timeout, server busy): try again later.
  /// Configuration errors (TLS refused, certificate, login) are not.
  bool retryable = false;
  /// curl's code and text, and the SMTP reply code if any.
  int curl_code = 0;
  long smtp_code = 0;
  std::string error;
};

/// Sends `m` (blocks up to the configured timeout).
delivery_result send_mail(const config::email_config& cfg,
                          const mail_message& m);

/// The headers curl is given, in order (exposed for tests).
std::vector<std::string> mail_headers(const config::email_config& cfg,
                                      const mail_message& m);

/// `Subject` text: as is when ASCII, else RFC 2047 base64 words.
std::string encode_header_text(const std::string& text);

/// RFC 5322 date in UTC: `Tue, 01 Dec 2026 06:00:00 +0000`.
std::string mail_date(int64_t ns);

/// The wait before retry `attempt` (1, 2, ...): `initial` doubled per
/// attempt, at most `cap`, scaled by `jitter` in [0, 1) to 50-100 % of it
/// (so that many runs failing together do not retry together).
std::chrono::milliseconds retry_delay(unsigned attempt,
                                      std::chrono::milliseconds initial,
                                      std::chrono::milliseconds cap,
                                      double jitter);

} // namespace argus::report_scheduler
