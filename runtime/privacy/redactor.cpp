#include "runtime/privacy/redactor.hpp"

#include "messages/error.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <re2/re2.h>

namespace argus::privacy {

namespace {

std::string lower(std::string_view x) {
  std::string out{x};
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  });
  return out;
}

template <class T>
struct is_vector : std::false_type {};
template <class T, class A>
struct is_vector<std::vector<T, A>> : std::true_type {};

template <class T>
struct is_map : std::false_type {};
template <class K, class V, class C, class A>
struct is_map<std::map<K, V, C, A>> : std::true_type {};

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

template <class T>
struct is_pair : std::false_type {};
template <class K, class V>
struct is_pair<std::pair<K, V>> : std::true_type {};

/// Visits every text of a message through CAF's `inspect` (the fields each
/// message declares once, with ARGUS_FIELDS): strings are scrubbed,
/// attributes and string maps redacted by key.
struct text_walker {
  using result_type = void;
  static constexpr bool reads_state = true;
  static constexpr bool writes_state = true;

  const redactor& r;

  template <class... Ts>
  void operator()(Ts&&... xs) {
    (visit(xs), ...);
  }

  /// Map keys through the patterns: a changed key moves its entry (on a
  /// clash with an existing key the first one stays).
  template <class Map>
  void scrub_keys(Map& xs) {
    std::vector<std::pair<std::string, std::string>> changed;
    for (const auto& kv : xs) {
      auto k = kv.first;
      if (r.scrub(k))
        changed.emplace_back(kv.first, std::move(k));
    }
    for (auto& [old, now] : changed) {
      auto node = xs.extract(old);
      node.key() = std::move(now);
      xs.insert(std::move(node));
    }
  }

  template <class T>
  void visit(T& x) {
    using type = std::decay_t<T>;
    if constexpr (std::is_same_v<type, std::string>) {
      r.scrub(x);
    } else if constexpr (
      std::is_same_v<
        type,
        message_header> || std::is_same_v<type, correlation_id> || std::is_same_v<type, span_link> || std::is_arithmetic_v<type> || std::is_enum_v<type> || std::is_same_v<type, caf::meta::type_name_t>) {
      // ids, numbers, names of types: nothing to hide
    } else if constexpr (std::is_same_v<type, attribute>) {
      // A key is a name, but a name can carry what a pattern finds.
      if (x.type == attribute_type::string)
        r.redact(x.key, x.text);
      r.scrub(x.key);
    } else if constexpr (std::is_same_v<type, span_recorded>) {
      // Trace and span ids are hex a pattern must never touch.
      visit(x.operation);
      visit(x.status_message);
      visit(x.attributes);
      visit(x.events);
    } else if constexpr (is_vector<type>::value) {
      for (auto& y : x)
        visit(y);
    } else if constexpr (is_map<type>::value) {
      for (auto& [k, v] : x) {
        if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::string>)
          r.redact(k, v);
        else
          visit(v);
      }
      if constexpr (std::is_same_v<typename type::key_type, std::string>)
        scrub_keys(x);
    } else if constexpr (is_pair<type>::value) {
      if constexpr (std::is_same_v<decltype(x.second), std::string>)
        r.redact(x.first, x.second);
      else
        visit(x.second);
    } else if constexpr (is_optional<type>::value) {
      if (x)
        visit(*x);
    } else {
      inspect(*this, x);
    }
  }
};

template <size_t N>
uint8_t assign_clipped(char (&dst)[N], const std::string& src) {
  auto n = std::min(src.size(), N);
  std::memcpy(dst, src.data(), n);
  return static_cast<uint8_t>(n);
}

} // namespace

caf::expected<std::shared_ptr<const redactor>>
redactor::make(const config::privacy_config& cfg) {
  std::shared_ptr<redactor> result{new redactor};
  for (const auto& k : cfg.redact_keys)
    if (!k.empty())
      result->keys_.push_back(lower(k));
  for (const auto& p : cfg.redact_patterns) {
    auto re = std::make_unique<re2::RE2>(p, re2::RE2::Quiet);
    if (!re->ok())
      return caf::make_error(
        ec::invalid_config, "privacy.redact_patterns: '" + p
                              + "' is not a valid RE2 pattern: " + re->error());
    result->patterns_.push_back(std::move(re));
  }
  result->hash_key_ = cfg.hash_key.reveal();
  return std::shared_ptr<const redactor>{std::move(result)};
}

