#include "actors/report_scheduler/mail.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <memory>

#include <curl/curl.h>

namespace argus::report_scheduler {

namespace {

bool ascii(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u >= 0x20 && u < 0x7f;
  });
}

/// Header values never carry line breaks (a recipient or subject with one
/// would inject headers).
std::string one_line(std::string s) {
  std::replace_if(
    s.begin(), s.end(),
    [](char c) {
      return c == '\r' || c == '\n';
    },
    ' ');
  return s;
}

struct curl_guard {
  CURL* easy = nullptr;
  curl_slist* recipients = nullptr;
  curl_slist* headers = nullptr;
  curl_mime* mime = nullptr;
  ~curl_guard() {
    if (mime)
      curl_mime_free(mime);
    curl_slist_free_all(recipients);
    curl_slist_free_all(headers);
    if (easy)
      curl_easy_cleanup(easy);
  }
};

bool retryable(CURLcode rc, long smtp_code) {
  // A 5xx reply is permanent by SMTP's definition, whatever curl makes of
  // it (a server that requires STARTTLS answers a clear-text MAIL with 530,
  // which curl reports as a send error).
  if (smtp_code >= 500)
    return false;
  switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
      return true;
    default:
      break;
  }
  // 4xx replies are transient by SMTP's definition (a greylist, a full
  // queue); 5xx are not.
  return smtp_code >= 400 && smtp_code < 500;
}

} // namespace

std::string encode_header_text(const std::string& text) {
  auto s = one_line(text);
  if (ascii(s))
    return s;
  // RFC 2047: encoded words of at most 75 characters; split the UTF-8
  // between characters, 45 bytes (60 base64 characters) a word.
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    size_t n = std::min<size_t>(45, s.size() - i);
    while (i + n < s.size() && n > 0
           && (static_cast<unsigned char>(s[i + n]) & 0xC0) == 0x80)
      --n;
    if (!out.empty())
      out += "\r\n ";
    out += "=?UTF-8?B?" + base64(s.substr(i, n)) + "?=";
    i += n;
  }
  return out;
}

std::string mail_date(int64_t ns) {
  auto t = static_cast<std::time_t>(ns / 1'000'000'000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  static const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[64];
  // Names from tables, not strftime: RFC 5322 wants English whatever the
  // locale.
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000",
                days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
                tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::vector<std::string> mail_headers(const config::email_config& cfg,
                                      const mail_message& m) {
  std::string to;
  for (const auto& r : m.to)
    to += (to.empty() ? "" : ", ") + one_line(r);
  std::vector<std::string> h;
  h.push_back("Date: " + mail_date(m.date_ns));
  h.push_back("From: argus <" + one_line(cfg.from_address) + ">");
  if (!cfg.reply_to.empty())
    h.push_back("Reply-To: " + one_line(cfg.reply_to));
  h.push_back("To: " + to);
  h.push_back("Subject: " + encode_header_text(m.subject));
  h.push_back("Message-ID: <" + one_line(m.message_id) + ">");
  h.push_back("X-Mailer: argus");
  return h;
}

delivery_result send_mail(const config::email_config& cfg,
                          const mail_message& m) {
  delivery_result result;
  if (m.to.empty()) {
    result.error = "no recipients";
    return result;
  }
  curl_guard g;
  g.easy = curl_easy_init();
  if (!g.easy) {
    result.error = "curl_easy_init failed";
    result.retryable = true;
    return result;
  }
  auto* c = g.easy;
  bool implicit_tls = cfg.smtp_port == 465;
  auto url = std::string{implicit_tls ? "smtps://" : "smtp://"}
             + cfg.smtp_server + ":" + std::to_string(cfg.smtp_port);
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  auto timeout = std::max<int64_t>(1000, cfg.timeout.count());
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout));
  // Bounds connect plus greeting, EHLO and STARTTLS (notes/email-smtp.md).
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::max<int64_t>(1000, timeout / 4)));
  if (cfg.use_tls && !implicit_tls)
    curl_easy_setopt(c, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  if (!cfg.ca_file.empty())
    curl_easy_setopt(c, CURLOPT_CAINFO, cfg.ca_file.c_str());
  if (!cfg.username.empty()) {
    curl_easy_setopt(c, CURLOPT_USERNAME, cfg.username.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, cfg.password.reveal().c_str());
  }
  auto from = "<" + one_line(cfg.from_address) + ">";
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
  for (const auto& r : m.to)
    g.recipients
      = curl_slist_append(g.recipients, ("<" + one_line(r) + ">").c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, g.recipients);
  for (const auto& h : mail_headers(cfg, m))
    g.headers = curl_slist_append(g.headers, h.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, g.headers);

  g.mime = curl_mime_init(c);
  curl_mime* related = curl_mime_init(c);
  curl_mimepart* html = curl_mime_addpart(related);
  curl_mime_data(html, m.html.data(), m.html.size());
  curl_mime_type(html, "text/html; charset=utf-8");
  curl_mime_encoder(html, "quoted-printable");
  for (const auto& img : m.images) {
    curl_mimepart* p = curl_mime_addpart(related);
    curl_mime_data(p, img.png.data(), img.png.size());
    curl_mime_type(p, "image/png");
    curl_mime_encoder(p, "base64");
    curl_slist* ph = curl_slist_append(
      nullptr, ("Content-ID: <" + img.content_id + ">").c_str());
    ph = curl_slist_append(ph, "Content-Disposition: inline");
    curl_mime_headers(p, ph, 1);
  }
  curl_mimepart* rel = curl_mime_addpart(g.mime);
  curl_mime_subparts(rel, related);
  curl_mime_type(rel, "multipart/related; type=\"text/html\"");
  for (const auto& a : m.attachments) {
    curl_mimepart* p = curl_mime_addpart(g.mime);
    curl_mime_data(p, a.bytes.data(), a.bytes.size());
    curl_mime_type(p, a.content_type.c_str());
    curl_mime_filename(p, a.filename.c_str());
    curl_mime_encoder(p, "base64");
  }
  curl_easy_setopt(c, CURLOPT_MIMEPOST, g.mime);

  auto rc = curl_easy_perform(c);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &result.smtp_code);
  result.curl_code = static_cast<int>(rc);
  if (rc == CURLE_OK) {
    result.sent = true;
    return result;
  }
  result.retryable = retryable(rc, result.smtp_code);
  result.error = std::string{curl_easy_strerror(rc)}
                 + (errbuf[0] ? std::string{": "} + errbuf : std::string{});
  if (result.smtp_code > 0)
    result.error += " (SMTP " + std::to_string(result.smtp_code) + ")";
  return result;
}

std::chrono::milliseconds retry_delay(unsigned attempt,
                                      std::chrono::milliseconds initial,
                                      std::chrono::milliseconds cap,
                                      double jitter) {
  auto exp = std::min(attempt > 0 ? attempt - 1 : 0u, 30u);
  double full = std::min(static_cast<double>(initial.count())
                           * std::pow(2.0, static_cast<double>(exp)),
                         static_cast<double>(cap.count()));
  jitter = std::clamp(jitter, 0.0, 1.0);
  return std::chrono::milliseconds{
    static_cast<int64_t>(full * (0.5 + 0.5 * jitter))};
}

} // namespace argus::report_scheduler
