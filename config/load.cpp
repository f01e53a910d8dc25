#include "config/load.hpp"

#include "config/fields.hpp"
#include "messages/error.hpp"
#include "messages/numbers.hpp"
#include "messages/storage.hpp"
#include "messages/suggest.hpp"
#include "messages/utf8.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>
#include <sys/stat.h>

namespace argus::config {

namespace {

/// A `password_file` larger than this is refused unread: a secret is one
/// short line.
constexpr size_t max_secret_file_bytes = 64 * 1024;

// -- shared state of one load ------------------------------------------------

struct context {
  const env_lookup& env;
  std::vector<diagnostic> diagnostics;
  /// Where each key path was found, for validation messages.
  std::map<std::string, YAML::Mark> marks;

  void fail(const std::string& path, const YAML::Mark& mark, std::string msg) {
    auto line = mark.line >= 0 ? mark.line + 1 : 0;
    auto column = mark.column >= 0 ? mark.column + 1 : 0;
    diagnostics.push_back({path, line, column, std::move(msg)});
  }

  /// Attaches the position recorded for `path` (or its closest parent).
  void fail_at_path(const std::string& path, std::string msg) {
    auto probe = path;
    while (!probe.empty()) {
      if (auto i = marks.find(probe); i != marks.end()) {
        fail(path, i->second, std::move(msg));
        return;
      }
      auto cut = probe.find_last_of(".[");
      if (cut == std::string::npos)
        break;
      probe.resize(cut);
    }
    diagnostics.push_back({path, 0, 0, std::move(msg)});
  }
};

/// How deep `${A:-${B:-...}}` defaults may nest.
constexpr int max_expansion_depth = 4;

/// Expands `${VAR}` and `${VAR:-default}`, where the default may itself
/// hold `${...}`; `$$` is a literal `$`.
std::optional<std::string> expand(const std::string& in, const env_lookup& env,
                                  std::string& error, int depth = 0) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '$' || i + 1 >= in.size()) {
      out.push_back(in[i]);
      continue;
    }
    if (in[i + 1] == '$') {
      out.push_back('$');
      ++i;
      continue;
    }
    if (in[i + 1] != '{') {
      out.push_back(in[i]);
      continue;
    }
    // The matching brace: a default's own `${...}` nests.
    size_t close = std::string::npos;
    int open = 1;
    for (size_t k = i + 2; k < in.size(); ++k) {
      if (in[k] == '$' && k + 1 < in.size() && in[k + 1] == '{') {
        ++open;
        ++k;
      } else if (in[k] == '}' && --open == 0) {
        close = k;
        break;
      }
    }
    if (close == std::string::npos) {
      error = "unterminated '${' in value";
      return std::nullopt;
    }
    auto body = in.substr(i + 2, close - i - 2);
    std::optional<std::string> fallback;
    if (auto sep = body.find(":-"); sep != std::string::npos) {
      fallback = body.substr(sep + 2);
      body.resize(sep);
    }
    auto valid_name
      = !body.empty() && std::all_of(body.begin(), body.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
        });
    if (!valid_name) {
      error = "'${" + body + "}' is not a valid environment variable name";
      return std::nullopt;
    }
    auto value = env(body);
    if (!value || (value->empty() && fallback)) {
      if (!fallback) {
        error = "environment variable " + body + " is not set";
        return std::nullopt;
      }
      if (fallback->find("${") != std::string::npos) {
        if (depth + 1 >= max_expansion_depth) {
          error = "defaults nest deeper than "
                  + std::to_string(max_expansion_depth) + " '${...}' levels";
          return std::nullopt;
        }
        fallback = expand(*fallback, env, error, depth + 1);
        if (!fallback)
          return std::nullopt;
      }
      value = fallback;
    }
    out += *value;
    i = close;
  }
  return out;
}

// -- refusing hostile documents before building a node tree -----------------

struct refused {
  YAML::Mark mark;
  std::string message;
};

