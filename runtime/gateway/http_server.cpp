#include "runtime/gateway/http_server.hpp"

#include "runtime/gateway/websocket/deflate.hpp"
#include "runtime/gateway/websocket/frames.hpp"
#include "runtime/gateway/websocket/handshake.hpp"

#include <array>
#include <atomic>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/http/span_body.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

namespace argus::gateway {

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
namespace ws = argus::gateway::websocket;
using tcp = net::ip::tcp;
using tls_stream = beast::ssl_stream<beast::tcp_stream>;

/// What outlives the server object for the sessions and responders still
/// holding it: the counters and whether responses may still be written.
struct shared_state {
  http_server_options opts;
  request_handler handler;
  upgrade_handler upgrade;
  std::atomic<bool> stopped{false};
  std::atomic<uint64_t> open{0};
  std::atomic<uint64_t> accepted{0};
  std::atomic<uint64_t> refused_cap{0};
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> header_too_large{0};
  std::atomic<uint64_t> body_too_large{0};
  std::atomic<uint64_t> malformed{0};
  std::atomic<uint64_t> timeouts{0};
  std::atomic<uint64_t> tls_handshake_failures{0};
  std::atomic<uint64_t> ws_open{0};
  std::atomic<uint64_t> ws_accepted{0};
  std::atomic<uint64_t> ws_refused{0};
  std::atomic<uint64_t> ws_closed_slow{0};
  /// Ended by the heartbeat (no pong, nothing read within idle_timeout).
  std::atomic<uint64_t> ws_timed_out{0};
  /// Closed with 1009: a client message over read_message_max.
  std::atomic<uint64_t> ws_too_big{0};
  /// Each message sent to many clients, deflated once.
  ws::shared_deflate deflate;
  /// Frames sent compressed (with `deflate.deflated()`: how many clients
  /// each deflation served).
  std::atomic<uint64_t> ws_frames_compressed{0};
  std::atomic<uint64_t> ws_frames_sent{0};
};

/// How long a connection is drained after an error answer (below).
constexpr auto linger_time = std::chrono::seconds{2};
constexpr size_t linger_bytes = 4 * 1024 * 1024;

/// A plain response for the failures the listener answers itself.
http::response<http::string_body> canned(unsigned status, std::string title,
                                         std::string detail) {
  http::response<http::string_body> res{static_cast<http::status>(status), 11};
  res.set(http::field::server, "argus");
  res.set(http::field::content_type, "application/problem+json");
  // The texts are fixed ASCII written here: no escaping needed.
  res.body() = "{\"type\":\"about:blank\",\"title\":\"" + title
               + "\",\"status\":" + std::to_string(status) + ",\"detail\":\""
               + detail + "\"}";
  res.keep_alive(false);
  res.prepare_payload();
  return res;
}

/// Answers the client's own requests that wait to be sent, at most: a
/// client that keeps asking without reading is closed.
constexpr size_t max_pending_answers = 64;

/// How long a closing handshake may take (the client's close frame, or a
/// close frame that cannot be written to a client that stopped reading)
/// before the connection is simply dropped.
constexpr auto close_deadline = std::chrono::seconds{5};

/// One WebSocket connection after the opening handshake, on its own framing
/// (websocket/frames.hpp) rather than Beast's stream: every message
/// published to many clients is compressed once and the same bytes are
/// written to each (websocket/deflate.hpp), which Beast 1.74 cannot do (it
/// compresses per stream, in its write). One write at a time: control
/// frames first (pong, ping, close), then the client's answers, then the
/// endpoint's frames; a read always pending, so pings and closes are seen.
template <class Stream>
class ws_session : public std::enable_shared_from_this<ws_session<Stream>> {
public:
  ws_session(Stream&& stream, std::shared_ptr<shared_state> st,
             websocket_endpoint ep,
             std::optional<ws::deflate_agreement> deflate)
      : stream_(std::move(stream)),
        st_(std::move(st)),
        ep_(std::move(ep)),
        reader_(ep_.read_message_max, deflate.has_value(),
                deflate && deflate->client_no_context_takeover),
        deflate_(deflate.has_value()),
        heartbeat_(stream_.get_executor()),
        deadline_(stream_.get_executor()) {
    st_->open.fetch_add(1, std::memory_order_relaxed);
    st_->ws_open.fetch_add(1, std::memory_order_relaxed);
  }

