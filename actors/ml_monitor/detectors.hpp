#pragma once

// Streaming change detectors for a model's error stream (the spec's
// performance_degradation). Each takes one value per prediction (an error:
// 0/1 for a classifier, |error| for a regressor) in O(1) amortised time and
// says whether the stream is stable, in a warning zone, or has drifted.
//
//   adwin          ADWIN2 (Bifet & Gavaldà 2007): an exponential histogram
//                  of at most `max_buckets` buckets per size; every `clock`
//                  values (after `grace` values) every cut W = W0 . W1 with
//                  both halves at least `min_window` long is tested with
//                    eps = sqrt(2 m var(W) ln(2 ln|W| / d)) + 2/3 m ln(2 ln|W|
//                    / d), m = 1/(n0 - min_window + 1) + 1/(n1 - min_window +
//                    1),
//                  drift when |mean(W0) - mean(W1)| > eps at d = delta (the
//                  oldest buckets are dropped until no cut holds), a
//                  warning when it holds at d = 10 delta only.
//   page_hinkley   two-sided Page-Hinkley: with the running mean x̄,
//                    up_t = alpha up_(t-1) + (x_t - x̄_t - delta),
//                    down_t = alpha down_(t-1) + (x_t - x̄_t + delta),
//                  drift when up_t - min(up) > lambda or max(down) - down_t
//                  > lambda (after `min_instances`), a warning above lambda/2.
//   ddm            Gama et al. 2004 on 0/1 errors: p_t the error rate, s_t =
//                  sqrt(p_t (1 - p_t) / t); after `warm_start` values the
//                  minimum of p + s is kept; a warning when p_t + s_t >=
//                  p_min + warning s_min, drift at p_min + drift s_min.
// After a drift each detector starts afresh.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace argus {

enum class detector_level : uint8_t { stable, warning, drift };

const char* to_string(detector_level x);

struct adwin_params {
  double delta = 0.002;
  int clock = 32;
  int max_buckets = 5;
  int min_window = 5;
  int grace = 10;
};

class adwin {
public:
  explicit adwin(adwin_params p = {});

  detector_level update(double x);

  double width() const noexcept {
    return width_;
  }
  double mean() const noexcept {
    return width_ > 0 ? total_ / width_ : 0;
  }

private:
  struct bucket {
    double total;
    double variance; ///< sum of squared deviations from the bucket's mean
  };

  void insert(double x);
  void compress();
  void drop_oldest();
  /// @returns whether some cut differs at confidence `delta`.
  bool some_cut(double delta) const;

  adwin_params p_;
  /// rows_[i]: buckets of 2^i values, newest first.
  std::vector<std::deque<bucket>> rows_;
  double width_ = 0;
  double total_ = 0;
  double variance_ = 0;
  int64_t tick_ = 0;
};

struct page_hinkley_params {
  int min_instances = 30;
  double delta = 0.005;
  double lambda = 50;
  double alpha = 0.9999;
};

class page_hinkley {
public:
  explicit page_hinkley(page_hinkley_params p = {});

  detector_level update(double x);

private:
  void reset();

  page_hinkley_params p_;
  int64_t n_ = 0;
  double mean_ = 0;
  double up_ = 0;
  double down_ = 0;
  double min_up_ = 0;
  double max_down_ = 0;
};

struct ddm_params {
  int warm_start = 30;
  double warning = 2.0;
  double drift = 3.0;
};

/// A detector parameter out of its range: its name and the rule.
struct param_problem {
  std::string param;
  std::string rule;
};

/// @returns the first parameter of `p` out of its range, if any: counts are
///          whole and at least 1 (`grace` at least 0), `delta` in (0, 1),
///          Page-Hinkley's `alpha` in (0, 1], `lambda` above 0, `delta`
///          at least 0, DDM's `drift` above `warning` above 0, all finite.
std::optional<param_problem> check(const adwin_params& p);
std::optional<param_problem> check(const page_hinkley_params& p);
std::optional<param_problem> check(const ddm_params& p);

class ddm {
public:
  explicit ddm(ddm_params p = {});

  /// `error`: whether this prediction was wrong (nonzero counts as wrong).
  detector_level update(double error);

private:
  void reset();

  ddm_params p_;
  int64_t n_ = 0;
  double errors_ = 0;
  double p_min_ = 0;
  double s_min_ = 0;
  bool has_min_ = false;
};

} // namespace argus