/// Walks the event stream and throws `refused` on anchors, aliases, deep
/// nesting and keys given twice in one mapping. Runs before `YAML::Load`, so
/// an alias bomb is never expanded and deep nesting never recurses far; and
/// yaml-cpp would otherwise keep the first of two equal keys silently.
class hostile_scan : public YAML::EventHandler {
public:
  void OnDocumentStart(const YAML::Mark&) override {
  }
  void OnDocumentEnd() override {
  }
  void OnNull(const YAML::Mark& m, YAML::anchor_t a) override {
    check_anchor(m, a);
    node(m, nullptr);
  }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t) override {
    throw refused{m, "YAML aliases (*name) are not accepted: expand the "
                     "value where it is used"};
  }
  void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t a,
                const std::string& value) override {
    check_anchor(m, a);
    node(m, &value);
  }
  void OnSequenceStart(const YAML::Mark& m, const std::string&,
                       YAML::anchor_t a, YAML::EmitterStyle::value) override {
    enter(m, a, false);
  }
  void OnSequenceEnd() override {
    open_.pop_back();
  }
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t a,
                  YAML::EmitterStyle::value) override {
    enter(m, a, true);
  }
  void OnMapEnd() override {
    open_.pop_back();
  }

private:
  struct collection {
    bool mapping;
    /// In a mapping, whether the next node is a key.
    bool at_key = true;
    /// The keys seen so far, with where each was.
    std::map<std::string, YAML::Mark> keys;
  };

  void check_anchor(const YAML::Mark& m, YAML::anchor_t a) {
    if (a != YAML::NullAnchor)
      throw refused{m, "YAML anchors (&name) are not accepted: write the "
                       "value out"};
  }

  /// Every node, before a collection opens: in a mapping, keys and values
  /// alternate.
  void node(const YAML::Mark& m, const std::string* scalar) {
    if (open_.empty() || !open_.back().mapping)
      return;
    auto& map = open_.back();
    if (map.at_key && scalar) {
      auto [first, fresh] = map.keys.emplace(*scalar, m);
      if (!fresh)
        throw refused{m, "key '" + *scalar
                           + "' appears twice in one "
                             "mapping (first at line "
                           + std::to_string(first->second.line + 1)
                           + "); remove one"};
    }
    map.at_key = !map.at_key;
  }

  void enter(const YAML::Mark& m, YAML::anchor_t a, bool mapping) {
    check_anchor(m, a);
    node(m, nullptr);
    if (open_.size() >= defaults::max_config_depth)
      throw refused{m, "nesting deeper than "
                         + std::to_string(defaults::max_config_depth)
                         + " levels is not accepted"};
    open_.push_back(collection{mapping, true, {}});
  }

  std::vector<collection> open_;
};

// -- typed reading of one mapping ---------------------------------------------

/// Reads the keys of one YAML mapping into typed fields. Every key read is
/// recorded; `finish` reports the keys nobody asked for.
class reader {
public:
  reader(context& ctx, YAML::Node node, std::string path)
      : ctx_(ctx), node_(std::move(node)), path_(std::move(path)) {
    ctx_.marks[path_] = node_.Mark();
  }

  ~reader() = default;
  reader(reader&&) = default;

  bool is_map() const {
    return node_.IsMap();
  }

  void read(const char* key, bool& out) {
    if (auto s = scalar(key)) {
      if (*s == "true" || *s == "True" || *s == "TRUE" || *s == "yes"
          || *s == "on")
        out = true;
      else if (*s == "false" || *s == "False" || *s == "FALSE" || *s == "no"
               || *s == "off")
        out = false;
      else
        fail(key, "expected a boolean (true or false), got '" + *s + "'");
    }
  }

