#pragma once

// The component directory: which component runs under which handle. The
// supervisor owns it and sends a copy to everyone who depends on a component
// whenever that component is (re)spawned or goes down; handles come out of
// it only through a typed key, so an id is always looked up as the handle
// type it was registered with.

#include <caf/actor.hpp>
#include <caf/actor_cast.hpp>
#include <caf/meta/type_name.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace argus {

/// Names a component and the handle type it answers to.
template <class Handle>
struct component_key {
  using handle_type = Handle;
  std::string_view id;
};

/// The handles of the running components, by id.
class component_directory {
public:
  /// One running component.
  struct entry {
    std::string id;
    caf::actor handle;

    template <class Inspector>
    friend typename Inspector::result_type inspect(Inspector& f, entry& x) {
      return f(caf::meta::type_name("component_directory_entry"), x.id,
               x.handle);
    }
  };

  /// @returns the handle of the component `key` names, or an invalid handle
  /// if it does not run.
  template <class Handle>
  Handle get(component_key<Handle> key) const {
    if (auto x = find(key.id))
      // The only way in is `put` with the handle the typed registration
      // spawned under this id (see actors/common/component_registry.hpp).
      return caf::actor_cast<Handle>(*x);
    return Handle{};
  }

  /// @returns whether the component `id` runs.
  bool contains(std::string_view id) const {
    return find(id) != nullptr;
  }

  /// @returns the untyped handle of `id`, or nullptr.
  const caf::actor* find(std::string_view id) const {
    for (const auto& e : entries_)
      if (e.id == id)
        return &e.handle;
    return nullptr;
  }

  /// Sets (or replaces) the handle of `id`.
  void put(std::string id, caf::actor handle) {
    for (auto& e : entries_)
      if (e.id == id) {
        e.handle = std::move(handle);
        return;
      }
    entries_.push_back({std::move(id), std::move(handle)});
  }

  /// Sets (or replaces) the handle `key` names.
  template <class Handle>
  void put(component_key<Handle> key, const Handle& handle) {
    put(std::string{key.id}, caf::actor_cast<caf::actor>(handle));
  }

  /// Removes `id`, if present.
  void erase(std::string_view id) {
    for (auto i = entries_.begin(); i != entries_.end(); ++i)
      if (i->id == id) {
        entries_.erase(i);
        return;
      }
  }

  const std::vector<entry>& entries() const noexcept {
    return entries_;
  }

  template <class Inspector>
  friend typename Inspector::result_type inspect(Inspector& f,
                                                 component_directory& x) {
    return f(caf::meta::type_name("component_directory"), x.entries_);
  }

private:
  std::vector<entry> entries_;
};

} // namespace argus
