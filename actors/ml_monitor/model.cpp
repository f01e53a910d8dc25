#include "actors/ml_monitor/model.hpp"

#include "actors/ml_monitor/drift.hpp"
#include "messages/json_text.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include <nlohmann/json.hpp>

namespace argus {

namespace {

int64_t ns(config::milliseconds x) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(x).count();
}

bool uses(const config::ml_monitor_config& cfg, config::drift_method m) {
  return std::find(cfg.drift_detection_methods.begin(),
                   cfg.drift_detection_methods.end(), m)
         != cfg.drift_detection_methods.end();
}

struct detector_settings {
  adwin_params a;
  page_hinkley_params p;
  ddm_params d;
};

detector_settings detector_params(const config::ml_monitor_config& cfg) {
  detector_settings s;
  s.a.delta = cfg.adwin_delta;
  s.p
    = {static_cast<int>(cfg.page_hinkley_min_instances), cfg.page_hinkley_delta,
       cfg.page_hinkley_lambda, cfg.page_hinkley_alpha};
  s.d = {static_cast<int>(cfg.ddm_warm_start), cfg.ddm_warning, cfg.ddm_drift};
  return s;
}

severity detector_severity(detector_level x) {
  switch (x) {
    case detector_level::drift:
      return severity::high;
    case detector_level::warning:
      return severity::low;
    case detector_level::stable:
      return severity::none;
  }
  return severity::none;
}

} // namespace

model_monitor::model_monitor(model_ref ref,
                             const config::ml_monitor_config& cfg)
    : cfg_(&cfg),
      ref_(std::move(ref)),
      performance_(cfg.performance_window),
      adwin_(detector_params(cfg).a),
      page_hinkley_(detector_params(cfg).p),
      ddm_(detector_params(cfg).d) {
}

void model_monitor::observe(const features_observed& x) {
  const auto& cfg = *cfg_;
  for (const auto& [name, value] : x.numeric) {
    auto& ref
      = references_.try_emplace(name, cfg.reference_window).first->second;
    auto& win
      = windows_.try_emplace(name, cfg.current_window, ns(cfg.current_max_age))
          .first->second;
    if (!ref.complete())
      ref.observe(value);
    win.observe(value, x.time_ns, &ref);
  }
  for (const auto& [name, value] : x.categorical) {
    auto& f = categorical_[name];
    if (!f.uploaded && f.reference_count < cfg.reference_window) {
      ++f.reference[value];
      ++f.reference_count;
    }
    f.window.push_back(value);
    ++f.counts[value];
    while (f.window.size() > cfg.current_window) {
      if (--f.counts[f.window.front()] == 0)
        f.counts.erase(f.window.front());
      f.window.pop_front();
    }
  }
}

void model_monitor::outcome(const joined_prediction& x) {
  auto error = performance_.add(x);
  auto worst = [&](const char* name, detector_level level) {
    auto& w = worst_since_check_[name];
    w = std::max(w, level);
  };
  worst("adwin", adwin_.update(error));
  worst("page_hinkley", page_hinkley_.update(error));
  // DDM wants 0/1 errors; a regressor's error is "wrong" beyond the MAE of
  // its reference period (or any error before there is one).
  if (x.predicted_label.empty() && x.true_label.empty()) {
    auto ref = performance_.reference();
    worst("ddm", ddm_.update(ref ? (error > ref->mae ? 1.0 : 0.0)
                                 : (error > 0 ? 1.0 : 0.0)));
  } else {
    worst("ddm", ddm_.update(error));
  }
}

void model_monitor::importance(const feature_importance_reported& x) {
  if (!latest_importance_.empty())
    importance_change_ = compare_importance(latest_importance_, x.importance);
  latest_importance_ = x.importance;
}

void model_monitor::baseline(const baseline_uploaded& x) {
  const auto& cfg = *cfg_;
  if (!x.values.empty()) {
    auto& ref
      = references_.try_emplace(x.feature, cfg.reference_window).first->second;
    ref.set_baseline(x.values);
    windows_.try_emplace(x.feature, cfg.current_window, ns(cfg.current_max_age))
      .first->second.rebin(ref);
  }
  if (!x.categories.empty()) {
    auto& f = categorical_[x.feature];
    f.reference.clear();
    for (const auto& c : x.categories)
      ++f.reference[c];
    f.reference_count = x.categories.size();
    f.uploaded = true;
  }
}

void model_monitor::lifecycle(model_stage stage) {
  if (stage != model_stage::deployed && stage != model_stage::retrained)
    return;
  references_.clear();
  windows_.clear();
  categorical_.clear();
  performance_.reset();
  auto params = detector_params(*cfg_);
  adwin_ = adwin{params.a};
  page_hinkley_ = page_hinkley{params.p};
  ddm_ = ddm{params.d};
  worst_since_check_.clear();
  consecutive_failures_ = 0;
}