  template <class Int>
  std::enable_if_t<std::is_integral_v<Int> && !std::is_same_v<Int, bool>>
  read(const char* key, Int& out) {
    if (auto s = scalar(key)) {
      Int value{};
      auto [end, err]
        = std::from_chars(s->data(), s->data() + s->size(), value);
      if (err == std::errc::result_out_of_range)
        fail(key, "is out of range for this field: '" + *s + "'");
      else if (err != std::errc{} || end != s->data() + s->size())
        fail(key, std::string{"expected "}
                    + (std::is_signed_v<Int> ? "an integer"
                                             : "a non-negative integer")
                    + ", got '" + *s + "'");
      else
        out = value;
    }
  }

  void read(const char* key, double& out) {
    if (auto s = scalar(key)) {
      if (auto d = parse_decimal(*s))
        out = *d;
      else
        fail(key, "expected a number, got '" + *s + "'");
    }
  }

  void read(const char* key, std::string& out) {
    if (auto s = scalar(key))
      out = *s;
  }

  void read(const char* key, secret& out) {
    if (auto s = scalar(key))
      out = secret{*s};
  }

  /// Durations: a number of seconds (`5`, `0.25`) or a number with a unit
  /// (`250ms`, `5s`, `10m`, `1h`, `1d`).
  void read(const char* key, milliseconds& out) {
    if (auto s = scalar(key)) {
      if (auto d = to_duration(*s))
        out = *d;
      else
        fail(key, "expected a duration in seconds (e.g. 5, 0.5) or with a "
                  "unit (250ms, 5s, 10m, 1h, 1d), got '"
                    + *s + "'");
    }
  }

  void read(const char* key, std::vector<std::string>& out) {
    auto items = sequence(key);
    if (!items)
      return;
    out.clear();
    for (size_t i = 0; i < items->size(); ++i)
      if (auto s = item_scalar(key, (*items)[i], i))
        out.push_back(*s);
  }

  template <class Enum>
  void read_enum(const char* key, Enum& out) {
    if (auto s = scalar(key))
      if (!parse_enum(*s, out))
        fail(key, "unknown value '" + *s + "'; expected one of "
                    + enum_choices<Enum>());
  }

  template <class Enum>
  void read_enum_list(const char* key, std::vector<Enum>& out) {
    auto items = sequence(key);
    if (!items)
      return;
    out.clear();
    for (size_t i = 0; i < items->size(); ++i) {
      auto s = item_scalar(key, (*items)[i], i);
      if (!s)
        continue;
      Enum value{};
      if (parse_enum(*s, value))
        out.push_back(value);
      else
        ctx_.fail(item_path(key, i), (*items)[i].Mark(),
                  "unknown value '" + *s + "'; expected one of "
                    + enum_choices<Enum>());
    }
  }

  /// A nested mapping; `std::nullopt` if absent or not a mapping (reported).
  std::optional<reader> sub(const char* key) {
    auto child = get(key);
    if (!child)
      return std::nullopt;
    if (!child->IsMap()) {
      fail(key, "expected a mapping of keys to values");
      return std::nullopt;
    }
    return reader{ctx_, *child, path_ + "." + key};
  }

  /// Calls `f(name, reader_or_value_node, path)` for each entry of a nested
  /// mapping whose keys are user-chosen names.
  template <class F>
  bool each_entry(const char* key, F f) {
    auto child = get(key);
    if (!child)
      return false;
    if (!child->IsMap()) {
      fail(key, "expected a mapping of names to values");
      return false;
    }
    for (auto it = child->begin(); it != child->end(); ++it) {
      auto name = it->first.Scalar();
      auto path = path_ + "." + key + "." + name;
      ctx_.marks[path] = it->second.Mark();
      f(name, it->second, path);
    }
    return true;
  }

  /// Reports keys that no `read` asked for, with a hint for near misses.
  void finish() {
    if (!node_.IsMap())
      return;
    for (auto it = node_.begin(); it != node_.end(); ++it) {
      auto key = it->first.Scalar();
      if (seen_.count(key))
        continue;
      auto msg = "unknown key '" + key + "'";
      if (auto hint = closest_name(
            key, std::vector<std::string>{asked_.begin(), asked_.end()}))
        msg += "; did you mean '" + *hint + "'?";
      ctx_.fail(path_ + "." + key, it->first.Mark(), msg);
    }
  }

