#include "runtime/gateway/live/hub.hpp"

#include <algorithm>

namespace argus::gateway::live {

void connection::set_notify(notify n) {
  std::lock_guard<std::mutex> guard{mtx_};
  notify_ = std::move(n);
}

void connection::fire(bool close) {
  notify n;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    n = notify_;
  }
  if (n)
    n(close);
}

void connection::subscribe(topic t, filter f) {
  std::lock_guard<std::mutex> guard{mtx_};
  subs_.subscribe(t, std::move(f));
}

bool connection::unsubscribe(topic t) {
  std::lock_guard<std::mutex> guard{mtx_};
  return subs_.unsubscribe(t);
}

void connection::reply(std::string text) {
  bool was_empty;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (closing_)
      return;
    was_empty = replies_.empty() && box_.messages() == 0;
    if (replies_.size() >= max_replies)
      replies_.pop_front();
    replies_.push_back(std::make_shared<const std::string>(std::move(text)));
  }
  if (was_empty)
    fire(false);
}

std::optional<outbox::frame> connection::take() {
  std::lock_guard<std::mutex> guard{mtx_};
  if (!replies_.empty()) {
    outbox::frame f{std::move(replies_.front()), true};
    replies_.pop_front();
    return f;
  }
  return box_.take();
}

size_t connection::waiting() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return box_.messages();
}

uint64_t connection::dropped() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return box_.dropped();
}

connection::after
connection::offer(topic t, const message_facts& facts,
                  const std::shared_ptr<const std::string>& text, uint64_t seq,
                  uint64_t& dropped) {
  std::lock_guard<std::mutex> guard{mtx_};
  if (closing_ || !subs_.wants(t, facts))
    return after::unwanted;
  bool was_empty = box_.messages() == 0 && replies_.empty();
  auto dropped_before = box_.dropped();
  auto result = box_.offer({t, seq, text});
  dropped += box_.dropped() - dropped_before;
  if (result == outbox::offer_result::close) {
    closing_ = true;
    return after::close;
  }
  return was_empty ? after::wake : after::queued;
}

std::shared_ptr<connection> hub::attach(outbox_limits limits,
                                        connection::notify n) {
  auto c = std::make_shared<connection>(limits, std::move(n));
  std::lock_guard<std::mutex> guard{mtx_};
  connections_.push_back(c);
  return c;
}

void hub::detach(const std::shared_ptr<connection>& c) {
  std::lock_guard<std::mutex> guard{mtx_};
  connections_.erase(std::remove(connections_.begin(), connections_.end(), c),
                     connections_.end());
}

uint64_t hub::publish(topic t, const message_facts& facts,
                      const std::function<std::string(uint64_t seq)>& render) {
  std::vector<std::pair<std::shared_ptr<connection>, bool>> to_notify;
  uint64_t seq = 0;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    auto i = static_cast<size_t>(t);
    seq = ++seq_[i];
    ++stats_.published[i];
    auto text = std::make_shared<const std::string>(render(seq));
    last_[i] = text;
    for (const auto& c : connections_) {
      auto what = c->offer(t, facts, text, seq, stats_.dropped);
      if (what != connection::after::unwanted)
        ++stats_.offered;
      if (what == connection::after::wake)
        to_notify.emplace_back(c, false);
      else if (what == connection::after::close) {
        ++stats_.closed_slow;
        to_notify.emplace_back(c, true);
      }
    }
  }
  // Outside the locks: a notify may post to a socket's executor, or detach.
  for (auto& [c, close] : to_notify)
    c->fire(close);
  return seq;
}

bool hub::wanted(topic t) const {
  std::lock_guard<std::mutex> guard{mtx_};
  for (const auto& c : connections_) {
    std::lock_guard<std::mutex> inner{c->mtx_};
    if (!c->closing_ && c->subs_.has(t))
      return true;
  }
  return false;
}

std::shared_ptr<const std::string> hub::last(topic t) const {
  std::lock_guard<std::mutex> guard{mtx_};
  return last_[static_cast<size_t>(t)];
}

uint64_t hub::last_seq(topic t) const {
  std::lock_guard<std::mutex> guard{mtx_};
  return seq_[static_cast<size_t>(t)];
}

size_t hub::connections() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return connections_.size();
}

hub::counters hub::stats() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return stats_;
}

} // namespace argus::gateway::live
