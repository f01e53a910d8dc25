#include "tools/argusctl/common.hpp"

#include "config/load.hpp"
#include "messages/error.hpp"
#include "messages/json_text.hpp"
#include "messages/numbers.hpp"
#include "messages/time.hpp"
#include "storage/schema.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <sstream>

namespace argus::ctl {

namespace {

thread_local std::ostream* out_stream = nullptr;
thread_local std::ostream* err_stream = nullptr;
thread_local bool db_flag_required = true;

} // namespace

std::ostream& out() {
  return out_stream ? *out_stream : std::cout;
}

std::ostream& err() {
  return err_stream ? *err_stream : std::cerr;
}

captured_output::captured_output()
    : out_(std::make_unique<std::ostringstream>()),
      err_(std::make_unique<std::ostringstream>()),
      prev_out_(out_stream),
      prev_err_(err_stream),
      prev_headers_(text_table::headers_shown()) {
  out_stream = out_.get();
  err_stream = err_.get();
  text_table::show_headers(true);
}

captured_output::~captured_output() {
  out_stream = prev_out_;
  err_stream = prev_err_;
  text_table::show_headers(prev_headers_);
}

std::string captured_output::out() const {
  return out_->str();
}

std::string captured_output::err() const {
  return err_->str();
}

void require_db(bool on) noexcept {
  db_flag_required = on;
}

bool db_required() noexcept {
  return db_flag_required;
}

int fail(const std::string& message, int code) {
  err() << "argusctl: " << message << "\n";
  return code;
}

int fail(const caf::error& err) {
  return fail(describe(err));
}

std::unique_ptr<storage::db_reader> open_db(const std::string& db) {
  auto reader = storage::db_reader::open(db);
  if (!reader) {
    fail(reader.error());
    return nullptr;
  }
  return std::move(*reader);
}

std::optional<int64_t> since_ns(const std::string& since) {
  if (since.empty() || since == "all")
    return int64_t{0};
  auto d = config::parse_duration(since);
  if (!d || d->count() < 0) {
    fail("--since wants a duration like 15m or 1h, got '" + since + "'",
         exit_usage);
    return std::nullopt;
  }
  return wall_clock_ns()
         - std::chrono::duration_cast<std::chrono::nanoseconds>(*d).count();
}

std::string time_text(int64_t ns) {
  return ns == 0 ? std::string{"never"} : storage::sql_datetime(ns) + "Z";
}

std::string ms_text(int64_t ns) {
  return fixed(static_cast<double>(ns) / 1e6, 3);
}

std::string num(double x) {
  if (!std::isfinite(x))
    return "-";
  std::ostringstream os;
  if (x == std::floor(x) && std::abs(x) < 1e15)
    os << static_cast<long long>(x);
  else
    os << std::setprecision(6) << x;
  return os.str();
}

std::string fixed(double x, int decimals) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(decimals) << x;
  return os.str();
}

size_t text_width(const std::string& text) {
  size_t n = 0;
  for (unsigned char c : text)
    if ((c & 0xC0) != 0x80)
      ++n;
  return n;
}

std::string bytes_text(double bytes) {
  static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  if (!std::isfinite(bytes))
    return "-";
  double x = std::abs(bytes);
  size_t unit = 0;
  while (x >= 1024 && unit + 1 < std::size(units)) {
    x /= 1024;
    ++unit;
  }
  char buf[48];
  if (unit == 0)
    std::snprintf(buf, sizeof buf, "%.0f B", bytes);
  else
    std::snprintf(buf, sizeof buf, "%.1f %s", bytes < 0 ? -x : x, units[unit]);
  return buf;
}

std::string duration_text(double ns) {
  if (!std::isfinite(ns))
    return "-";
  char buf[48];
  double x = std::abs(ns);
  const char* sign = ns < 0 ? "-" : "";
  if (x < 1e3) {
    std::snprintf(buf, sizeof buf, "%s%.0f ns", sign, x);
  } else if (x < 1e6) {
    std::snprintf(buf, sizeof buf, "%s%.1f us", sign, x / 1e3);
  } else if (x < 1e9) {
    std::snprintf(buf, sizeof buf, "%s%.2f ms", sign, x / 1e6);
  } else if (x < 60e9) {
    std::snprintf(buf, sizeof buf, "%s%.2f s", sign, x / 1e9);
  } else {
    auto s = static_cast<int64_t>(x / 1e9);
    if (s < 3600)
      std::snprintf(buf, sizeof buf, "%s%lldm %02llds", sign,
                    static_cast<long long>(s / 60),
                    static_cast<long long>(s % 60));
    else if (s < 86400)
      std::snprintf(buf, sizeof buf, "%s%lldh %02lldm", sign,
                    static_cast<long long>(s / 3600),
                    static_cast<long long>(s % 3600 / 60));
    else
      std::snprintf(buf, sizeof buf, "%s%lldd %02lldh", sign,
                    static_cast<long long>(s / 86400),
                    static_cast<long long>(s % 86400 / 3600));
  }
  return buf;
}