  context& ctx() {
    return ctx_;
  }

  const std::string& path() const {
    return path_;
  }

  static std::optional<milliseconds> to_duration(const std::string& s) {
    static const std::pair<const char*, double> units[]
      = {{"ms", 1.0}, {"s", 1e3}, {"m", 60e3}, {"h", 3600e3}, {"d", 86400e3}};
    double scale = 1e3;
    auto number = s;
    for (const auto& [suffix, factor] : units) {
      auto n = std::char_traits<char>::length(suffix);
      if (s.size() > n && s.compare(s.size() - n, n, suffix) == 0
          && std::isdigit(static_cast<unsigned char>(s[s.size() - n - 1]))) {
        number = s.substr(0, s.size() - n);
        scale = factor;
        break;
      }
    }
    auto d = parse_decimal(number);
    if (!d || *d * scale > 1e15 || *d * scale < -1e15)
      return std::nullopt;
    return milliseconds{static_cast<int64_t>(std::llround(*d * scale))};
  }

  /// The expanded scalar of `node`, or an error at `path`.
  std::optional<std::string> expand_scalar(const YAML::Node& node,
                                           const std::string& path) {
    if (node.IsNull()) {
      ctx_.fail(path, node.Mark(), "has no value");
      return std::nullopt;
    }
    if (!node.IsScalar()) {
      ctx_.fail(path, node.Mark(),
                node.IsSequence() ? "expected a single value, got a list"
                                  : "expected a single value, got a mapping");
      return std::nullopt;
    }
    std::string error;
    auto result = expand(node.Scalar(), ctx_.env, error);
    if (!result) {
      ctx_.fail(path, node.Mark(), error);
    } else if (first_invalid_utf8(*result)) {
      // The file itself was checked: the bytes came from the environment.
      ctx_.fail(path, node.Mark(),
                "the value from the environment is not valid UTF-8");
      result.reset();
    }
    return result;
  }

private:
  std::optional<YAML::Node> get(const char* key) {
    asked_.insert(key);
    if (!node_.IsMap())
      return std::nullopt;
    for (auto it = node_.begin(); it != node_.end(); ++it) {
      if (it->first.Scalar() == key) {
        seen_.insert(key);
        ctx_.marks[path_ + "." + key] = it->second.Mark();
        return it->second;
      }
    }
    return std::nullopt;
  }

  std::optional<std::string> scalar(const char* key) {
    auto child = get(key);
    if (!child)
      return std::nullopt;
    return expand_scalar(*child, path_ + "." + key);
  }

  std::optional<YAML::Node> sequence(const char* key) {
    auto child = get(key);
    if (!child)
      return std::nullopt;
    if (!child->IsSequence()) {
      fail(key, "expected a list, e.g. [\"a\", \"b\"]");
      return std::nullopt;
    }
    return child;
  }

  std::string item_path(const char* key, size_t i) const {
    return path_ + "." + key + "[" + std::to_string(i) + "]";
  }

  std::optional<std::string> item_scalar(const char* key,
                                         const YAML::Node& item, size_t i) {
    auto path = item_path(key, i);
    ctx_.marks[path] = item.Mark();
    return expand_scalar(item, path);
  }

  void fail(const char* key, std::string msg) {
    auto path = path_ + "." + key;
    auto i = ctx_.marks.find(path);
    ctx_.fail(path, i != ctx_.marks.end() ? i->second : node_.Mark(),
              std::move(msg));
  }

  context& ctx_;
  YAML::Node node_;
  std::string path_;
  std::set<std::string> asked_;
  std::set<std::string> seen_;
};

// -- reading a field table ---------------------------------------------------

/// Walks a field table and reads each key the YAML mapping has.
struct read_fields {
  reader& r;

