#pragma once

// Runs a real child process with pipes on stdin/stdout/stderr, for the
// end-to-end tests of argusd and argusctl.

#include <chrono>
#include <csignal>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

namespace argus::test {

class child_process {
public:
  explicit child_process(std::vector<std::string> argv) {
    int in[2], out[2], err[2];
    if (::pipe(in) != 0 || ::pipe(out) != 0 || ::pipe(err) != 0)
      throw std::runtime_error("pipe failed");
    pid_ = ::fork();
    if (pid_ < 0)
      throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      ::dup2(in[0], STDIN_FILENO);
      ::dup2(out[1], STDOUT_FILENO);
      ::dup2(err[1], STDERR_FILENO);
      for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]})
        ::close(fd);
      std::vector<char*> args;
      for (auto& a : argv)
        args.push_back(a.data());
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    stdin_ = in[1];
    stdout_ = out[0];
    stderr_ = err[0];
    ::signal(SIGPIPE, SIG_IGN);
  }

  ~child_process() {
    if (pid_ > 0 && !exited_) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    close_stdin();
    for (int fd : {stdout_, stderr_})
      if (fd >= 0)
        ::close(fd);
  }

  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  /// Writes all of `bytes` to the child's standard input.
  bool write(const std::string& bytes) {
    size_t done = 0;
    while (done < bytes.size()) {
      auto n = ::write(stdin_, bytes.data() + done, bytes.size() - done);
      if (n <= 0)
        return false;
      done += static_cast<size_t>(n);
    }
    return true;
  }

  void close_stdin() {
    if (stdin_ >= 0) {
      ::close(stdin_);
      stdin_ = -1;
    }
  }

  /// Reads standard output until a line containing `needle` arrives.
  /// @returns that line, or nothing once `timeout` passed or output ended.
  std::optional<std::string> wait_for_line(const std::string& needle,
                                           std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      size_t pos;
      while ((pos = out_buf_.find('\n')) != std::string::npos) {
        auto line = out_buf_.substr(0, pos);
        out_buf_.erase(0, pos + 1);
        lines_.push_back(line);
        if (line.find(needle) != std::string::npos)
          return line;
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0)
        return std::nullopt;
      pollfd pfd{stdout_, POLLIN, 0};
      if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0)
        continue;
      char buf[4096];
      auto n = ::read(stdout_, buf, sizeof(buf));
      if (n <= 0)
        return std::nullopt;
      out_buf_.append(buf, static_cast<size_t>(n));
    }
  }

  void signal(int sig) {
    ::kill(pid_, sig);
  }

  /// Waits for the child to exit. @returns its exit code, 128 + signal if it
  /// was killed, or nothing on timeout.
  std::optional<int> wait(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      int status = 0;
      auto r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        exited_ = true;
        if (WIFEXITED(status))
          return WEXITSTATUS(status);
        if (WIFSIGNALED(status))
          return 128 + WTERMSIG(status);
        return -1;
      }
      if (std::chrono::steady_clock::now() > deadline)
        return std::nullopt;
      // Reap-polling a child: there is no event to wait on without a
      // SIGCHLD handler, and this only bounds how quickly we notice.
      pollfd none{-1, 0, 0};
      ::poll(&none, 0, 10);
    }
  }

  /// @returns everything left on standard error (after exit).
  std::string drain_stderr() {
    std::string result;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(stderr_, buf, sizeof(buf))) > 0)
      result.append(buf, static_cast<size_t>(n));
    return result;
  }

  /// @returns every line read from standard output so far plus the rest.
  std::string drain_stdout() {
    std::string result;
    for (auto& l : lines_)
      result += l + "\n";
    result += out_buf_;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(stdout_, buf, sizeof(buf))) > 0)
      result.append(buf, static_cast<size_t>(n));
    return result;
  }

private:
  pid_t pid_ = -1;
  bool exited_ = false;
  int stdin_ = -1;
  int stdout_ = -1;
  int stderr_ = -1;
  std::string out_buf_;
  std::vector<std::string> lines_;
};

/// Runs a command to completion. @returns exit code, stdout and stderr.
struct run_result {
  int code = -1;
  std::string out;
  std::string err;
};

inline run_result run(std::vector<std::string> argv,
                      std::chrono::milliseconds timeout
                      = std::chrono::seconds{60}) {
  child_process p{std::move(argv)};
  p.close_stdin();
  run_result r;
  // Read output while waiting, so a chatty child cannot block on a full pipe.
  p.wait_for_line("\x01never\x01", timeout);
  auto code = p.wait(std::chrono::seconds{5});
  r.code = code ? *code : -1;
  r.out = p.drain_stdout();
  r.err = p.drain_stderr();
  return r;
}

} // namespace argus::test
