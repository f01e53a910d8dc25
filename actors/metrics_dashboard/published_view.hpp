#pragma once

// The unified dashboard view as the dashboard last rendered it, readable from
// any thread without asking the actor (the HTTP gateway serves it while it
// is current). The actor marks it stale while it handles what changes the
// view (an update tick, a fill), so a reader gets what asking the actor would
// answer, short only of messages still waiting in the actor's mailbox.

#include <memory>
#include <mutex>
#include <string>

namespace argus {

class published_view {
public:
  /// @returns the text while it is current, else nullptr (ask the actor).
  std::shared_ptr<const std::string> current() const {
    std::lock_guard<std::mutex> guard{mtx_};
    return current_ ? text_ : nullptr;
  }

  /// The text of what the view shows now.
  void publish(std::shared_ptr<const std::string> text) {
    std::lock_guard<std::mutex> guard{mtx_};
    text_ = std::move(text);
    current_ = true;
  }

  /// What the view shows changed (or its actor is gone).
  void invalidate() {
    std::lock_guard<std::mutex> guard{mtx_};
    current_ = false;
  }

private:
  mutable std::mutex mtx_;
  std::shared_ptr<const std::string> text_;
  bool current_ = false;
};

} // namespace argus