  ~ws_session() {
    st_->ws_open.fetch_sub(1, std::memory_order_relaxed);
    st_->open.fetch_sub(1, std::memory_order_relaxed);
    if (opened_ && ep_.on_close)
      ep_.on_close();
  }

  /// Writes the 101 answer, then runs the connection.
  void run(std::shared_ptr<http::response<http::empty_body>> switching,
           std::string_view early) {
    reader_.feed(early);
    lowest().expires_after(std::chrono::seconds{30});
    http::async_write(stream_, *switching,
                      [self = this->shared_from_this(),
                       switching](beast::error_code ec, std::size_t) {
                        self->lowest().expires_never();
                        if (ec)
                          return self->teardown();
                        self->open();
                      });
  }

private:
  beast::tcp_stream& lowest() {
    return beast::get_lowest_layer(stream_);
  }

  void open() {
    opened_ = true;
    st_->ws_accepted.fetch_add(1, std::memory_order_relaxed);
    last_read_ = std::chrono::steady_clock::now();
    std::weak_ptr<ws_session> weak = this->shared_from_this();
    auto exec = stream_.get_executor();
    if (ep_.on_open)
      ep_.on_open([weak, exec](bool close) {
        net::post(exec, [weak, close] {
          if (auto self = weak.lock())
            close ? self->close_slow() : self->pump();
        });
      });
    beat();
    if (on_frames())
      read();
    pump();
  }

  void read() {
    stream_.async_read_some(
      net::buffer(rbuf_),
      [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
        if (ec)
          return self->teardown();
        self->last_read_ = std::chrono::steady_clock::now();
        self->pinged_ = false;
        self->reader_.feed({self->rbuf_.data(), n});
        if (self->on_frames())
          self->read();
      });
  }

  /// Handles what the reader found. @returns whether to read on.
  bool on_frames() {
    while (auto e = reader_.next()) {
      switch (e->what) {
        case ws::read_event::kind::message:
          if (close_queued_)
            break;
          on_message(*e);
          break;
        case ws::read_event::kind::ping:
          // Only the last ping needs its pong (RFC 6455 §5.5.3).
          pong_ = std::move(e->payload);
          pump();
          break;
        case ws::read_event::kind::pong:
          break;
        case ws::read_event::kind::close:
          close_received_ = true;
          if (close_sent_) {
            teardown();
            return false;
          }
          // Echo the client's code (none if it gave none).
          close_with(e->code, {}, true);
          return true;
        case ws::read_event::kind::error:
          if (e->code == ws::close_code::too_big)
            st_->ws_too_big.fetch_add(1, std::memory_order_relaxed);
          // The connection has failed: no need to wait for the client's
          // close after ours.
          close_with(e->code, e->payload, true);
          return false;
      }
    }
    return true;
  }

