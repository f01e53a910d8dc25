#pragma once

// The component registry: one declaration per component (its id and handle
// type, what it depends on, which events it takes, how it is spawned), from
// which the supervisor spawns, monitors, restarts and stops, and the
// dispatcher routes. Adding a component is a folder plus one registration;
// nothing in the supervisor, the dispatcher or the engine names it.

#include "config/components.hpp"
#include "messages/interfaces.hpp"

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/detail/type_list.hpp>
#include <caf/error.hpp>
#include <caf/expected.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/logger.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace argus {

/// Makes the named logger of a component.
using logger_factory
  = std::function<std::shared_ptr<spdlog::logger>(const std::string& id)>;

// -- spawning -----------------------------------------------------------------

/// What a component's spawn function is given.
struct component_context {
  caf::actor_system& system;
  const config::engine_config& cfg;
  /// The components running now: every one it depends on is among them.
  const component_directory& directory;
  std::shared_ptr<spdlog::logger> log;
  /// How often it was restarted before (0: its first start).
  uint32_t restarts = 0;
  /// Spawn it on a thread of its own (the registration asks for one and
  /// `runtime.dedicated_threads` allows it).
  bool dedicated = false;

  /// Spawns `f(self, xs...)`, on a thread of its own when `dedicated`.
  template <class F, class... Ts>
  auto spawn(F f, Ts&&... xs) const {
    return dedicated ? system.spawn<caf::detached>(f, std::forward<Ts>(xs)...)
                     : system.spawn(f, std::forward<Ts>(xs)...);
  }
};

/// A spawned component's handles, each checked against its registered
/// handle type at compile time.
struct spawned_component {
  caf::actor actor;
  flushable_actor flush;
  status_client_actor status;
  /// Invalid unless it has work to finish before the final flush.
  stoppable_actor stop;
  /// Invalid unless it uses other components.
  routable_actor route;

  explicit operator bool() const noexcept {
    return static_cast<bool>(actor);
  }
};

// -- routing ------------------------------------------------------------------

/// The `inbound_event` alternatives a route takes or looks at.
template <class... Ts>
struct event_types {};

/// How the dispatcher hands one component the events it takes from the
/// client queue: in batches, one in flight at a time.
class event_route {
public:
  /// Called with what the component answered: the number of events taken.
  using taken_handler = std::function<void(uint64_t)>;
  /// Called with the batch's size when it was not taken (crash, timeout).
  using failed_handler = std::function<void(size_t)>;

  virtual ~event_route() = default;

  /// @returns the indexes of the `inbound_event` alternatives this route
  /// takes (moves into its batch). An event is taken by one route at most.
  virtual std::vector<size_t> takes() const = 0;

  /// @returns the indexes of the alternatives it only looks at (copies what
  /// it needs) before another route takes them.
  virtual std::vector<size_t> peeks() const = 0;

  /// Moves `e` (one of `takes()`) into the batch.
  virtual void take(inbound_event& e) = 0;

  /// Copies what it needs of `e` (one of `peeks()`) into the batch.
  virtual void peek(const inbound_event& e) = 0;

  /// @returns whether the batch holds nothing to deliver.
  virtual bool empty() const = 0;

  /// @returns the id of the component it routes to.
  virtual const std::string& id() const = 0;

  /// Finds the component in `directory` (absent: not running).
  virtual void locate(const component_directory& directory) = 0;

  /// @returns whether the component runs.
  virtual bool running() const = 0;

  /// Requests the component to take the batch, which starts over empty.
  virtual void deliver(dispatcher_actor::pointer self,
                       std::chrono::seconds timeout, taken_handler taken,
                       failed_handler failed)
    = 0;
};

namespace detail {

template <class T, class Variant>
struct variant_index;

template <class T, class... Ts>
struct variant_index<T, std::variant<Ts...>> {
  static constexpr size_t value = [] {
    constexpr bool matches[] = {std::is_same_v<T, Ts>...};
    for (size_t i = 0; i < sizeof...(Ts); ++i)
      if (matches[i])
        return i;
    return sizeof...(Ts);
  }();
  static_assert(value < sizeof...(Ts), "not an inbound_event alternative");
};

/// Routes `Takes` (moved) and `Peeks` (looked at) into a `Batch` that a
/// component with handle `Handle` takes; `sort(batch, event)` files each.
template <class Handle, class Batch, class Takes, class Peeks, class Sort>
class batch_route;

template <class Handle, class Batch, class... Takes, class... Peeks, class Sort>
class batch_route<Handle, Batch, event_types<Takes...>, event_types<Peeks...>,
                  Sort>
  final : public event_route {
public:
  batch_route(std::string id, Sort sort)
      : id_(std::move(id)), sort_(std::move(sort)) {
  }

  std::vector<size_t> takes() const override {
    return {variant_index<Takes, inbound_event>::value...};
  }

  std::vector<size_t> peeks() const override {
    return {variant_index<Peeks, inbound_event>::value...};
  }

  void take(inbound_event& e) override {
    std::visit(
      [this](auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr ((std::is_same_v<T, Takes> || ...))
          sort_(batch_, x);
      },
      e);
  }

  void peek(const inbound_event& e) override {
    if constexpr (sizeof...(Peeks) > 0)
      std::visit(
        [this](const auto& x) {
          using T = std::decay_t<decltype(x)>;
          if constexpr ((std::is_same_v<T, Peeks> || ...))
            sort_(batch_, x);
        },
        e);
  }

  bool empty() const override {
    return batch_.empty();
  }

  const std::string& id() const override {
    return id_;
  }

  void locate(const component_directory& directory) override {
    handle_ = directory.get(component_key<Handle>{id_});
  }

  bool running() const override {
    return static_cast<bool>(handle_);
  }

  void deliver(dispatcher_actor::pointer self, std::chrono::seconds timeout,
               taken_handler taken, failed_handler failed) override {
    auto n = batch_.size();
    self->request(handle_, timeout, std::exchange(batch_, Batch{}))
      .then(
        [taken](uint64_t x) {
          taken(x);
        },
        [failed, n](caf::error&) {
          failed(n);
        });
  }

private:
  /// The component's id (owned: the route outlives the registration).
  std::string id_;
  Handle handle_;
  Sort sort_;
  Batch batch_;
};

/// Whether `Handle` answers everything `Interface` does.
template <class Handle, class Interface>
inline constexpr bool implements
  = caf::detail::tl_subset_of<typename Interface::signatures,
                              typename Handle::signatures>::value;

} // namespace detail

