// A JSON batch of events read with nlohmann's SAX parser and written as
// msgpack while it is read: building a document first, copying each event
// into an envelope and serialising that cost three times as much as the
// parse itself, and all of it in allocations.

#include "messages/codec.hpp"
#include "runtime/gateway/ingest.hpp"

#include <msgpack.hpp>

#include <cstring>

#include <nlohmann/json.hpp>

namespace argus::gateway {

namespace {

using nlohmann::json;

/// msgpack-c's packer writes into a std::string through this.
struct string_sink {
  std::string* out;
  void write(const char* p, size_t n) {
    out->append(p, n);
  }
};

const char* const event_shape
  = "an event is {\"type\": name, \"body\": {...}} or [name, {...}]";

/// Writes the batch as the parser reads it. Each container open is one of
/// these roles; values are routed by the role of the container they are in.
class batch_reader final : public nlohmann::json_sax<json> {
public:
  event_batch batch;
  std::string error;

  bool null() override {
    return value([](auto& p) {
      p.pack_nil();
    });
  }
  bool boolean(bool b) override {
    return value([b](auto& p) {
      b ? p.pack_true() : p.pack_false();
    });
  }
  bool number_integer(number_integer_t n) override {
    return value([n](auto& p) {
      p.pack_int64(n);
    });
  }
  bool number_unsigned(number_unsigned_t n) override {
    return value([n](auto& p) {
      p.pack_uint64(n);
    });
  }
  bool number_float(number_float_t x, const string_t&) override {
    return value([x](auto& p) {
      p.pack_double(x);
    });
  }
  bool string(string_t& s) override {
    return value([&s](auto& p) {
      p.pack_str(static_cast<uint32_t>(s.size()));
      p.pack_str_body(s.data(), static_cast<uint32_t>(s.size()));
    });
  }
  bool binary(binary_t& b) override {
    return value([&b](auto& p) {
      p.pack_bin(static_cast<uint32_t>(b.size()));
      p.pack_bin_body(reinterpret_cast<const char*>(b.data()),
                      static_cast<uint32_t>(b.size()));
    });
  }
  bool start_object(std::size_t) override {
    return open(true);
  }
  bool start_array(std::size_t) override {
    return open(false);
  }
  bool end_object() override {
    return close();
  }
  bool end_array() override {
    return close();
  }
  bool key(string_t& k) override {
    switch (roles_.back()) {
      case role::map_value:
        ++counts_.back().n;
        return write_value([&k](auto& p) {
          p.pack_str(static_cast<uint32_t>(k.size()));
          p.pack_str_body(k.data(), static_cast<uint32_t>(k.size()));
        });
      case role::top_object:
        next_ = k == "events" ? slot::events : slot::skip;
        return true;
      case role::event_object:
        next_ = k == "type"   ? slot::type
                : k == "body" ? slot::body
                              : slot::skip;
        return true;
      default:
        return true;
    }
  }
  bool parse_error(std::size_t, const std::string&,
                   const nlohmann::detail::exception& e) override {
    // The byte is what a client needs to find its mistake.
    auto byte = dynamic_cast<const json::parse_error*>(&e);
    error = "malformed JSON at byte "
            + std::to_string(byte != nullptr ? byte->byte : 0) + ": "
            + e.what();
    return false;
  }

  /// After a successful parse: whether the body was a batch at all.
  bool finish() {
    if (!seen_events_ || not_a_batch_) {
      error = "the body is an array of events, or {\"events\": [...]}; "
              "each event {\"type\": name, \"body\": {...}} or [name, {...}] "
              "as in docs/WIRE.md";
      return false;
    }
    return true;
  }

private:
  enum class role : uint8_t {
    top_object,   // {"events": [...], ...}
    events,       // the array of events
    event_object, // {"type": ..., "body": ...}
    skip,         // a value nobody reads
    array_value,  // an array written as msgpack
    map_value,    // an object written as msgpack
  };
  /// What the next value in an object is, by the key before it.
  enum class slot : uint8_t { skip, events, type, body };
  struct open_count {
    size_t header; // where the container's 32-bit count goes in *out_
    uint32_t n;
  };

  std::vector<role> roles_;
  std::vector<open_count> counts_;
  slot next_ = slot::skip;
  bool seen_events_ = false;
  /// "events" is not an array, or given twice.
  bool not_a_batch_ = false;
  /// Where written values go: the batch's buffer, or one of the scratch
  /// strings of an event given as an object.
  std::string* out_ = nullptr;
  std::string type_;
  std::string body_;
  /// The event being read nests deeper than the wire allows.
  bool too_deep_ = false;

  template <class Write>
  bool write_value(Write&& w) {
    string_sink sink{out_};
    msgpack::packer<string_sink> p{sink};
    w(p);
    return true;
  }

  void begin_event() {
    batch.entries.push_back({batch.envelopes.size(), 0, {}});
    too_deep_ = false;
  }