  template <class T, class... Rules>
  void operator()(const char* key, T& value, const Rules&... rules) {
    if constexpr ((std::is_same_v<Rules, read_from_file> || ...))
      read_file(key, value);
    else if constexpr (sizeof...(Rules) > 0
                       && (is_entries<Rules>::value || ...))
      (read_entries(key, value, rules), ...);
    else
      read_value(key, value);
  }

  template <class T>
  void section(const char* key, T& nested) {
    if (auto s = r.sub(key)) {
      read_fields inner{*s};
      fields(inner, nested);
      s->finish();
    }
  }

private:
  template <class Rule>
  struct is_entries : std::false_type {};
  template <class T>
  struct is_entries<entries_from<T>> : std::true_type {};

  template <class T>
  void read_value(const char* key, T& x) {
    if constexpr (std::is_enum_v<T>)
      r.read_enum(key, x);
    else
      r.read(key, x);
  }

  template <class T>
  void read_value(const char* key, std::vector<T>& xs) {
    if constexpr (std::is_enum_v<T>)
      r.read_enum_list(key, xs);
    else
      r.read(key, xs);
  }

  /// A mapping of window names to whole seconds.
  void read_value(const char* key, std::vector<aggregation_window>& out) {
    std::vector<aggregation_window> windows;
    if (r.each_entry(key, [&](const std::string& name, const YAML::Node& value,
                              const std::string& path) {
          auto s = r.expand_scalar(value, path);
          if (!s)
            return;
          auto d = reader::to_duration(*s);
          if (!d || d->count() % 1000 != 0) {
            r.ctx().fail(path, value.Mark(),
                         "expected a whole number of seconds, got '" + *s
                           + "'");
            return;
          }
          windows.push_back(
            {name, std::chrono::duration_cast<std::chrono::seconds>(*d)});
        }))
      out = std::move(windows);
  }

  void read_value(const char* key, std::map<std::string, std::string>& out) {
    std::map<std::string, std::string> values;
    if (r.each_entry(key, [&](const std::string& name, const YAML::Node& value,
                              const std::string& path) {
          if (auto s = r.expand_scalar(value, path))
            values[name] = *s;
        }))
      out = std::move(values);
  }

  void read_value(const char* key,
                  std::map<std::string, std::chrono::seconds>& out) {
    std::map<std::string, std::chrono::seconds> values;
    if (r.each_entry(key, [&](const std::string& name, const YAML::Node& value,
                              const std::string& path) {
          auto s = r.expand_scalar(value, path);
          if (!s)
            return;
          auto d = reader::to_duration(*s);
          if (!d) {
            r.ctx().fail(path, value.Mark(),
                         "expected a duration (e.g. 7d, 12h), got '" + *s
                           + "'");
            return;
          }
          values[name] = std::chrono::duration_cast<std::chrono::seconds>(*d);
        }))
      out = std::move(values);
  }

  /// A mapping of names to mappings, each read over `from.first`.
  template <class T>
  void read_entries(const char* key, std::map<std::string, T>& out,
                    const entries_from<T>& from) {
    std::map<std::string, T> entries;
    if (r.each_entry(key, [&](const std::string& name, const YAML::Node& value,
                              const std::string& path) {
          if (!value.IsMap()) {
            r.ctx().fail(path, value.Mark(),
                         "expected a mapping of keys to values");
            return;
          }
          auto entry = from.first;
          reader d{r.ctx(), value, path};
          read_fields inner{d};
          fields(inner, entry);
          d.finish();
          entries[name] = std::move(entry);
        }))
      out = std::move(entries);
  }

  template <class T, class Rule>
  void read_entries(const char*, T&, const Rule&) {
  }