// -- registrations ------------------------------------------------------------

/// One component as the registry knows it. Made by `component(key, spawn)`.
struct component_spec {
  std::string id;
  /// Spawned before it, stopped after it; when one of them is replaced, it
  /// is told (a dependency that is not enabled is simply absent).
  std::vector<std::string> depends_on;
  /// Its crash stops the engine (the storage writer: without it nothing can
  /// be acknowledged).
  bool core = false;
  /// Asks for a thread of its own (honoured when `runtime.dedicated_threads`).
  bool dedicated_thread = false;
  /// Whether `cfg` enables it (always, when empty).
  std::function<bool(const config::engine_config&)> enabled;
  std::function<spawned_component(const component_context&)> spawn;
  /// Makes the route of the events it takes (none, when empty).
  std::function<std::unique_ptr<event_route>()> route;
};

/// Builds the registration of the component `key` names.
template <class Handle>
class component_builder {
public:
  /// `spawn(ctx)` spawns the component and returns its `Handle`.
  template <class Spawn>
  component_builder(component_key<Handle> key, Spawn spawn) {
    static_assert(
      std::is_same_v<std::invoke_result_t<Spawn, const component_context&>,
                     Handle>,
      "the spawn function must return the key's handle type");
    spec_.id = std::string{key.id};
    spec_.spawn = [spawn](const component_context& ctx) {
      Handle h = spawn(ctx);
      spawned_component result;
      result.actor = caf::actor_cast<caf::actor>(h);
      // Each conversion is checked by CAF at compile time: every component
      // answers flush and status requests.
      result.flush = h;
      result.status = h;
      if constexpr (detail::implements<Handle, stoppable_actor>)
        result.stop = h;
      if constexpr (detail::implements<Handle, routable_actor>)
        result.route = h;
      return result;
    };
  }

  /// It uses these components (which then start before and stop after it).
  template <class... Hs>
  component_builder& depends_on(component_key<Hs>... keys) {
    (spec_.depends_on.emplace_back(keys.id), ...);
    return *this;
  }

  /// Its crash stops the engine.
  component_builder& core() {
    spec_.core = true;
    return *this;
  }

  /// It runs on a thread of its own (when `runtime.dedicated_threads`).
  component_builder& dedicated_thread() {
    spec_.dedicated_thread = true;
    return *this;
  }

  /// It runs only when `f(cfg)` holds.
  component_builder&
  enabled_if(std::function<bool(const config::engine_config&)> f) {
    spec_.enabled = std::move(f);
    return *this;
  }

  /// It takes the events `Takes` from the client queue, and looks at
  /// `Peeks` (which another component takes), in batches of type `Batch`:
  /// `sort(batch, event)` files each one.
  template <class Batch, class... Takes, class... Peeks, class Sort>
  component_builder& routes(event_types<Takes...> takes,
                            event_types<Peeks...> peeks, Sort sort) {
    using route_type = detail::batch_route<Handle, Batch, decltype(takes),
                                           decltype(peeks), Sort>;
    spec_.route = [id = spec_.id, sort] {
      return std::make_unique<route_type>(id, sort);
    };
    return *this;
  }

  operator component_spec() const {
    return spec_;
  }

private:
  component_spec spec_;
};

/// Starts the registration of the component `key` names; `spawn(ctx)`
/// returns its handle.
template <class Handle, class Spawn>
component_builder<Handle> component(component_key<Handle> key, Spawn spawn) {
  return component_builder<Handle>{key, std::move(spawn)};
}

/// The enabled components of one engine, in dependency order.
using component_plan = std::vector<component_spec>;

/// Every component an engine may run.
class component_registry {
public:
  /// Registers `spec`. @returns an error if its id is taken.
  caf::error add(component_spec spec);

  /// @returns the components `cfg` enables, dependencies first (otherwise
  /// in registration order), or an error: a dependency that is not
  /// registered, a cycle, or an event two enabled components take.
  caf::expected<component_plan> plan(const config::engine_config& cfg) const;

  const std::vector<component_spec>& specs() const noexcept {
    return specs_;
  }

private:
  std::vector<component_spec> specs_;
};

} // namespace argus
