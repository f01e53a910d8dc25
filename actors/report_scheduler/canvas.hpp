#pragma once

// Drawing on a cairo context, the same for PDF pages, PNG and SVG: text
// through pango (wrapping, ellipsis, shaping, font fallback; sizes in user
// units: points on a PDF page, pixels on an image) and charts with axes,
// ticks and legends. Cairo contexts are not shared between threads: each
// render creates its own.

#include "actors/report_scheduler/document.hpp"

#include <string>

#include <cairo.h>

namespace argus::report_scheduler {

enum class align : uint8_t { left, center, right };

struct text_style {
  double size = 9;
  bool bold = false;
  align alignment = align::left;
  /// > 0: wrap (or ellipsize, `one_line`) within this width.
  double width = -1;
  bool one_line = false;
  double r = 0.13, g = 0.13, b = 0.13;
};

/// Draws `s` with its top left at (x, y) (or its top centre / top right).
/// @returns its height.
double draw_text(cairo_t* cr, double x, double y, const std::string& s,
                 const text_style& style);

/// @returns the height `s` would take, drawing nothing.
double text_height(cairo_t* cr, const std::string& s, const text_style& style);

/// Draws `c` into the rectangle (x, y, w, h): title, axes with "nice" ticks,
/// tick labels, the series and a legend when there are several.
void draw_chart(cairo_t* cr, const chart& c, double x, double y, double w,
                double h);

/// An axis label for tick `v` of an axis whose ticks are `step` apart:
/// `12k`, `10.5k`, `1.2M`, `0.05`; as many decimals as the step needs.
std::string tick_label(double v, double step);

/// `c` as a PNG image of w x h pixels (white background).
std::string chart_png(const chart& c, int w, int h);

/// `c` as an SVG document of w x h pixels.
std::string chart_svg(const chart& c, int w, int h);

} // namespace argus::report_scheduler
