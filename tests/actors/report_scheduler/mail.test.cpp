#include "actors/report_scheduler/mail.hpp"

#include <doctest/doctest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>

using namespace argus;
using namespace argus::report_scheduler;
using namespace std::chrono;

namespace {

constexpr int64_t sec = 1'000'000'000;

std::string header(const std::vector<std::string>& hs, const std::string& name) {
  for (const auto& h : hs)
    if (h.rfind(name + ": ", 0) == 0)
      return h.substr(name.size() + 2);
  return {};
}

/// A loopback port nothing listens on (bound, then closed).
uint16_t closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t n = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &n);
  ::close(fd);
  return ntohs(a.sin_port);
}

} // namespace

TEST_CASE("report mails carry the headers a mail client needs, and none "
          "can be injected") {
  config::email_config cfg;
  cfg.from_address = "argus@example.com";
  cfg.reply_to = "desk@example.com";
  mail_message m;
  m.to = {"a@example.com", "b@example.com"};
  m.subject = "Risk assessment 1 Dec";
  m.message_id = "report-7@argus.localhost";
  // Tuesday 2026-12-01 06:00:05 UTC.
  m.date_ns = 1'796'104'805 * sec;
  auto h = mail_headers(cfg, m);
  CHECK(header(h, "Date") == "Tue, 01 Dec 2026 06:00:05 +0000");
  CHECK(header(h, "From") == "argus <argus@example.com>");
  CHECK(header(h, "Reply-To") == "desk@example.com");
  CHECK(header(h, "To") == "a@example.com, b@example.com");
  CHECK(header(h, "Subject") == "Risk assessment 1 Dec");
  CHECK(header(h, "Message-ID") == "<report-7@argus.localhost>");
  // A line break in any value would start a header of its own.
  m.subject = "hi\r\nBcc: everyone@example.com";
  m.to = {"a@example.com\nBcc: x@example.com"};
  for (const auto& line : mail_headers(cfg, m)) {
    CHECK(line.find('\n') == std::string::npos);
    CHECK(line.find('\r') == std::string::npos);
  }
  cfg.reply_to.clear();
  CHECK(header(mail_headers(cfg, m), "Reply-To").empty());
}

TEST_CASE("subjects that are not ASCII become RFC 2047 words split between "
          "characters") {
  CHECK(encode_header_text("Weekly report") == "Weekly report");
  // "Rapport de risque – décembre": base64 of the UTF-8 bytes.
  CHECK(encode_header_text("Résumé") == "=?UTF-8?B?UsOpc3Vtw6k=?=");
  std::string long_text;
  for (int i = 0; i < 40; ++i)
    long_text += "é"; // 80 bytes: two words
  auto enc = encode_header_text(long_text);
  auto first_end = enc.find("?=");
  REQUIRE(first_end != std::string::npos);
  CHECK(enc.find("\r\n =?UTF-8?B?") == first_end + 2);
  // Each word is at most 75 characters and decodes to whole characters
  // (44 bytes: 22 characters, never half of one).
  auto first = enc.substr(0, first_end + 2);
  CHECK(first.size() <= 75);
  CHECK(first == "=?UTF-8?B?" + base64(long_text.substr(0, 44)) + "?=");
}

TEST_CASE("retries double up to their cap, with jitter between half and "
          "all of the delay") {
  auto initial = milliseconds{30'000};
  auto cap = milliseconds{600'000};
  CHECK(retry_delay(1, initial, cap, 0.999999) <= initial);
  CHECK(retry_delay(1, initial, cap, 0.0) == milliseconds{15'000});
  CHECK(retry_delay(2, initial, cap, 0.0) == milliseconds{30'000});
  CHECK(retry_delay(3, initial, cap, 0.5) == milliseconds{90'000});
  // 30 s * 2^9 is beyond the cap.
  CHECK(retry_delay(10, initial, cap, 0.0) == milliseconds{300'000});
  CHECK(retry_delay(1000, initial, cap, 1.0) == cap);
  // Jitter out of range is clamped, never negative or beyond the cap.
  CHECK(retry_delay(1000, initial, cap, 7.0) == cap);
  CHECK(retry_delay(1, initial, cap, -3.0) == milliseconds{15'000});
}

TEST_CASE("a dead SMTP server is a retryable failure that names the server "
          "and never the password") {
  config::email_config cfg;
  cfg.smtp_server = "127.0.0.1";
  cfg.smtp_port = closed_port();
  cfg.username = "bot";
  cfg.password = config::secret{"hunter2-very-secret"};
  cfg.timeout = seconds{2};
  mail_message m;
  m.to = {"a@example.com"};
  m.subject = "x";
  m.html = "<p>x</p>";
  auto t0 = steady_clock::now();
  auto r = send_mail(cfg, m);
  CHECK(steady_clock::now() - t0 < seconds{3});
  CHECK_FALSE(r.sent);
  CHECK(r.retryable);
  CHECK(r.error.find("hunter2") == std::string::npos);
  CHECK_MESSAGE(r.error.find("onnect") != std::string::npos, r.error);
  // No recipients: nothing to send, not retried.
  m.to.clear();
  r = send_mail(cfg, m);
  CHECK_FALSE(r.sent);
  CHECK_FALSE(r.retryable);
  CHECK(r.error == "no recipients");
}