  void on_message(const ws::read_event& e) {
    std::string answer;
    if (e.binary)
      answer = R"({"type":"error","reason":"binary messages are not )"
               R"(understood: send JSON text"})";
    else if (ep_.on_message)
      answer = ep_.on_message(e.payload);
    if (answer.empty())
      return;
    if (answers_.size() >= max_pending_answers)
      return close_with(ws::close_code::policy_violation,
                        "too many requests unread", true);
    answers_.push_back(std::make_shared<const std::string>(std::move(answer)));
    pump();
  }

  /// Pings at half the idle time; a client that sent nothing (pongs
  /// included) within the idle time is frozen or gone, and dropped.
  void beat() {
    auto period = std::max<std::chrono::milliseconds>(
      std::chrono::duration_cast<std::chrono::milliseconds>(ep_.idle_timeout)
        / 4,
      std::chrono::milliseconds{50});
    heartbeat_.expires_after(period);
    heartbeat_.async_wait(
      [self = this->shared_from_this()](beast::error_code ec) {
        if (ec || self->done_)
          return;
        auto quiet = std::chrono::steady_clock::now() - self->last_read_;
        if (quiet >= self->ep_.idle_timeout) {
          self->st_->ws_timed_out.fetch_add(1, std::memory_order_relaxed);
          return self->teardown();
        }
        if (quiet >= self->ep_.idle_timeout / 2 && !self->pinged_) {
          self->pinged_ = true;
          self->ping_ = true;
          self->pump();
        }
        self->beat();
      });
  }

  void pump() {
    // Nothing at all follows a close frame (RFC 6455 §5.5.1).
    if (writing_ || done_ || close_sent_)
      return;
    // Control frames go first, between messages.
    std::string control;
    if (close_queued_) {
      control = ws::frame(ws::opcode::close, close_frame_);
      writing_close_ = true;
    } else if (pong_) {
      control = ws::frame(ws::opcode::pong, *pong_);
      pong_.reset();
    } else if (ping_) {
      control = ws::frame(ws::opcode::ping, {});
      ping_ = false;
    }
    if (!control.empty()) {
      header_ = std::move(control);
      body_.reset();
      return write();
    }
    std::shared_ptr<const std::string> frame;
    if (!answers_.empty()) {
      frame = std::move(answers_.front());
      answers_.pop_front();
    } else if (ep_.next) {
      frame = ep_.next();
    }
    if (!frame)
      return;
    bool compressed = deflate_ && frame->size() >= ws::deflate_threshold;
    body_ = compressed ? st_->deflate.get(frame) : std::move(frame);
    st_->ws_frames_sent.fetch_add(1, std::memory_order_relaxed);
    if (compressed)
      st_->ws_frames_compressed.fetch_add(1, std::memory_order_relaxed);
    header_ = ws::frame_header(ws::opcode::text, body_->size(), compressed);
    write();
  }

  void write() {
    writing_ = true;
    std::array<net::const_buffer, 2> bufs{
      net::buffer(header_), body_ ? net::buffer(*body_) : net::const_buffer{}};
    net::async_write(
      stream_, bufs,
      [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
        self->writing_ = false;
        self->body_.reset();
        if (ec)
          return self->teardown();
        if (self->writing_close_) {
          self->writing_close_ = false;
          self->close_sent_ = true;
          // The close handshake is complete, or the
          // connection failed: nothing more to say.
          if (self->close_received_ || self->drop_after_close_)
            return self->teardown();
        }
        self->pump();
      });
  }

  void close_slow() {
    if (close_queued_ || done_)
      return;
    st_->ws_closed_slow.fetch_add(1, std::memory_order_relaxed);
    close_with(ws::close_code::try_again_later, "too slow: messages dropped",
               false);
  }

  /// Sends a close frame once, after the write in flight. `drop_after`:
  /// end the connection once it is written (a reply to the client's close,
  /// or a failed connection) instead of waiting for the client's close.
  void close_with(ws::close_code code, std::string_view reason,
                  bool drop_after) {
    if (close_queued_ || done_)
      return;
    close_queued_ = true;
    drop_after_close_ = drop_after;
    answers_.clear();
    close_frame_ = code == ws::close_code::no_status
                     ? ""
                     : ws::close_payload(code, reason);
    // A client that stopped reading never takes the close frame either.
    deadline_.expires_after(close_deadline);
    deadline_.async_wait(
      [self = this->shared_from_this()](beast::error_code ec) {
        if (!ec)
          self->teardown();
      });
    pump();
  }

  void teardown() {
    if (done_)
      return;
    done_ = true;
    heartbeat_.cancel();
    deadline_.cancel();
    // The WebSocket closing handshake was the goodbye. A TLS close_notify
    // is not attempted: it would be a second write or read beside the ones
    // in flight, which an SSL stream does not allow. Closing the socket
    // ends those too.
    beast::error_code ec;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
    lowest().close();
  }

  Stream stream_;
  std::shared_ptr<shared_state> st_;
  websocket_endpoint ep_;
  ws::frame_reader reader_;
  bool deflate_;
  /// Clients send small requests: one read's worth at a time is plenty.
  std::array<char, 4096> rbuf_{};
  net::steady_timer heartbeat_;
  net::steady_timer deadline_;
  std::chrono::steady_clock::time_point last_read_;
  std::deque<std::shared_ptr<const std::string>> answers_;
  /// The frame being written: its header (or a whole control frame) and
  /// the payload, shared with every other connection sending it.
  std::string header_;
  std::shared_ptr<const std::string> body_;
  std::optional<std::string> pong_;
  std::string close_frame_;
  bool ping_ = false;
  bool pinged_ = false;
  bool opened_ = false;
  bool writing_ = false;
  bool writing_close_ = false;
  bool close_queued_ = false;
  bool close_sent_ = false;
  bool close_received_ = false;
  bool drop_after_close_ = false;
  bool done_ = false;
};