model_check model_monitor::check(int64_t now_ns) {
  const auto& cfg = *cfg_;
  const auto threshold = cfg.drift_threshold;
  const auto critical = cfg.auto_retraining_triggers.critical_drift_threshold;
  const bool tests = uses(cfg, config::drift_method::statistical_test);
  const bool distances
    = uses(cfg, config::drift_method::distribution_comparison);
  model_check c;
  c.model = ref_;
  c.time_ns = now_ns;
  if (cfg.drift_detection_enabled) {
    for (auto& [name, win] : windows_) {
      win.expire(now_ns, &references_.at(name));
      const auto& ref = references_.at(name);
      if (!ref.complete() || win.size() < cfg.min_samples)
        continue;
      feature_check f;
      f.feature = name;
      f.reference_size = ref.values().size();
      f.current_size = win.size();
      auto current = win.values();
      auto named = cfg.feature_methods.find(name);
      if (named != cfg.feature_methods.end() && named->second != "chi2") {
        // The config names the method: its statistic, its p-value (if it
        // has one; a distance counts as significant) and its score.
        auto r = drift::run_method(named->second, ref.values(), current,
                                   cfg.significance, threshold, critical);
        f.test = r.method;
        f.statistic = r.statistic;
        f.pvalue = std::isnan(r.pvalue) ? 0.0 : r.pvalue;
        bool is_test
          = r.method == "ks" || r.method == "ad" || r.method == "cvm";
        f.score_method = is_test ? "ks" : r.method;
        f.score = r.score;
        c.features.push_back(std::move(f));
        continue;
      }
      auto ks = drift::ks_2samp(ref.values(), current);
      if (std::max(f.reference_size, f.current_size) <= 20) {
        auto cvm = drift::cramervonmises(ref.values(), current);
        f.test = "cvm";
        f.statistic = cvm.statistic;
        f.pvalue = cvm.pvalue;
      } else {
        f.test = "ks";
        f.statistic = ks.statistic;
        f.pvalue = ks.pvalue;
      }
      f.score_method = distances ? "psi" : "ks";
      f.score = distances ? win.psi(ref) : ks.statistic;
      c.features.push_back(std::move(f));
    }
    for (auto& [name, cat] : categorical_) {
      if ((!cat.uploaded && cat.reference_count < cfg.reference_window)
          || cat.window.size() < cfg.min_samples)
        continue;
      auto r = drift::chi2_categorical(cat.reference, cat.counts);
      feature_check f;
      f.feature = name;
      f.categorical = true;
      f.test = "chi2";
      f.statistic = r.statistic;
      f.pvalue = r.pvalue;
      f.score_method = "psi";
      f.score = r.psi;
      f.new_categories = r.new_categories;
      f.reference_size = cat.reference_count;
      f.current_size = cat.window.size();
      c.features.push_back(std::move(f));
    }
    // One model's features are tested together: control the false
    // discovery rate across them.
    std::vector<double> ps;
    for (const auto& f : c.features)
      ps.push_back(f.pvalue);
    auto discoveries = drift::benjamini_hochberg(ps, cfg.significance);
    double weights = 0;
    double weighted = 0;
    size_t drifted = 0;
    for (size_t i = 0; i < c.features.size(); ++i) {
      auto& f = c.features[i];
      f.significant = !tests || discoveries[i];
      f.drift = f.significant && f.score >= threshold;
      f.level = f.drift ? drift::severity_of(f.score, threshold, critical)
                        : severity::none;
      drifted += f.drift ? 1 : 0;
      double w = 1.0;
      if (!latest_importance_.empty()) {
        auto it = latest_importance_.find(f.feature);
        w = it == latest_importance_.end() ? 0.0 : std::abs(it->second);
      }
      weights += w;
      weighted += w * (f.significant ? f.score : 0.0);
    }
    if (!c.features.empty()) {
      c.drifted_share
        = static_cast<double>(drifted) / static_cast<double>(c.features.size());
      c.weighted_score = weights > 0 ? weighted / weights : 0;
    }
    if (uses(cfg, config::drift_method::feature_drift))
      c.model_level = drift::severity_of(c.weighted_score, threshold, critical);
    for (const auto& f : c.features)
      c.model_level = std::max(c.model_level, f.level);
  }
  c.performance = performance_.current();
  c.reference_performance = performance_.reference();
  c.degradation = performance_.degradation();
  const auto perf_threshold
    = cfg.auto_retraining_triggers.performance_degradation_threshold;
  if (uses(cfg, config::drift_method::performance_degradation)) {
    c.performance_level = drift::severity_of(c.degradation, perf_threshold / 2,
                                             perf_threshold * 1.5);
    c.detectors = worst_since_check_;
  }
  worst_since_check_.clear();
  bool detector_drift = false;
  for (const auto& [name, level] : c.detectors)
    detector_drift |= level == detector_level::drift;
  c.failed = c.model_level != severity::none || detector_drift
             || c.degradation > perf_threshold;
  consecutive_failures_ = c.failed ? consecutive_failures_ + 1 : 0;
  c.consecutive_failures = consecutive_failures_;
  return c;
}

