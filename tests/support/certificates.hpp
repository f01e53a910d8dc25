#pragma once

// A throwaway certificate authority and the certificates it signs, made
// with the openssl command (Debian `openssl`) in a temporary directory.

#include <doctest/doctest.h>

#include <string>

#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace argus::test {

struct certificates {
  temp_dir dir;
  std::string ca = dir.file("ca.pem");
  std::string ca_key = dir.file("ca.key");

  certificates() {
    auto r
      = run({"/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
             "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", ca_key,
             "-out", ca, "-days", "2", "-subj", "/CN=argus test CA"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
  }

  /// Issues a certificate for `name` (also valid for 127.0.0.1 and
  /// localhost). @returns the paths of the certificate and its key.
  std::pair<std::string, std::string> issue(const std::string& name) {
    auto key = dir.file(name + ".key");
    auto csr = dir.file(name + ".csr");
    auto cert = dir.file(name + ".pem");
    auto ext
      = dir.write(name + ".ext", "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
    auto r = run({"/usr/bin/openssl", "req", "-newkey", "ec", "-pkeyopt",
                  "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key,
                  "-out", csr, "-subj", "/CN=" + name});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    r = run({"/usr/bin/openssl", "x509", "-req", "-in", csr, "-CA", ca,
             "-CAkey", ca_key, "-CAcreateserial", "-out", cert, "-days", "2",
             "-extfile", ext});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    return {cert, key};
  }
};

} // namespace argus::test