/// One connection, plain or TLS (`Stream` is `beast::tcp_stream` or
/// `tls_stream`).
template <class Stream>
class session : public std::enable_shared_from_this<session<Stream>> {
public:
  static constexpr bool is_tls = std::is_same_v<Stream, tls_stream>;

  template <class... Ts>
  session(tcp::socket&& socket, std::shared_ptr<shared_state> st, Ts&... tls)
      : stream_(std::move(socket), tls...), st_(std::move(st)) {
    beast::error_code ec;
    auto ep = lowest().socket().remote_endpoint(ec);
    if (!ec)
      peer_ = (ep.address().is_v6() ? "[" + ep.address().to_string() + "]"
                                    : ep.address().to_string())
              + ":" + std::to_string(ep.port());
    st_->open.fetch_add(1, std::memory_order_relaxed);
  }

  ~session() {
    st_->open.fetch_sub(1, std::memory_order_relaxed);
  }

  void run() {
    net::dispatch(lowest().get_executor(), [self = this->shared_from_this()] {
      self->handshake([self] {
        self->read();
      });
    });
  }

  /// Writes a canned answer and closes (connection cap).
  void refuse(http::response<http::string_body> res) {
    auto self = this->shared_from_this();
    auto msg
      = std::make_shared<http::response<http::string_body>>(std::move(res));
    handshake([self, msg] {
      self->answer_and_close(std::move(*msg));
    });
  }

private:
  beast::tcp_stream& lowest() {
    return beast::get_lowest_layer(stream_);
  }

  /// Runs `next` once the connection is ready for HTTP: at once when plain,
  /// after the TLS handshake (within the read timeout) when not.
  template <class F>
  void handshake(F next) {
    if constexpr (is_tls) {
      lowest().expires_after(st_->opts.read_timeout);
      stream_.async_handshake(
        ssl::stream_base::server,
        [self = this->shared_from_this(), next](beast::error_code ec) {
          if (ec) {
            // A plain-text client, an unknown CA, a scanner: nothing to
            // answer in a protocol both speak.
            self->st_->tls_handshake_failures.fetch_add(
              1, std::memory_order_relaxed);
            return self->lowest().close();
          }
          next();
        });
    } else {
      next();
    }
  }

