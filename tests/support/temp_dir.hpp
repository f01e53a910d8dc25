#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace argus::test {

/// A fresh directory under $TMPDIR, removed with everything in it.
class temp_dir {
public:
  temp_dir() {
    auto base = std::filesystem::temp_directory_path() / "argus-test-XXXXXX";
    std::string tmpl = base.string();
    if (!::mkdtemp(tmpl.data()))
      throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  /// @returns `name` inside the directory.
  std::string file(const std::string& name) const {
    return (path_ / name).string();
  }

  /// Writes `text` to `name` and returns its path.
  std::string write(const std::string& name, const std::string& text) const {
    auto p = file(name);
    std::ofstream out{p, std::ios::binary};
    out << text;
    return p;
  }

  const std::filesystem::path& path() const {
    return path_;
  }

private:
  std::filesystem::path path_;
};

/// @returns the contents of `path`.
inline std::string read_file(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  return std::string{std::istreambuf_iterator<char>{in}, {}};
}

} // namespace argus::test