  /// The first line of the file the key names.
  void read_file(const char* key, secret& out) {
    std::string file;
    r.read(key, file);
    if (file.empty())
      return;
    auto path = r.path() + "." + key;
    // A secret is one short line: a device (/dev/zero), a directory or a
    // large file is refused before anything is read, so reading is bounded.
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) {
      r.ctx().fail_at_path(path, "cannot read '" + file
                                   + "': " + std::strerror(errno));
      return;
    }
    if (!S_ISREG(st.st_mode)) {
      r.ctx().fail_at_path(path, "'" + file + "' is not a regular file");
      return;
    }
    if (static_cast<uint64_t>(st.st_size) > max_secret_file_bytes) {
      r.ctx().fail_at_path(path, "'" + file + "' is larger than "
                                   + std::to_string(max_secret_file_bytes)
                                   + " bytes; a secret is one line");
      return;
    }
    std::ifstream in{file, std::ios::binary};
    std::string value(max_secret_file_bytes, '\0');
    in.read(value.data(), static_cast<std::streamsize>(value.size()));
    if (in.bad()) {
      r.ctx().fail_at_path(path, "cannot read '" + file + "'");
      return;
    }
    value.resize(static_cast<size_t>(in.gcount()));
    value = value.substr(0, value.find_first_of("\r\n"));
    out = secret{value};
  }
};

} // namespace

std::string to_string(const diagnostic& x) {
  std::string result = x.path;
  if (x.line > 0)
    result += " (line " + std::to_string(x.line) + ", column "
              + std::to_string(x.column) + ")";
  result += ": ";
  result += x.message;
  return result;
}

std::optional<milliseconds> parse_duration(const std::string& text) {
  return reader::to_duration(text);
}

std::optional<std::string> process_env(const std::string& name) {
  if (auto value = std::getenv(name.c_str()))
    return std::string{value};
  return std::nullopt;
}

load_result load_text(std::string_view yaml, const env_lookup& env) {
  load_result result;
  context ctx{env, {}, {}};
  if (yaml.size() > defaults::max_config_file_bytes) {
    result.diagnostics.push_back(
      {"", 0, 0,
       "file is larger than " + std::to_string(defaults::max_config_file_bytes)
         + " bytes; refusing to parse it"});
    return result;
  }
  // YAML is Unicode text, and every value read from here ends up in JSON,
  // logs, e-mails and SQLite: bytes that are not UTF-8 stop here.
  if (auto at = first_invalid_utf8(yaml)) {
    auto before = yaml.substr(0, *at);
    auto line = std::count(before.begin(), before.end(), '\n') + 1;
    auto line_start = before.rfind('\n');
    auto column
      = *at - (line_start == std::string_view::npos ? 0 : line_start + 1) + 1;
    result.diagnostics.push_back(
      {"", static_cast<int>(line), static_cast<int>(column),
       "the file is not valid UTF-8 (byte " + std::to_string(*at) + ")"});
    return result;
  }
  std::string text{yaml};
  YAML::Node root;
  try {
    std::istringstream scan_in{text};
    YAML::Parser parser{scan_in};
    hostile_scan scan;
    parser.HandleNextDocument(scan);
    root = YAML::Load(text);
  } catch (const refused& r) {
    ctx.fail("", r.mark, r.message);
    result.diagnostics = std::move(ctx.diagnostics);
    return result;
  } catch (const YAML::Exception& e) {
    ctx.fail("", e.mark, "YAML syntax error: " + e.msg);
    result.diagnostics = std::move(ctx.diagnostics);
    return result;
  }
  engine_config cfg;
  if (!root.IsMap() || !root["monitoring"]) {
    result.diagnostics.push_back(
      {"monitoring", 0, 0, "the file has no top-level 'monitoring:' section"});
    return result;
  }
  auto node = root["monitoring"];
  if (!node.IsMap()) {
    ctx.fail("monitoring", node.Mark(), "expected a mapping of sections");
  } else {
    reader monitoring{ctx, node, "monitoring"};
    read_fields v{monitoring};
    fields(v, cfg);
    monitoring.finish();
  }
  // Semantic checks run on what could be read, so a file with a type error
  // and a range error reports both.
  for (auto& issue : validate(cfg)) {
    // Skip range checks on keys that already failed to parse.
    auto dup = std::any_of(ctx.diagnostics.begin(), ctx.diagnostics.end(),
                           [&](const diagnostic& d) {
                             return d.path == issue.path;
                           });
    if (!dup)
      ctx.fail_at_path(issue.path, std::move(issue.message));
  }
  std::stable_sort(ctx.diagnostics.begin(), ctx.diagnostics.end(),
                   [](const diagnostic& a, const diagnostic& b) {
                     return std::tie(a.line, a.column)
                            < std::tie(b.line, b.column);
                   });
  result.diagnostics = std::move(ctx.diagnostics);
  if (result.diagnostics.empty())
    result.config = std::move(cfg);
  return result;
}

