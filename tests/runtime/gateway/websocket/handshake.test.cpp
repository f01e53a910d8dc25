#include "runtime/gateway/websocket/handshake.hpp"

#include <doctest/doctest.h>

using namespace argus::gateway::websocket;

TEST_CASE("the accept key is RFC 6455's own example") {
  // RFC 6455 §1.3.
  CHECK(accept_key("dGhlIHNhbXBsZSBub25jZQ==")
        == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  CHECK(valid_key("dGhlIHNhbXBsZSBub25jZQ=="));
  CHECK_FALSE(valid_key(""));
  CHECK_FALSE(valid_key("dGhlIHNhbXBsZSBub25jZQ"));
  CHECK_FALSE(valid_key("dGhlIHNhbXBsZSBub25jZQ=!"));
  CHECK_FALSE(valid_key("dGhlIHNhbXBsZSBub2*jZQ=="));
}

TEST_CASE("permessage-deflate: a browser's offer is accepted with "
          "server_no_context_takeover") {
  auto a = negotiate_deflate("permessage-deflate; client_max_window_bits");
  REQUIRE(a);
  CHECK(a->response == "permessage-deflate; server_no_context_takeover");
  CHECK_FALSE(a->client_no_context_takeover);

  a = negotiate_deflate("Permessage-Deflate; client_no_context_takeover; "
                        "server_no_context_takeover");
  REQUIRE(a);
  CHECK(a->client_no_context_takeover);
  CHECK(a->response
        == "permessage-deflate; server_no_context_takeover; "
           "client_no_context_takeover");

  a = negotiate_deflate("permessage-deflate; server_max_window_bits=\"15\"");
  REQUIRE(a);
  CHECK(a->response
        == "permessage-deflate; server_no_context_takeover; "
           "server_max_window_bits=15");
}

TEST_CASE("permessage-deflate: offers the shared compressor cannot honour "
          "are declined, and the next one taken") {
  CHECK_FALSE(negotiate_deflate(""));
  CHECK_FALSE(negotiate_deflate("x-webkit-deflate-frame"));
  CHECK_FALSE(
    negotiate_deflate("permessage-deflate; server_max_window_bits=10"));
  CHECK_FALSE(negotiate_deflate("permessage-deflate; server_max_window_bits"));
  CHECK_FALSE(
    negotiate_deflate("permessage-deflate; client_max_window_bits=7"));
  CHECK_FALSE(negotiate_deflate("permessage-deflate; mystery"));
  CHECK_FALSE(
    negotiate_deflate("permessage-deflate; client_no_context_takeover; "
                      "client_no_context_takeover"));
  CHECK_FALSE(
    negotiate_deflate("permessage-deflate; client_no_context_takeover=1"));
  auto a = negotiate_deflate(
    "permessage-deflate; server_max_window_bits=10, permessage-deflate");
  REQUIRE(a);
  CHECK(a->response == "permessage-deflate; server_no_context_takeover");
}
