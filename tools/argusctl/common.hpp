#pragma once

// What every argusctl command shares: opening the database or saying why,
// the `--since` time range, numbers and times as table cells, and the table
// renderer whose column widths come from the data.

#include "storage/reader.hpp"

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace argus::ctl {

/// Exit codes: the command failed (e.g. an unreadable database), or its
/// input was invalid (bad flags, a config with errors).
inline constexpr int exit_failed = 1;
inline constexpr int exit_usage = 2;
/// `drift-test` found drift (0: it did not), so a script can branch on it.
inline constexpr int exit_drift = 3;
/// `audit verify` found the hash chain broken.
inline constexpr int exit_audit_broken = 4;

/// Where a command writes: standard output and standard error, or, while a
/// `captured_output` lives on this thread, its buffers (argusd runs the
/// read commands for a remote argusctl this way, on its own threads).
std::ostream& out();
std::ostream& err();

/// Sends this thread's `out()` and `err()` to two buffers for its life;
/// also starts with table headers shown.
class captured_output {
public:
  captured_output();
  ~captured_output();
  captured_output(const captured_output&) = delete;
  captured_output& operator=(const captured_output&) = delete;

  std::string out() const;
  std::string err() const;

private:
  std::unique_ptr<std::ostringstream> out_;
  std::unique_ptr<std::ostringstream> err_;
  std::ostream* prev_out_;
  std::ostream* prev_err_;
  bool prev_headers_;
};

/// Whether the commands built on this thread from now on require `--db`
/// (not when they ask a server: `--server`).
void require_db(bool on) noexcept;
bool db_required() noexcept;

/// Prints `argusctl: <message>` on standard error. @returns `code`.
int fail(const std::string& message, int code = exit_failed);

/// Prints what `err` says. @returns `exit_failed`.
int fail(const caf::error& err);

/// @returns whether `x` holds a value; prints its error if not.
template <class T>
bool ok(const caf::expected<T>& x) {
  if (x)
    return true;
  fail(x.error());
  return false;
}

/// Opens `db` read-only. @returns it, or nullptr after printing why not.
std::unique_ptr<storage::db_reader> open_db(const std::string& db);

/// @returns the start of the range `--since` names: now minus a duration
/// like `15m` or `24h` (empty or `all`: 0, everything), or nothing after
/// printing why the text is not one.
std::optional<int64_t> since_ns(const std::string& since);

/// @returns a wall-clock time as `YYYY-MM-DD HH:MM:SS.mmmZ`, 0 as "never".
std::string time_text(int64_t ns);

/// @returns `ns` in milliseconds with three decimals.
std::string ms_text(int64_t ns);

/// @returns integers plain, other numbers with 6 significant digits, NaN
/// and infinities as "-".
std::string num(double x);

/// @returns `x` with `decimals` decimals.
std::string fixed(double x, int decimals);

/// @returns a byte count for people: `512 B`, `1.5 KiB`, `78.1 GiB`.
std::string bytes_text(double bytes);

/// @returns a duration for people: `850 ns`, `12.5 us`, `3.20 ms`, `4.10 s`,
/// `2m 05s`, `3h 07m`, `2d 04h`.
std::string duration_text(double ns);

/// @returns a metric's value for a table cell, in its unit where the name
/// says it (`_bytes`, `_seconds`, `_ms`, `_us`, `_ns`), else as `num`.
std::string metric_value_text(const std::string& name, double x);

// -- output
// ---------------------------------------------------------------------

/// @returns whether `output` asks for a document (json or yaml), not a table.
bool structured(const std::string& output);

/// Prints `j` as indented JSON, or as YAML for `output == "yaml"` (strings
/// that YAML would read as another type are quoted).
void print_structured(const nlohmann::json& j, const std::string& output);

/// @returns `j` as a YAML document.
std::string to_yaml(const nlohmann::json& j);

/// After a list cut at `limit` rows (`shown == limit`), says so on standard
/// error (standard output stays the list) and how to see more.
void note_if_cut(size_t shown, size_t limit);

/// The one answer to a question the database holds no rows for yet: an
/// empty store is not an error. Prints `no <what> yet` for a table, `empty`
/// for json and yaml. @returns 0.
int nothing_yet(const std::string& what, const std::string& output,
                const nlohmann::json& empty = nlohmann::json::array());

/// `nothing_yet` for a command that read only the range `since` names;
/// with a bounded range, standard error says so and how to see all.
int nothing_yet_since(const std::string& what, const std::string& since,
                      const std::string& output,
                      const nlohmann::json& empty = nlohmann::json::array());

/// A plain-text table: each column as wide as its widest cell (counted in
/// characters, not bytes), two spaces between columns, the last column not
/// padded. Rows shorter than the header are filled with empty cells.
class text_table {
public:
  explicit text_table(std::vector<std::string> headers);

  /// Appends one row.
  void add(std::vector<std::string> cells);

  size_t rows() const noexcept {
    return rows_.size();
  }

  /// Writes the header (unless headers are off) and the rows.
  void print(std::ostream& out) const;

  /// `--no-headers`: tables print their rows only (for scripts).
  /// For the tables printed on this thread.
  static void show_headers(bool on) noexcept;
  static bool headers_shown() noexcept;

  /// @returns what `print` writes.
  std::string str() const;

private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

/// @returns the display width of UTF-8 text (its code points).
size_t text_width(const std::string& text);

} // namespace argus::ctl
