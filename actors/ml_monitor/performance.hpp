#pragma once

// Model performance from predictions joined to their labels, over
// a rolling window of the last `capacity` joined pairs, and relative to the
// reference period (the first `capacity` pairs after a deployment).
//
// Classifiers (a prediction with a label): accuracy; precision, recall and
// F1 macro-averaged over the classes seen in the window; log-loss, taking
// the prediction's confidence as the probability of the predicted class and
// spreading the rest evenly over the other classes seen (clipped to
// [1e-15, 1 - 1e-15]).
// Regressors (no label): MAE, RMSE, and directional accuracy (the share of
// predictions with the label's sign).
//
// Degradation compares the primary metric with the reference period's:
// accuracy for classifiers ((ref - now) / ref), MAE for regressors
// ((now - ref) / ref); positive means worse.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>

namespace argus {

struct performance_figures {
  bool classifier = true;
  size_t samples = 0;
  double accuracy = 0;
  double precision = 0;
  double recall = 0;
  double f1 = 0;
  double log_loss = 0;
  double mae = 0;
  double rmse = 0;
  double directional_accuracy = 0;

  /// Accuracy for classifiers, MAE for regressors.
  double primary() const noexcept {
    return classifier ? accuracy : mae;
  }
};

/// One prediction with its label.
struct joined_prediction {
  std::string predicted_label;
  double predicted_value = 0;
  double confidence = 0;
  std::string true_label;
  double true_value = 0;
};

class performance_tracker {
public:
  explicit performance_tracker(size_t capacity = 1000);

  /// Adds a joined pair. @returns the error stream value for the
  /// detectors: 1/0 wrong/right for classifiers, |error| for regressors.
  double add(const joined_prediction& x);

  performance_figures current() const;

  /// The reference period's figures, once it is complete.
  std::optional<performance_figures> reference() const;

  /// (now - reference) relative, oriented so that positive is worse; 0
  /// while the reference is incomplete.
  double degradation() const;

  /// Starts a new reference period (a model version was deployed).
  void reset();

private:
  static performance_figures compute(const std::deque<joined_prediction>& xs);

  size_t capacity_;
  std::deque<joined_prediction> window_;
  std::deque<joined_prediction> reference_;
  std::optional<performance_figures> reference_figures_;
};

} // namespace argus
