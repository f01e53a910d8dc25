#include "tools/argusctl/live_client.hpp"

#include <chrono>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

namespace argus::ctl {

namespace {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

struct parsed_url {
  bool tls = false;
  std::string host;
  std::string port;
};

bool parse_url(const std::string& url, parsed_url& out, std::string& error) {
  std::string rest;
  if (url.rfind("http://", 0) == 0) {
    rest = url.substr(7);
  } else if (url.rfind("https://", 0) == 0) {
    out.tls = true;
    rest = url.substr(8);
  } else {
    error = "--server must start with http:// or https://, got '" + url + "'";
    return false;
  }
  rest = rest.substr(0, rest.find('/'));
  auto colon = rest.rfind(':');
  if (colon == std::string::npos || rest.find(']') != std::string::npos) {
    out.host = rest;
    out.port = out.tls ? "443" : "80";
  } else {
    out.host = rest.substr(0, colon);
    out.port = rest.substr(colon + 1);
  }
  if (out.host.empty()) {
    error = "--server '" + url + "' names no host";
    return false;
  }
  return true;
}

template <class Stream>
std::string run(websocket::stream<Stream>& ws, const parsed_url& u,
                const live_target& target,
                const std::vector<std::string>& requests,
                const std::function<bool(const std::string&)>& on_message) {
  websocket::permessage_deflate pmd;
  pmd.client_enable = true;
  ws.set_option(pmd);
  ws.set_option(
    websocket::stream_base::decorator([&](websocket::request_type& req) {
      req.set(beast::http::field::authorization, "Bearer " + target.token);
      req.set(beast::http::field::user_agent, "argusctl");
    }));
  websocket::response_type res;
  beast::error_code ec;
  ws.handshake(res, u.host + ":" + u.port, "/ws", ec);
  if (ec) {
    if (res.result_int() != 0 && res.result_int() != 101)
      return "the server refused the WebSocket upgrade: HTTP "
             + std::to_string(res.result_int()) + " " + res.body();
    return "WebSocket handshake: " + ec.message();
  }
  ws.read_message_max(64 * 1024 * 1024);
  for (const auto& r : requests) {
    ws.write(net::buffer(r), ec);
    if (ec)
      return "sending: " + ec.message();
  }
  beast::flat_buffer buf;
  for (;;) {
    ws.read(buf, ec);
    if (ec == websocket::error::closed)
      return "the server closed the connection ("
             + std::to_string(ws.reason().code) + " "
             + std::string{ws.reason().reason.data(), ws.reason().reason.size()}
             + ")";
    if (ec)
      return "reading: " + ec.message();
    if (!on_message(beast::buffers_to_string(buf.data()))) {
      ws.close(websocket::close_code::normal, ec);
      return {};
    }
    buf.consume(buf.size());
  }
}

} // namespace

std::string
stream_live(const live_target& target, const std::vector<std::string>& requests,
            const std::function<bool(const std::string&)>& on_message) {
  parsed_url u;
  std::string error;
  if (!parse_url(target.url, u, error))
    return error;
  try {
    net::io_context ioc;
    tcp::resolver resolver{ioc};
    beast::error_code ec;
    auto endpoints = resolver.resolve(u.host, u.port, ec);
    if (ec)
      return "cannot resolve " + u.host + ": " + ec.message();
    if (!u.tls) {
      websocket::stream<tcp::socket> ws{ioc};
      net::connect(ws.next_layer(), endpoints, ec);
      if (ec)
        return "cannot connect to " + target.url + ": " + ec.message();
      return run(ws, u, target, requests, on_message);
    }
    ssl::context ctx{ssl::context::tls_client};
    ctx.set_verify_mode(ssl::verify_peer);
    if (!target.ca_file.empty())
      ctx.load_verify_file(target.ca_file, ec);
    else
      ctx.set_default_verify_paths(ec);
    if (ec)
      return "cannot load CA certificates: " + ec.message();
    websocket::stream<beast::ssl_stream<tcp::socket>> ws{ioc, ctx};
    net::connect(beast::get_lowest_layer(ws), endpoints, ec);
    if (ec)
      return "cannot connect to " + target.url + ": " + ec.message();
    SSL_set_tlsext_host_name(ws.next_layer().native_handle(), u.host.c_str());
    ws.next_layer().set_verify_callback(ssl::host_name_verification(u.host));
    ws.next_layer().handshake(ssl::stream_base::client, ec);
    if (ec)
      return "TLS handshake with " + target.url + ": " + ec.message();
    return run(ws, u, target, requests, on_message);
  } catch (const std::exception& e) {
    return e.what();
  }
}

} // namespace argus::ctl