redactor::~redactor() = default;

namespace {

/// `text` equals `lowered` (already lower case), ignoring the case of
/// ASCII letters in `text`.
bool equals_lowered(std::string_view text, std::string_view lowered) noexcept {
  if (text.size() != lowered.size())
    return false;
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c >= 'A' && c <= 'Z')
      c = static_cast<unsigned char>(c - 'A' + 'a');
    if (c != static_cast<unsigned char>(lowered[i]))
      return false;
  }
  return true;
}

} // namespace

bool redactor::sensitive_key(std::string_view key) const {
  // Runs for every attribute of every event: no copy of the key.
  if (keys_.empty() || key.empty())
    return false;
  for (const auto& sensitive : keys_)
    if (equals_lowered(key, sensitive))
      return true;
  // Any dotted segment: "exchange.api_key", "api_key.primary".
  if (key.find('.') == std::string_view::npos)
    return false;
  size_t start = 0;
  while (start <= key.size()) {
    auto end = key.find('.', start);
    if (end == std::string_view::npos)
      end = key.size();
    auto segment = key.substr(start, end - start);
    for (const auto& sensitive : keys_)
      if (equals_lowered(segment, sensitive))
        return true;
    start = end + 1;
  }
  return false;
}

std::string redactor::replacement(std::string_view value) const {
  redactions_.fetch_add(1, std::memory_order_relaxed);
  if (hash_key_.empty())
    return "[redacted]";
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), hash_key_.data(), static_cast<int>(hash_key_.size()),
       reinterpret_cast<const unsigned char*>(value.data()), value.size(), mac,
       &len);
  static constexpr char digits[] = "0123456789abcdef";
  std::string out = "hmac:";
  for (unsigned i = 0; i < 8 && i < len; ++i) {
    out += digits[mac[i] >> 4];
    out += digits[mac[i] & 0xf];
  }
  return out;
}

bool redactor::scrub(std::string& text) const {
  if (patterns_.empty() || text.empty())
    return false;
  bool changed = false;
  for (const auto& p : patterns_) {
    std::string out;
    re2::StringPiece input{text};
    re2::StringPiece match;
    size_t done = 0; // text up to here is in `out`
    size_t pos = 0;  // where the next search starts
    bool found = false;
    while (
      pos <= text.size()
      && p->Match(input, pos, text.size(), re2::RE2::UNANCHORED, &match, 1)) {
      auto at = static_cast<size_t>(match.data() - text.data());
      if (match.empty()) {
        // Refused at config load; a safe step for a pattern that slipped by.
        pos = at + 1;
        continue;
      }
      out.append(text, done, at - done);
      out += replacement(std::string_view{match.data(), match.size()});
      done = pos = at + match.size();
      found = true;
    }
    if (found) {
      out.append(text, std::min(done, text.size()), std::string::npos);
      text = std::move(out);
      changed = true;
    }
  }
  return changed;
}

bool redactor::redact(std::string_view key, std::string& value) const {
  if (sensitive_key(key)) {
    value = replacement(value);
    return true;
  }
  return scrub(value);
}

void redactor::apply(inbound_event& x) const {
  text_walker w{*this};
  std::visit(
    [&](auto& event) {
      w.visit(event);
    },
    x);
}

void redactor::apply(span_slot& x) const {
  std::string text;
  for (uint8_t i = 0; i < x.attr_count; ++i) {
    auto& a = x.attrs[i];
    if (a.type == attribute_type::string) {
      text.assign(a.text, a.text_len);
      if (redact(std::string_view{a.key, a.key_len}, text))
        a.text_len = assign_clipped(a.text, text);
    }
    text.assign(a.key, a.key_len);
    if (scrub(text))
      a.key_len = assign_clipped(a.key, text);
  }
  text.assign(x.operation, x.operation_len);
  if (scrub(text))
    x.operation_len = assign_clipped(x.operation, text);
  text.assign(x.message, x.message_len);
  if (scrub(text))
    x.message_len = assign_clipped(x.message, text);
  if (x.overflow) {
    text_walker w{*this};
    w.visit(*x.overflow);
  }
}

void redactor::apply(metric_labels& xs) const {
  for (auto& [k, v] : xs) {
    redact(k, v);
    scrub(k);
  }
}

void redactor::apply(std::map<std::string, std::string>& xs) const {
  text_walker w{*this};
  w.visit(xs);
}

} // namespace argus::privacy