  void read() {
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(st_->opts.header_limit));
    parser_->body_limit(st_->opts.body_limit);
    lowest().expires_after(st_->opts.read_timeout);
    http::async_read(
      stream_, buffer_, *parser_,
      beast::bind_front_handler(&session::on_read, this->shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream || ec == net::error::eof
        || ec == net::error::connection_reset
        || ec == ssl::error::stream_truncated)
      return close();
    if (ec == beast::error::timeout) {
      // An idle keep-alive connection, or a request that never arrived
      // whole: nothing to answer once the client has gone quiet.
      if (buffer_.size() > 0 || parser_->got_some())
        st_->timeouts.fetch_add(1, std::memory_order_relaxed);
      return close();
    }
    if (ec == http::error::header_limit) {
      st_->header_too_large.fetch_add(1, std::memory_order_relaxed);
      return fail(431, "Request Header Fields Too Large",
                  "request line and header fields exceed "
                    + std::to_string(st_->opts.header_limit) + " bytes");
    }
    if (ec == http::error::body_limit) {
      st_->body_too_large.fetch_add(1, std::memory_order_relaxed);
      return fail(413, "Content Too Large",
                  "request body exceeds " + std::to_string(st_->opts.body_limit)
                    + " bytes");
    }
    if (ec) {
      st_->malformed.fetch_add(1, std::memory_order_relaxed);
      return fail(400, "Bad Request", "malformed HTTP request");
    }
    auto msg = parser_->release();
    // Beast limits the request line and the header fields each on its own;
    // the limit is on both together (as sent in canonical form: one space
    // after each colon), the blank line that ends them included.
    size_t header_bytes
      = msg.method_string().size() + 1 + msg.target().size() + 11 + 2;
    for (const auto& f : msg)
      header_bytes += f.name_string().size() + 2 + f.value().size() + 2;
    if (header_bytes > st_->opts.header_limit) {
      st_->header_too_large.fetch_add(1, std::memory_order_relaxed);
      return fail(431, "Request Header Fields Too Large",
                  "request line and header fields exceed "
                    + std::to_string(st_->opts.header_limit) + " bytes");
    }
    st_->requests.fetch_add(1, std::memory_order_relaxed);
    http_request req;
    req.method = std::string{msg.method_string()};
    req.target = std::string{msg.target()};
    auto q = req.target.find('?');
    bool ok = true;
    req.path
      = percent_decode(std::string_view{req.target}.substr(0, q), false, ok);
    if (q != std::string::npos)
      req.query = req.target.substr(q + 1);
    req.headers.reserve(16);
    for (const auto& f : msg) {
      std::string name{f.name_string()};
      for (auto& c : name)
        if (c >= 'A' && c <= 'Z')
          c = static_cast<char>(c - 'A' + 'a');
      req.headers.emplace_back(std::move(name), std::string{f.value()});
    }
    req.body = std::move(msg.body());
    req.peer = peer_;
    req.keep_alive = msg.keep_alive();
    if (!ok || req.path.empty() || req.path[0] != '/') {
      st_->malformed.fetch_add(1, std::memory_order_relaxed);
      return fail(400, "Bad Request", "the request target is not a valid path");
    }
    if (st_->upgrade && beast::websocket::is_upgrade(msg))
      return upgrade(std::move(req), std::move(msg));
    // No timer while the handler works: the deadline is the handler's.
    lowest().expires_never();
    auto self = this->shared_from_this();
    auto st = st_;
    bool keep_alive = req.keep_alive;
    responder respond = [self, st, keep_alive](http_response res) {
      if (st->stopped.load(std::memory_order_acquire))
        return;
      net::post(self->lowest().get_executor(),
                [self, keep_alive, res = std::move(res)]() mutable {
                  self->write(std::move(res), keep_alive);
                });
    };
    try {
      st_->handler(std::move(req), std::move(respond));
    } catch (...) {
      fail(500, "Internal Server Error", "the request could not be handled");
    }
  }

