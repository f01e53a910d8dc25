#include "actors/report_scheduler/plan.hpp"

#include "actors/report_scheduler/reports.hpp"

#include <algorithm>

namespace argus::report_scheduler {

using std::chrono::seconds;

namespace {

std::optional<schedule> schedule_of(const config::report_definition& d,
                                    std::string& error) {
  return schedule_from_words(d.schedule, d.at, d.weekday,
                             static_cast<unsigned>(d.day_of_month),
                             d.time_zone, error);
}

std::string iso(sys_seconds t) {
  return date::format("%FT%TZ", t);
}

} // namespace

bool report_plan::load(const config::report_scheduler_config& cfg,
                       std::string& error) {
  automated_ = cfg.enable_automated_reports;
  default_zone_ = cfg.time_zone;
  reports_.clear();
  for (auto [name, def] : cfg.reports) {
    if (def.time_zone.empty())
      def.time_zone = default_zone_;
    auto s = schedule_of(def, error);
    if (!s) {
      error = "reports." + name + ": " + error;
      return false;
    }
    if (!known_report_type(type_of(name, def))) {
      error = "reports." + name + ": unknown report type '"
              + type_of(name, def) + "'";
      return false;
    }
    reports_[name] = {name, def, std::move(*s), std::nullopt, false};
  }
  return true;
}

bool report_plan::put(const std::string& name, config::report_definition def,
                      sys_seconds now, bool custom, std::string& error) {
  if (name.empty() || name.size() > 64
      || !std::all_of(name.begin(), name.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '_'
                  || c == '-';
         })) {
    error = "a report name is 1-64 letters, digits, '_' or '-'";
    return false;
  }
  if (!known_report_type(type_of(name, def))) {
    error = "unknown report type '" + type_of(name, def)
            + "'; expected performance_summary, model_analysis, "
              "risk_assessment or executive_summary";
    return false;
  }
  if (def.time_zone.empty())
    def.time_zone = default_zone_;
  for (const auto& r : def.recipients)
    if (!config::valid_email_address(r)) {
      error = "'" + r + "' is not an e-mail address";
      return false;
    }
  auto s = schedule_of(def, error);
  if (!s)
    return false;
  planned_report p{name, std::move(def), std::move(*s), std::nullopt, custom};
  if (automated_ && p.definition.enabled)
    p.next = p.when.next_after(now);
  reports_[name] = std::move(p);
  return true;
}

std::vector<due_run>
report_plan::start(sys_seconds now,
                   const std::map<std::string, sys_seconds>& last_runs,
                   seconds grace) {
  std::vector<due_run> result;
  for (auto& [name, p] : reports_) {
    if (!automated_ || !p.definition.enabled) {
      p.next.reset();
      continue;
    }
    std::optional<sys_seconds> due;
    if (auto i = last_runs.find(name); i != last_runs.end())
      due = p.when.next_after(i->second);
    auto plan = plan_start(p.when, due, now, grace);
    if (plan.run_now)
      result.push_back({name, now});
    p.next = plan.next;
  }
  return result;
}

std::vector<due_run> report_plan::take_due(sys_seconds now) {
  std::vector<due_run> result;
  for (auto& [name, p] : reports_)
    if (p.next && *p.next <= now) {
      result.push_back({name, *p.next});
      p.next = p.when.next_after(now);
    }
  return result;
}

std::optional<sys_seconds> report_plan::earliest() const {
  std::optional<sys_seconds> result;
  for (const auto& [name, p] : reports_)
    if (p.next && (!result || *p.next < *result))
      result = p.next;
  return result;
}

const planned_report* report_plan::find(const std::string& name) const {
  auto i = reports_.find(name);
  return i == reports_.end() ? nullptr : &i->second;
}

nlohmann::json report_plan::to_json() const {
  auto arr = nlohmann::json::array();
  for (const auto& [name, p] : reports_) {
    nlohmann::json j = report_scheduler::to_json(p.definition);
    j["name"] = name;
    j["type"] = type_of(name, p.definition);
    j["schedule_text"] = describe(p.when);
    j["custom"] = p.custom;
    if (p.next) {
      j["next_run"] = iso(*p.next);
      j["next_run_local"] = date::format(
        "%F %H:%M %Z", date::make_zoned(p.when.zone, *p.next));
    } else {
      j["next_run"] = nullptr;
      j["next_run_local"] = nullptr;
    }
    arr.push_back(std::move(j));
  }
  return arr;
}