  void end_event() {
    auto& e = batch.entries.back();
    if (too_deep_) {
      batch.envelopes.resize(e.offset);
      e.defect = "nesting deeper than " + std::to_string(codec::max_depth);
      return;
    }
    e.size = batch.envelopes.size() - e.offset;
  }

  /// In an event given as an object: points `out_` at the scratch string
  /// for the value of "type" or "body". @returns whether the value is one.
  bool enter_slot() {
    if (next_ != slot::type && next_ != slot::body)
      return false;
    auto& target = next_ == slot::type ? type_ : body_;
    target.clear();
    out_ = &target;
    return true;
  }

  /// Routes a scalar.
  template <class Write>
  bool value(Write&& w) {
    if (roles_.empty())
      return true; // a scalar body: finish() says what is wrong
    switch (roles_.back()) {
      case role::events:
        begin_event();
        batch.entries.back().defect = event_shape;
        return true;
      case role::top_object:
        if (next_ == slot::events)
          not_a_batch_ = true;
        return true;
      case role::event_object:
        return enter_slot() ? write_value(w) : true;
      case role::array_value:
        ++counts_.back().n;
        return write_value(w);
      case role::map_value:
        return write_value(w);
      case role::skip:
        return true;
    }
    return true;
  }

  bool open(bool object) {
    if (roles_.empty()) {
      roles_.push_back(object ? role::top_object : role::events);
      seen_events_ = !object;
      return true;
    }
    switch (roles_.back()) {
      case role::top_object:
        if (next_ != slot::events) {
          roles_.push_back(role::skip);
        } else if (object || seen_events_) {
          not_a_batch_ = true;
          roles_.push_back(role::skip);
        } else {
          seen_events_ = true;
          roles_.push_back(role::events);
        }
        return true;
      case role::events:
        begin_event();
        if (object) {
          type_.clear(); // a value written is never empty: empty is absent
          body_.clear();
          roles_.push_back(role::event_object);
          return true;
        }
        out_ = &batch.envelopes;
        return open_written(false);
      case role::event_object:
        if (enter_slot())
          return open_written(object);
        roles_.push_back(role::skip);
        return true;
      case role::array_value:
        ++counts_.back().n;
        return open_written(object);
      case role::map_value:
        return open_written(object);
      case role::skip:
        roles_.push_back(role::skip);
        return true;
    }
    return true;
  }

  /// Opens a container that is written, with a 32-bit count patched when
  /// it closes. Past the wire's depth the rest of the event is skipped:
  /// the event is refused, and memory stays bounded by the nesting.
  bool open_written(bool object) {
    // An event given as an object gets its envelope array on top.
    auto envelope_levels = out_ == &batch.envelopes ? 0 : 1;
    if (counts_.size() + envelope_levels >= codec::max_depth + 1) {
      too_deep_ = true;
      roles_.push_back(role::skip);
      return true;
    }
    counts_.push_back({out_->size() + 1, 0});
    const char header[5]
      = {static_cast<char>(object ? 0xdf : 0xdd), 0, 0, 0, 0};
    out_->append(header, sizeof header);
    roles_.push_back(object ? role::map_value : role::array_value);
    return true;
  }

  bool close() {
    auto closing = roles_.back();
    roles_.pop_back();
    switch (closing) {
      case role::array_value:
      case role::map_value: {
        auto [at, n] = counts_.back();
        counts_.pop_back();
        auto* p = out_->data() + at;
        p[0] = static_cast<char>((n >> 24) & 0xff);
        p[1] = static_cast<char>((n >> 16) & 0xff);
        p[2] = static_cast<char>((n >> 8) & 0xff);
        p[3] = static_cast<char>(n & 0xff);
        if (roles_.back() == role::events)
          end_event();
        return true;
      }
      case role::skip:
        return true;
      case role::event_object:
        return end_object_event();
      case role::top_object:
      case role::events:
        return true;
    }
    return true;
  }

  bool end_object_event() {
    auto& e = batch.entries.back();
    if (type_.empty()) {
      e.defect = event_shape;
      return true;
    }
    if (too_deep_) {
      end_event();
      return true;
    }
    auto& out = batch.envelopes;
    out.push_back(static_cast<char>(0x92));
    out += type_;
    if (!body_.empty())
      out += body_;
    else
      out.push_back(static_cast<char>(0x80));
    end_event();
    return true;
  }
};

} // namespace

std::optional<event_batch> read_event_batch(std::string_view body,
                                            std::string& error) {
  batch_reader reader;
  bool parsed = false;
  try {
    parsed = json::sax_parse(body.begin(), body.end(), &reader);
  } catch (const std::exception& e) {
    // nlohmann reports through parse_error; anything else is ours to say.
    reader.error = e.what();
  }
  if (!parsed || !reader.finish()) {
    error = reader.error.empty() ? "not a batch of events" : reader.error;
    return std::nullopt;
  }
  return std::move(reader.batch);
}

} // namespace argus::gateway