  /// Hands the connection to a WebSocket session, or answers the refusal.
  void upgrade(http_request req, http::request<http::string_body> msg) {
    // The opening handshake is checked before the endpoint is asked, so a
    // malformed one never takes a place in the hub (RFC 6455 §4.2.1).
    auto key = msg[http::field::sec_websocket_key];
    if (msg[http::field::sec_websocket_version] != "13") {
      st_->ws_refused.fetch_add(1, std::memory_order_relaxed);
      auto res = canned(426, "Upgrade Required",
                        "only WebSocket version 13 is spoken here");
      res.set(http::field::sec_websocket_version, "13");
      return answer_and_close(std::move(res));
    }
    if (!ws::valid_key(key)) {
      st_->ws_refused.fetch_add(1, std::memory_order_relaxed);
      return answer_and_close(
        canned(400, "Bad Request",
               "Sec-WebSocket-Key is missing or not 16 bytes in base64"));
    }
    http_response refusal;
    std::optional<websocket_endpoint> ep;
    try {
      ep = st_->upgrade(req, refusal);
    } catch (...) {
      refusal = http_response{};
      refusal.status = 500;
    }
    if (!ep) {
      st_->ws_refused.fetch_add(1, std::memory_order_relaxed);
      refusal.close = true;
      return write(std::move(refusal), false);
    }
    std::optional<ws::deflate_agreement> deflate;
    if (ep->deflate) {
      std::string offers;
      auto [first, last]
        = msg.equal_range(http::field::sec_websocket_extensions);
      for (auto f = first; f != last; ++f)
        offers.append(offers.empty() ? "" : ", ").append(f->value());
      deflate = ws::negotiate_deflate(offers);
    }
    auto res = std::make_shared<http::response<http::empty_body>>(
      http::status::switching_protocols, 11);
    res->set(http::field::server, "argus");
    res->set(http::field::upgrade, "websocket");
    res->set(http::field::connection, "upgrade");
    res->set(http::field::sec_websocket_accept, ws::accept_key(key));
    if (deflate)
      res->set(http::field::sec_websocket_extensions, deflate->response);
    // Frames the client sent right behind its request are the session's.
    auto early = beast::buffers_to_string(buffer_.data());
    lowest().expires_never();
    auto s = std::make_shared<ws_session<Stream>>(
      std::move(stream_), st_, std::move(*ep), std::move(deflate));
    s->run(std::move(res), early);
  }

  void answer_and_close(http::response<http::string_body> res) {
    auto msg
      = std::make_shared<http::response<http::string_body>>(std::move(res));
    lowest().expires_after(std::chrono::seconds{5});
    http::async_write(
      stream_, *msg,
      [self = this->shared_from_this(), msg](beast::error_code, std::size_t) {
        self->close();
      });
  }

  void write(http_response r, bool keep_alive) {
    if (r.shared_body) {
      // The shared text is kept alive by the completion handler.
      auto text = std::move(r.shared_body);
      auto res = std::make_shared<http::response<http::span_body<const char>>>(
        static_cast<http::status>(r.status), 11);
      res->body() = {text->data(), text->size()};
      send(std::move(res), std::move(r), keep_alive, std::move(text));
      return;
    }
    auto res = std::make_shared<http::response<http::string_body>>(
      static_cast<http::status>(r.status), 11);
    res->body() = std::move(r.body);
    send(std::move(res), std::move(r), keep_alive, nullptr);
  }

  template <class Body>
  void send(std::shared_ptr<http::response<Body>> res, http_response r,
            bool keep_alive, std::shared_ptr<const std::string> keep) {
    res->set(http::field::server, "argus");
    if (!r.content_type.empty())
      res->set(http::field::content_type, r.content_type);
    for (auto& [k, v] : r.headers)
      res->set(k, v);
    res->keep_alive(keep_alive && !r.close);
    res->prepare_payload();
    lowest().expires_after(st_->opts.read_timeout);
    http::async_write(
      stream_, *res,
      [self = this->shared_from_this(), res,
       keep = std::move(keep)](beast::error_code ec, std::size_t) {
        if (ec || !res->keep_alive())
          return self->close();
        self->read();
      });
  }

