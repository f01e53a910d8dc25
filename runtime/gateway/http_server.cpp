#include "runtime/gateway/http_server.hpp"

#include <atomic>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/http/span_body.hpp>
#include <boost/beast/ssl.hpp>

namespace argus::gateway {

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using tls_stream = beast::ssl_stream<beast::tcp_stream>;

/// What outlives the server object for the sessions and responders still
/// holding it: the counters and whether responses may still be written.
struct shared_state {
  http_server_options opts;
  request_handler handler;
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
      self->lowest().expires_after(std::chrono::seconds{5});
      http::async_write(self->stream_, *msg,
                        [self, msg](beast::error_code, std::size_t) {
                          self->close();
                        });
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
    thread_ = std::thread{[this] {
      ioc_.run();
    }};
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
    if (thread_.joinable())
      thread_.join();
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
            {"tls_handshake_failures", get(st_->tls_handshake_failures)}};
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
  net::io_context ioc_{1};
  tcp::acceptor acceptor_;
  std::thread thread_;
  uint16_t port_ = 0;
  std::mutex stop_mtx_;
};

} // namespace

std::unique_ptr<http_server> http_server::start(const http_server_options& opts,
                                                request_handler handler,
                                                std::string& error) {
  auto st = std::make_shared<shared_state>();
  st->opts = opts;
  st->handler = std::move(handler);
  auto server = std::make_unique<beast_server>(std::move(st));
  if (!opts.tls_certificate.empty()
      && !server->use_tls(opts.tls_certificate, opts.tls_key, error))
    return nullptr;
  if (!server->listen(error))
    return nullptr;
  return server;
}

} // namespace argus::gateway
