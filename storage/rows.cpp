#include "storage/rows.hpp"

#include "storage/schema.hpp"

#include <nlohmann/json.hpp>

namespace argus::storage {

namespace {

db_value json_text(const nlohmann::json& j) {
  return db_value::of(j.dump());
}

db_value text_or_null(const std::string& x) {
  return x.empty() ? db_value::null() : db_value::of(x);
}

db_row make(table_id table, const message_header& hdr,
            std::vector<db_value> values) {
  return db_row{table, hdr.corr, std::move(values)};
}

} // namespace

db_row to_row(const ensemble_recorded& x) {
  return make(
    table_id::ensemble_tracking, x.hdr,
    {db_value::of(x.ensemble_id), db_value::of(sql_datetime(x.time_ns)),
     db_value::of(x.ensemble_type), json_text(x.individual_predictions),
     json_text(x.ensemble_weights), db_value::of(x.final_prediction),
     db_value::of(x.confidence), text_or_null(x.meta_learner_prediction),
     x.meta_learner_prediction.empty()
       ? db_value::null()
       : db_value::of(x.meta_learner_confidence)});
}

db_row to_row(const regime_recorded& x) {
  return make(
    table_id::regime_tracking, x.hdr,
    {db_value::of(x.regime_type), db_value::of(sql_datetime(x.time_ns)),
     db_value::of(x.regime_confidence), json_text(x.regime_probabilities),
     json_text(x.regime_features), json_text(x.regime_indicators),
     db_value::of(x.regime_transition_probability),
     db_value::of(static_cast<int64_t>(x.regime_duration))});
}

db_row to_row(const model_behavior_recorded& x) {
  nlohmann::json performance(x.performance_metrics);
  performance["prediction_consistency"] = x.prediction_consistency;
  performance["feature_importance_stability"] = x.feature_importance_stability;
  performance["prediction_drift"] = x.prediction_drift;
  nlohmann::json metadata{{"confidence_trend", x.confidence_trend},
                          {"correlation_id", x.hdr.corr.str()}};
  return make(table_id::model_behavior_tracking, x.hdr,
              {db_value::of(x.model_id), db_value::of(sql_datetime(x.time_ns)),
               json_text(performance), json_text(x.feature_importance),
               json_text(x.drift_scores), json_text(x.ensemble_weights),
               json_text(metadata)});
}

db_row to_row(const decision_step_recorded& x) {
  return make(table_id::decision_steps, x.hdr,
              {db_value::of(static_cast<int64_t>(x.step)),
               db_value::of(std::string{to_string(x.component)}),
               db_value::of(x.name), text_or_null(x.decided_by),
               json_text(x.inputs), json_text(x.outputs),
               db_value::of(x.start_ns), db_value::of(x.end_ns)});
}

db_row to_row(const report_generated& x) {
  return make(table_id::report_history, x.hdr,
              {db_value::of(x.report_type),
               db_value::of(sql_datetime(x.generated_at_ns)),
               db_value::of(x.schedule_type), json_text(x.recipients),
               text_or_null(x.file_path), db_value::of(x.status)});
}

} // namespace argus::storage
