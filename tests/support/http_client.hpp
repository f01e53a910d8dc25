#pragma once

// A blocking HTTP/1.1 exchange over a loopback socket, byte for byte what
// the test writes: for limits and malformed requests that a client library
// would refuse to send.

#include <cstdint>
#include <string>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

namespace argus::test {

/// A connected socket; closed on destruction.
struct raw_connection {
  int fd = -1;

  explicit raw_connection(uint16_t port) {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval tv{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      ::close(fd);
      fd = -1;
    }
  }

  ~raw_connection() {
    if (fd >= 0)
      ::close(fd);
  }

  raw_connection(const raw_connection&) = delete;
  raw_connection& operator=(const raw_connection&) = delete;

  bool send_all(const std::string& bytes) {
    size_t off = 0;
    while (off < bytes.size()) {
      auto n = ::send(fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
      if (n <= 0)
        return false;
      off += static_cast<size_t>(n);
    }
    return true;
  }

  /// Reads one response: the header and a Content-Length body (or until
  /// the peer closes).
  std::string read_response() {
    std::string in;
    char buf[4096];
    size_t header_end = std::string::npos;
    size_t want = std::string::npos;
    while (true) {
      if (header_end == std::string::npos) {
        header_end = in.find("\r\n\r\n");
        if (header_end != std::string::npos) {
          auto cl = in.find("Content-Length: ");
          if (cl != std::string::npos && cl < header_end)
            want
              = header_end + 4
                + std::stoul(in.substr(cl + 16, in.find("\r\n", cl) - cl - 16));
        }
      }
      if (want != std::string::npos && in.size() >= want)
        return in.substr(0, want);
      auto n = ::recv(fd, buf, sizeof(buf), 0);
      if (n <= 0)
        return in;
      in.append(buf, static_cast<size_t>(n));
    }
  }

  /// @returns the status code of `response` (0 when there is none).
  static int status_of(const std::string& response) {
    if (response.rfind("HTTP/1.1 ", 0) != 0 || response.size() < 12)
      return 0;
    return std::stoi(response.substr(9, 3));
  }
};

/// Sends `request` on a new connection. @returns the response.
inline std::string exchange(uint16_t port, const std::string& request) {
  raw_connection c{port};
  if (c.fd < 0 || !c.send_all(request))
    return {};
  return c.read_response();
}

} // namespace argus::test
