#pragma once

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#include "tests/support/temp_dir.hpp"
#include <sys/mount.h>

namespace argus::test {

/// A tmpfs of a few MiB mounted on a fresh directory, for filling a disk for
/// real. Needs CAP_SYS_ADMIN (root on a machine, not in every container):
/// `mounted()` says whether it worked and `why_not()` why not.
class small_filesystem {
public:
  explicit small_filesystem(size_t mib) {
    auto options = "size=" + std::to_string(mib) + "m";
    if (::mount("tmpfs", dir_.path().c_str(), "tmpfs", MS_NOSUID | MS_NODEV,
                options.c_str())
        == 0)
      mounted_ = true;
    else
      why_not_ = std::strerror(errno);
  }

  ~small_filesystem() {
    // Lazy: a process that still has a file open there does not keep the
    // mount (and the test directory) around.
    if (mounted_)
      ::umount2(dir_.path().c_str(), MNT_DETACH);
  }

  small_filesystem(const small_filesystem&) = delete;
  small_filesystem& operator=(const small_filesystem&) = delete;

  bool mounted() const noexcept {
    return mounted_;
  }

  const std::string& why_not() const noexcept {
    return why_not_;
  }

  std::string file(const std::string& name) const {
    return dir_.file(name);
  }

  /// @returns the bytes still free.
  uint64_t available() const {
    return std::filesystem::space(dir_.path()).available;
  }

private:
  temp_dir dir_;
  bool mounted_ = false;
  std::string why_not_;
};

} // namespace argus::test
