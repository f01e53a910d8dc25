// Runs a libFuzzer harness over files without libFuzzer: the test suite
// replays the committed corpus with the ordinary build in seconds.
//
//   fuzz_frames_replay FILE|DIR...

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  std::vector<std::filesystem::path> files;
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path p{argv[i]};
    if (std::filesystem::is_directory(p)) {
      for (const auto& e : std::filesystem::directory_iterator{p})
        if (e.is_regular_file())
          files.push_back(e.path());
    } else {
      files.push_back(p);
    }
  }
  if (files.empty()) {
    std::cerr << "no input files\n";
    return 2;
  }
  for (const auto& f : files) {
    std::ifstream in{f, std::ios::binary};
    std::string bytes{std::istreambuf_iterator<char>{in}, {}};
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()),
                           bytes.size());
  }
  std::cout << "replayed " << files.size() << " inputs\n";
  return 0;
}