std::vector<alert_event> model_monitor::alerts(const model_check& c) {
  const auto& cfg = *cfg_;
  alert_policy policy{ns(cfg.alert_pending), ns(cfg.alert_keep)};
  std::vector<alert_event> events;
  auto feed
    = [&](const std::string& feature, const std::string& method, severity level,
          double score, double pvalue, std::string message) {
        auto key = feature + "\n" + method;
        auto& state = alert_states_.try_emplace(key, policy).first->second;
        auto change = state.update(c.time_ns, level);
        if (change == alert_change::none)
          return;
        alert_event e;
        e.change = change;
        e.alert.hdr.corr = correlation_id{};
        e.alert.model = ref_;
        e.alert.feature = feature;
        e.alert.method = method;
        e.alert.score = score;
        e.alert.p_value = pvalue;
        e.alert.level
          = change == alert_change::resolved ? severity::none : state.level();
        e.alert.message = std::string{to_string(change)} + ": " + message;
        e.alert.time_ns = c.time_ns;
        events.push_back(std::move(e));
      };
  for (const auto& f : c.features)
    feed(f.feature, f.test + "+" + f.score_method, f.level, f.score, f.pvalue,
         f.feature + " " + f.score_method + " "
           + std::to_string(f.score).substr(0, 6)
           + " p=" + std::to_string(f.pvalue).substr(0, 8));
  if (uses(cfg, config::drift_method::feature_drift))
    feed(
      "", "feature_drift",
      drift::severity_of(c.weighted_score, cfg.drift_threshold,
                         cfg.auto_retraining_triggers.critical_drift_threshold),
      c.weighted_score, std::nan(""),
      "importance-weighted drift "
        + std::to_string(c.weighted_score).substr(0, 6) + ", "
        + std::to_string(static_cast<int>(c.drifted_share * 100))
        + "% of features drifted");
  if (uses(cfg, config::drift_method::performance_degradation)) {
    feed("", "performance", c.performance_level, c.degradation, std::nan(""),
         "primary metric degraded by "
           + std::to_string(static_cast<int>(c.degradation * 100))
           + "% against the reference period");
    for (const auto& [name, level] : c.detectors)
      feed("", name, detector_severity(level),
           level == detector_level::drift ? 1.0 : 0.0, std::nan(""),
           name + " " + to_string(level) + " on the error stream");
  }
  return events;
}

std::optional<retrain_requested> model_monitor::retrain(const model_check& c) {
  const auto& cfg = *cfg_;
  if (!cfg.auto_retraining_enabled)
    return std::nullopt;
  const auto& t = cfg.auto_retraining_triggers;
  std::string trigger;
  bool critical = c.weighted_score >= t.critical_drift_threshold;
  for (const auto& f : c.features)
    critical |= f.drift && f.score >= t.critical_drift_threshold;
  if (critical)
    trigger = "critical_drift";
  else if (c.degradation > t.performance_degradation_threshold)
    trigger = "performance_degradation";
  else if (c.consecutive_failures >= t.consecutive_failures)
    trigger = "consecutive_failures";
  if (trigger.empty())
    return std::nullopt;
  if (retrained_ && c.time_ns - last_retrain_ns_ < ns(cfg.retrain_cooldown))
    return std::nullopt;
  retrained_ = true;
  last_retrain_ns_ = c.time_ns;
  nlohmann::json features = nlohmann::json::array();
  for (const auto& f : c.features)
    if (f.drift)
      features.push_back({{"feature", f.feature},
                          {"test", f.test},
                          {"pvalue", f.pvalue},
                          {"score_method", f.score_method},
                          {"score", f.score},
                          {"severity", to_string(f.level)},
                          {"reference_size", f.reference_size},
                          {"current_size", f.current_size}});
  nlohmann::json evidence{
    {"trigger", trigger},
    {"features", features},
    {"weighted_drift_score", c.weighted_score},
    {"drifted_share", c.drifted_share},
    {"degradation", c.degradation},
    {"consecutive_failures", c.consecutive_failures},
    {"window",
     {{"reference", cfg.reference_window}, {"current", cfg.current_window}}}};
  retrain_requested r;
  r.model = ref_;
  r.trigger = trigger;
  r.reason = dump_json(evidence);
  r.time_ns = c.time_ns;
  return r;
}

} // namespace argus