load_result load_file(const std::string& path, const env_lookup& env) {
  load_result result;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    result.diagnostics.push_back(
      {"", 0, 0, "cannot read '" + path + "': " + std::strerror(errno)});
    return result;
  }
  if (!S_ISREG(st.st_mode)) {
    result.diagnostics.push_back(
      {"", 0, 0, "'" + path + "' is not a regular file"});
    return result;
  }
  if (static_cast<uint64_t>(st.st_size) > defaults::max_config_file_bytes) {
    result.diagnostics.push_back(
      {"", 0, 0,
       "'" + path + "' is " + std::to_string(st.st_size)
         + " bytes, more than the limit of "
         + std::to_string(defaults::max_config_file_bytes)
         + "; refusing to parse it"});
    return result;
  }
  std::ifstream in{path, std::ios::binary};
  std::string text(defaults::max_config_file_bytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  return load_text(text, env);
}

caf::expected<engine_config> load(const std::string& path) {
  auto result = load_file(path);
  if (result.ok())
    return std::move(*result.config);
  std::string all;
  for (const auto& d : result.diagnostics) {
    if (!all.empty())
      all += "\n";
    all += to_string(d);
  }
  return caf::make_error(ec::invalid_config, path + ":\n" + all);
}

namespace {

/// Walks a field table and writes each value as JSON: durations in
/// seconds, enums by name, secrets as `***`.
struct dump_fields {
  nlohmann::json& out;

  template <class T, class... Rules>
  void operator()(const char* key, const T& value, const Rules&...) {
    // A secret read from a file is dumped under its own key.
    if constexpr (!(std::is_same_v<Rules, read_from_file> || ...))
      out[key] = dump(value);
  }

  template <class T>
  void section(const char* key, const T& nested) {
    out[key] = dump(nested);
  }

  template <class T>
  static nlohmann::json dump(const T& x) {
    if constexpr (std::is_enum_v<T>)
      return to_string(x);
    else if constexpr (std::is_arithmetic_v<
                         T> || std::is_same_v<T, std::string>)
      return x;
    else
      return table(x);
  }

  static nlohmann::json dump(const secret& x) {
    return to_string(x);
  }

  static nlohmann::json dump(milliseconds x) {
    return x.count() / 1000.0;
  }

  static nlohmann::json dump(std::chrono::seconds x) {
    return x.count();
  }

  template <class T>
  static nlohmann::json dump(const std::vector<T>& xs) {
    auto arr = nlohmann::json::array();
    for (const auto& x : xs)
      arr.push_back(dump(x));
    return arr;
  }

  static nlohmann::json dump(const std::vector<aggregation_window>& xs) {
    auto obj = nlohmann::json::object();
    for (const auto& w : xs)
      obj[w.name] = w.length.count();
    return obj;
  }

  template <class T>
  static nlohmann::json dump(const std::map<std::string, T>& xs) {
    auto obj = nlohmann::json::object();
    for (const auto& [name, x] : xs)
      obj[name] = dump(x);
    return obj;
  }

  /// A struct with a field table of its own.
  template <class T>
  static nlohmann::json table(const T& x) {
    auto obj = nlohmann::json::object();
    dump_fields v{obj};
    fields(v, x);
    return obj;
  }
};

} // namespace

nlohmann::json to_json(const engine_config& x) {
  return dump_fields::table(x);
}

} // namespace argus::config
