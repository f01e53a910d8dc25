#include "tools/argusctl/common.hpp"

#include "config/load.hpp"
#include "messages/error.hpp"
#include "messages/time.hpp"
#include "storage/schema.hpp"

#include <chrono>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <sstream>

namespace argus::ctl {

int fail(const std::string& message, int code) {
  std::cerr << "argusctl: " << message << "\n";
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
  if (since.empty())
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