std::pair<sys_seconds, sys_seconds> period_of(const schedule& s,
                                              sys_seconds at) {
  switch (s.every) {
    case schedule::kind::hourly:
      return {at - std::chrono::hours{1}, at};
    case schedule::kind::daily:
      return {at - std::chrono::hours{24}, at};
    case schedule::kind::weekly:
      return {at - std::chrono::hours{24 * 7}, at};
    case schedule::kind::monthly: {
      // The same local time one calendar month before (clamped to the
      // month's end), in the report's zone.
      auto local = s.zone->to_local(at);
      auto day = date::floor<date::days>(local);
      date::year_month_day ymd{day};
      auto prev = ymd - date::months{1};
      if (!prev.ok())
        prev = prev.year() / prev.month() / date::last;
      auto from_local = date::local_days{prev} + (local - day);
      return {s.zone->to_sys(from_local, date::choose::earliest), at};
    }
    case schedule::kind::cron:
      break;
  }
  auto next = s.next_after(at);
  return {at - (next - at), at};
}

config::report_definition
definition_defaults(const config::report_scheduler_config& cfg) {
  config::report_definition d;
  d.schedule = cfg.default_schedule;
  d.recipients = cfg.default_recipients;
  d.time_zone = cfg.time_zone;
  return d;
}

nlohmann::json to_json(const config::report_definition& d) {
  auto recipients = nlohmann::json::array();
  for (const auto& r : d.recipients)
    recipients.push_back(r);
  return {{"type", d.type},
          {"schedule", d.schedule},
          {"at", d.at},
          {"weekday", d.weekday},
          {"day_of_month", d.day_of_month},
          {"time_zone", d.time_zone},
          {"format", config::to_string(d.format)},
          {"recipients", recipients},
          {"enabled", d.enabled}};
}

std::optional<config::report_definition>
definition_from_json(const nlohmann::json& j,
                     const config::report_definition& defaults,
                     std::string& error) {
  if (!j.is_object()) {
    error = "a report definition is a JSON object";
    return std::nullopt;
  }
  auto d = defaults;
  for (const auto& [key, value] : j.items()) {
    auto text = [&](std::string& out) {
      if (!value.is_string()) {
        error = "'" + key + "' must be text";
        return false;
      }
      out = value.get<std::string>();
      return true;
    };
    if (key == "type" || key == "report_type") {
      if (!text(d.type))
        return std::nullopt;
    } else if (key == "schedule") {
      if (!text(d.schedule))
        return std::nullopt;
    } else if (key == "at") {
      if (!text(d.at))
        return std::nullopt;
    } else if (key == "weekday") {
      if (!text(d.weekday))
        return std::nullopt;
    } else if (key == "time_zone") {
      if (!text(d.time_zone))
        return std::nullopt;
    } else if (key == "day_of_month") {
      if (!value.is_number_unsigned() || value.get<uint64_t>() < 1
          || value.get<uint64_t>() > 31) {
        error = "'day_of_month' must be within 1-31";
        return std::nullopt;
      }
      d.day_of_month = value.get<size_t>();
    } else if (key == "format") {
      std::string f;
      if (!text(f))
        return std::nullopt;
      if (f == "pdf")
        d.format = config::report_format::pdf;
      else if (f == "html")
        d.format = config::report_format::html;
      else if (f == "json")
        d.format = config::report_format::json;
      else {
        error = "'format' must be pdf, html or json; got '" + f + "'";
        return std::nullopt;
      }
    } else if (key == "recipients") {
      if (!value.is_array()) {
        error = "'recipients' must be a list of addresses";
        return std::nullopt;
      }
      d.recipients.clear();
      for (const auto& r : value) {
        if (!r.is_string()) {
          error = "'recipients' must be a list of addresses";
          return std::nullopt;
        }
        d.recipients.push_back(r.get<std::string>());
      }
    } else if (key == "enabled") {
      if (!value.is_boolean()) {
        error = "'enabled' must be true or false";
        return std::nullopt;
      }
      d.enabled = value.get<bool>();
    } else {
      error = "unknown field '" + key
              + "'; expected type, schedule, at, weekday, day_of_month, "
                "time_zone, format, recipients, enabled";
      return std::nullopt;
    }
  }
  return d;
}

} // namespace argus::report_scheduler