  /// Answers an error and closes. The client may still be sending (a body
  /// over the limit): closing at once would make the kernel answer its
  /// next bytes with a reset, which can destroy the answer before the
  /// client reads it; so the rest is drained for a while first.
  void fail(unsigned status, std::string title, std::string detail) {
    auto res = std::make_shared<http::response<http::string_body>>(
      canned(status, std::move(title), std::move(detail)));
    lowest().expires_after(std::chrono::seconds{5});
    http::async_write(stream_, *res,
                      [self = this->shared_from_this(),
                       res](beast::error_code ec, std::size_t) {
                        if (ec)
                          return self->close();
                        self->linger();
                      });
  }

  void linger() {
    if constexpr (is_tls) {
      // TLS: the shutdown exchange reads (and discards) what still comes,
      // within the timeout.
      close();
    } else {
      beast::error_code ec;
      lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
      lowest().expires_after(linger_time);
      drain();
    }
  }

  void drain() {
    scratch_.resize(16 * 1024);
    lowest().async_read_some(
      net::buffer(scratch_),
      [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
        self->drained_ += n;
        if (ec || self->drained_ >= linger_bytes)
          return self->lowest().close();
        self->drain();
      });
  }

  void close() {
    if constexpr (is_tls) {
      lowest().expires_after(std::chrono::seconds{2});
      stream_.async_shutdown(
        [self = this->shared_from_this()](beast::error_code) {
          self->lowest().close();
        });
    } else {
      beast::error_code ec;
      lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
      lowest().close();
    }
  }

  Stream stream_;
  std::vector<char> scratch_;
  size_t drained_ = 0;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<shared_state> st_;
  std::string peer_;
};

class beast_server final : public http_server {
public:
  beast_server(std::shared_ptr<shared_state> st)
      : st_(std::move(st)), acceptor_(net::make_strand(ioc_)) {
  }

  /// Loads the certificate chain and key (PEM). @returns false with `error`
  /// set if either cannot be loaded or they do not match.
  bool use_tls(const std::string& certificate, const std::string& key,
               std::string& error) {
    tls_.emplace(ssl::context::tls_server);
    tls_->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2
                      | ssl::context::no_sslv3 | ssl::context::no_tlsv1
                      | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
    beast::error_code ec;
    tls_->use_certificate_chain_file(certificate, ec);
    if (ec) {
      error = "cannot load the TLS certificate '" + certificate
              + "': " + ec.message();
      return false;
    }
    tls_->use_private_key_file(key, ssl::context::pem, ec);
    // OpenSSL checks the pair as it loads the key ("key values mismatch").
    if ((ec && ec.message().find("mismatch") != std::string::npos)
        || (!ec && SSL_CTX_check_private_key(tls_->native_handle()) != 1)) {
      error = "the TLS key '" + key + "' does not belong to the certificate '"
              + certificate + "'";
      return false;
    }
    if (ec) {
      error = "cannot load the TLS key '" + key + "': " + ec.message();
      return false;
    }
    return true;
  }

  ~beast_server() override {
    stop();
  }