std::string metric_value_text(const std::string& name, double x) {
  auto ends_with = [&](const char* suffix) {
    std::string_view n{name};
    std::string_view s{suffix};
    return n.size() > s.size() && n.substr(n.size() - s.size()) == s;
  };
  if (ends_with("_bytes"))
    return bytes_text(x);
  if (ends_with("_seconds"))
    return duration_text(x * 1e9);
  if (ends_with("_ms"))
    return duration_text(x * 1e6);
  if (ends_with("_us"))
    return duration_text(x * 1e3);
  if (ends_with("_ns"))
    return duration_text(x);
  return num(x);
}

bool structured(const std::string& output) {
  return output == "json" || output == "yaml";
}

namespace {

/// Whether a plain YAML scalar `s` would be read back as something other
/// than this string (a number, a boolean, null) or not at all.
bool needs_quotes(const std::string& s) {
  if (s.empty() || parse_decimal(s))
    return true;
  std::string lower = s;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  });
  for (const char* word : {"true", "false", "yes", "no", "on", "off", "y", "n",
                           "null", "~", ".inf", "-.inf", ".nan"})
    if (lower == word)
      return true;
  return s.front() == ' ' || s.back() == ' ';
}

void emit(YAML::Emitter& out, const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::object:
      out << YAML::BeginMap;
      for (const auto& [k, v] : j.items()) {
        out << YAML::Key;
        if (needs_quotes(k))
          out << YAML::DoubleQuoted;
        out << k << YAML::Value;
        emit(out, v);
      }
      out << YAML::EndMap;
      break;
    case nlohmann::json::value_t::array:
      out << YAML::BeginSeq;
      for (const auto& v : j)
        emit(out, v);
      out << YAML::EndSeq;
      break;
    case nlohmann::json::value_t::string: {
      const auto& s = j.get_ref<const std::string&>();
      if (needs_quotes(s))
        out << YAML::DoubleQuoted;
      out << s;
      break;
    }
    case nlohmann::json::value_t::null:
    case nlohmann::json::value_t::discarded:
      out << YAML::Null;
      break;
    default:
      // Numbers and booleans as JSON writes them (shortest round trip).
      out << dump_json(j);
      break;
  }
}

} // namespace

std::string to_yaml(const nlohmann::json& j) {
  YAML::Emitter out;
  out.SetIndent(2);
  emit(out, j);
  return out.c_str();
}

void print_structured(const nlohmann::json& j, const std::string& output) {
  if (output == "yaml")
    out() << to_yaml(j) << "\n";
  else
    out() << dump_json(j, 2) << "\n";
}

void note_if_cut(size_t shown, size_t limit) {
  if (limit > 0 && shown >= limit)
    err() << "argusctl: showing the first " << limit
          << "; --limit N for more\n";
}

int nothing_yet(const std::string& what, const std::string& output,
                const nlohmann::json& empty) {
  if (structured(output))
    print_structured(empty, output);
  else
    out() << "no " << what << " yet\n";
  return 0;
}

int nothing_yet_since(const std::string& what, const std::string& since,
                      const std::string& output, const nlohmann::json& empty) {
  if (!since.empty() && since != "all")
    err() << "note: only the last " << since
          << " was read (--since all: everything stored)\n";
  return nothing_yet(what, output, empty);
}

namespace {

thread_local bool show_table_headers = true;

} // namespace

void text_table::show_headers(bool on) noexcept {
  show_table_headers = on;
}

bool text_table::headers_shown() noexcept {
  return show_table_headers;
}

text_table::text_table(std::vector<std::string> headers)
    : headers_(std::move(headers)) {
}

void text_table::add(std::vector<std::string> cells) {
  cells.resize(std::max(cells.size(), headers_.size()));
  rows_.push_back(std::move(cells));
}

void text_table::print(std::ostream& out) const {
  std::vector<size_t> width;
  auto measure = [&](const std::vector<std::string>& row) {
    if (width.size() < row.size())
      width.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i)
      width[i] = std::max(width[i], text_width(row[i]));
  };
  if (show_table_headers)
    measure(headers_);
  for (const auto& r : rows_)
    measure(r);
  auto line = [&](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size(); ++i) {
      out << row[i];
      if (i + 1 < row.size())
        out << std::string(width[i] - text_width(row[i]) + 2, ' ');
    }
    out << "\n";
  };
  if (show_table_headers)
    line(headers_);
  for (const auto& r : rows_)
    line(r);
}

std::string text_table::str() const {
  std::ostringstream os;
  print(os);
  return os.str();
}

} // namespace argus::ctl
