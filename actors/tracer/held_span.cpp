#include "actors/tracer/held_span.hpp"

#include <cstring>

namespace argus {

held_span::held_span(const span_slot& x)
    : held_(
      slot_copy{std::string{reinterpret_cast<const char*>(&x), x.used_size()},
                std::unique_ptr<span_recorded>{x.overflow}}),
      start_ns_(x.start_ns) {
}

held_span::held_span(const span_recorded& x)
    : held_(packed<span_recorded>{x, x.start_ns}), start_ns_(x.start_ns) {
}

span_recorded held_span::get() const {
  if (auto wire = std::get_if<packed<span_recorded>>(&held_))
    return wire->get();
  const auto& copy = std::get<slot_copy>(held_);
  span_slot view;
  std::memcpy(static_cast<void*>(&view), copy.bytes.data(), copy.bytes.size());
  view.overflow = copy.extra.get(); // borrowed for the conversion
  return to_span_recorded(view);
}

size_t held_span::heap_bytes() const noexcept {
  if (auto wire = std::get_if<packed<span_recorded>>(&held_))
    return wire->heap_bytes();
  const auto& copy = std::get<slot_copy>(held_);
  return copy.bytes.capacity() + (copy.extra ? sizeof(span_recorded) : 0);
}

} // namespace argus