  bool listen(std::string& error) {
    beast::error_code ec;
    auto addr = net::ip::make_address(st_->opts.address, ec);
    if (ec) {
      error = "'" + st_->opts.address + "' is not an IP address";
      return false;
    }
    tcp::endpoint ep{addr, st_->opts.port};
    acceptor_.open(ep.protocol(), ec);
    if (!ec)
      acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec)
      acceptor_.bind(ep, ec);
    if (!ec)
      acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      error = "cannot listen on " + st_->opts.address + ":"
              + std::to_string(st_->opts.port) + ": " + ec.message();
      return false;
    }
    port_ = acceptor_.local_endpoint().port();
    accept();
    for (size_t i = 0; i < std::max<size_t>(st_->opts.io_threads, 1); ++i)
      threads_.emplace_back([this] {
        ioc_.run();
      });
    return true;
  }

  uint16_t port() const noexcept override {
    return port_;
  }

  void stop() noexcept override {
    std::lock_guard<std::mutex> guard{stop_mtx_};
    if (st_->stopped.exchange(true))
      return;
    net::post(acceptor_.get_executor(), [this] {
      beast::error_code ec;
      acceptor_.close(ec);
    });
    ioc_.stop();
    for (auto& t : threads_)
      if (t.joinable())
        t.join();
    threads_.clear();
  }

  std::map<std::string, uint64_t> counters() const override {
    auto get = [](const std::atomic<uint64_t>& x) {
      return x.load(std::memory_order_relaxed);
    };
    return {{"open_connections", get(st_->open)},
            {"connections_accepted", get(st_->accepted)},
            {"connections_refused_cap", get(st_->refused_cap)},
            {"requests", get(st_->requests)},
            {"header_too_large", get(st_->header_too_large)},
            {"body_too_large", get(st_->body_too_large)},
            {"malformed", get(st_->malformed)},
            {"timeouts", get(st_->timeouts)},
            {"tls_handshake_failures", get(st_->tls_handshake_failures)},
            {"websockets_open", get(st_->ws_open)},
            {"websockets_accepted", get(st_->ws_accepted)},
            {"websockets_refused", get(st_->ws_refused)},
            {"websockets_closed_slow", get(st_->ws_closed_slow)},
            {"websockets_timed_out", get(st_->ws_timed_out)},
            {"websockets_too_big", get(st_->ws_too_big)},
            {"websocket_frames_sent", get(st_->ws_frames_sent)},
            {"websocket_frames_compressed", get(st_->ws_frames_compressed)},
            {"websocket_messages_deflated", st_->deflate.deflated()}};
  }

private:
  void accept() {
    acceptor_.async_accept(
      net::make_strand(ioc_), [this](beast::error_code ec, tcp::socket socket) {
        if (ec) {
          if (ec == net::error::operation_aborted || !acceptor_.is_open())
            return;
        } else {
          on_accept(std::move(socket));
        }
        accept();
      });
  }

  void on_accept(tcp::socket socket) {
    if (tls_)
      start_session(
        std::make_shared<session<tls_stream>>(std::move(socket), st_, *tls_));
    else
      start_session(
        std::make_shared<session<beast::tcp_stream>>(std::move(socket), st_));
  }

  template <class Session>
  void start_session(std::shared_ptr<Session> s) {
    auto full
      = st_->open.load(std::memory_order_relaxed) > st_->opts.max_connections;
    if (full) {
      st_->refused_cap.fetch_add(1, std::memory_order_relaxed);
      s->refuse(canned(503, "Service Unavailable",
                       "too many connections (max_connections "
                         + std::to_string(st_->opts.max_connections) + ")"));
      return;
    }
    st_->accepted.fetch_add(1, std::memory_order_relaxed);
    s->run();
  }

  std::shared_ptr<shared_state> st_;
  std::optional<ssl::context> tls_;
  net::io_context ioc_;
  tcp::acceptor acceptor_;
  std::vector<std::thread> threads_;
  uint16_t port_ = 0;
  std::mutex stop_mtx_;
};

} // namespace

std::unique_ptr<http_server> http_server::start(const http_server_options& opts,
                                                request_handler handler,
                                                std::string& error,
                                                upgrade_handler upgrade) {
  auto st = std::make_shared<shared_state>();
  st->opts = opts;
  st->handler = std::move(handler);
  st->upgrade = std::move(upgrade);
  auto server = std::make_unique<beast_server>(std::move(st));
  if (!opts.tls_certificate.empty()
      && !server->use_tls(opts.tls_certificate, opts.tls_key, error))
    return nullptr;
  if (!server->listen(error))
    return nullptr;
  return server;
}

} // namespace argus::gateway
