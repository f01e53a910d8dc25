#include "actors/report_scheduler/canvas.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <limits>

#include <cairo-svg.h>
#include <pango/pangocairo.h>

namespace argus::report_scheduler {

namespace {

/// One pango layout for `s` in `style`, to measure or show.
PangoLayout* layout_of(cairo_t* cr, const std::string& s,
                       const text_style& style) {
  PangoLayout* l = pango_cairo_create_layout(cr);
  PangoFontDescription* fd = pango_font_description_from_string(
    style.bold ? "DejaVu Sans Bold" : "DejaVu Sans");
  // Absolute: in user units, not points at pango's 96 dpi.
  pango_font_description_set_absolute_size(fd, style.size * PANGO_SCALE);
  pango_layout_set_font_description(l, fd);
  pango_font_description_free(fd);
  pango_layout_set_text(l, s.c_str(), -1);
  if (style.width > 0) {
    pango_layout_set_width(l, static_cast<int>(style.width * PANGO_SCALE));
    pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    if (style.one_line)
      pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
    pango_layout_set_alignment(l, style.alignment == align::right
                                    ? PANGO_ALIGN_RIGHT
                                  : style.alignment == align::center
                                    ? PANGO_ALIGN_CENTER
                                    : PANGO_ALIGN_LEFT);
  }
  return l;
}

double nice_step(double range, int ticks) {
  if (!(range > 0))
    return 1;
  double raw = range / ticks;
  double p = std::pow(10, std::floor(std::log10(raw)));
  double f = raw / p;
  return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * p;
}

} // namespace

std::string tick_label(double v, double step) {
  // As many decimals as the step needs, so that neighbouring ticks never
  // read the same (10k, 10.5k, 11k).
  auto decimals = [](double scaled_step) {
    // The fewest that write the step exactly (0.25: 2; 0.5: 1).
    for (int d = 0; d < 6; ++d) {
      auto r = scaled_step * std::pow(10.0, d);
      if (std::fabs(r - std::round(r)) < 1e-6 * std::max(1.0, r))
        return d;
    }
    return 6;
  };
  double a = std::fabs(v);
  double unit = a >= 1e6 ? 1e6 : a >= 1e4 ? 1e3 : 1;
  const char* suffix = unit == 1e6 ? "M" : unit == 1e3 ? "k" : "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals(step / unit), v / unit);
  std::string s = buf;
  // 10.50k reads 10.5k, 11.0k reads 11k.
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0')
      s.pop_back();
    if (s.back() == '.')
      s.pop_back();
  }
  if (s == "-0")
    s = "0";
  return s + suffix;
}

namespace {

std::string date_label(double unix_s, double span_s) {
  auto t = static_cast<std::time_t>(unix_s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, span_s > 3 * 86400 ? "%m-%d" : "%m-%d %H:%M",
                &tm);
  return buf;
}

// A colour-blind-safe palette (Okabe-Ito).
constexpr double palette[][3] = {{0.0, 0.45, 0.70},  {0.84, 0.37, 0.0},
                                 {0.0, 0.62, 0.45},  {0.80, 0.47, 0.65},
                                 {0.34, 0.71, 0.91}, {0.90, 0.62, 0.0},
                                 {0.94, 0.89, 0.26}, {0.0, 0.0, 0.0}};

void set_colour(cairo_t* cr, size_t i) {
  const auto& c = palette[i % (sizeof palette / sizeof palette[0])];
  cairo_set_source_rgb(cr, c[0], c[1], c[2]);
}

struct range {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  void add(double v) {
    if (std::isfinite(v)) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  }
  bool empty() const {
    return lo > hi;
  }
};

} // namespace

double draw_text(cairo_t* cr, double x, double y, const std::string& s,
                 const text_style& style) {
  PangoLayout* l = layout_of(cr, s, style);
  int w = 0;
  int h = 0;
  pango_layout_get_size(l, &w, &h);
  double dx = 0;
  if (style.width <= 0) {
    if (style.alignment == align::right)
      dx = -w / double(PANGO_SCALE);
    else if (style.alignment == align::center)
      dx = -w / 2.0 / PANGO_SCALE;
  }
  cairo_save(cr);
  cairo_set_source_rgb(cr, style.r, style.g, style.b);
  cairo_move_to(cr, x + dx, y);
  pango_cairo_show_layout(cr, l);
  cairo_restore(cr);
  g_object_unref(l);
  return h / double(PANGO_SCALE);
}

double text_height(cairo_t* cr, const std::string& s, const text_style& style) {
  PangoLayout* l = layout_of(cr, s, style);
  int w = 0;
  int h = 0;
  pango_layout_get_size(l, &w, &h);
  g_object_unref(l);
  return h / double(PANGO_SCALE);
}

void draw_chart(cairo_t* cr, const chart& c, double x, double y, double w,
                double h) {
  cairo_save(cr);
  text_style title{10, true};
  draw_text(cr, x, y, c.title, title);
  double top = y + 18;
  double left = x + 52;
  double bottom = y + h - 20;
  double right = x + w - 8;
  double pw = right - left;
  double ph = bottom - top;
  range xs;
  range ys;
  if (c.type == chart::kind::bar) {
    ys.add(0);
    if (!c.series.empty())
      for (double v : c.series[0].y)
        ys.add(v);
  } else {
    for (const auto& s : c.series) {
      for (double v : s.x)
        xs.add(v);
      for (double v : s.y)
        ys.add(v);
    }
    if (c.area)
      ys.add(0);
  }
  text_style small{7.5};
  small.r = small.g = small.b = 0.3;
  if (ys.empty() || (c.type == chart::kind::line && xs.empty())) {
    text_style note{9};
    note.alignment = align::center;
    note.r = note.g = note.b = 0.45;
    draw_text(cr, x + w / 2, top + ph / 2 - 6, "no data in this period", note);
    cairo_restore(cr);
    return;
  }
  if (ys.hi == ys.lo) {
    ys.hi += std::max(1.0, std::fabs(ys.hi) * 0.1);
    ys.lo -= c.type == chart::kind::bar ? 0 : std::max(1.0, std::fabs(ys.lo) * 0.1);
  }
  double step = nice_step(ys.hi - ys.lo, 5);
  double ylo = std::floor(ys.lo / step) * step;
  double yhi = std::ceil(ys.hi / step) * step;
  auto py = [&](double v) {
    return bottom - (v - ylo) / (yhi - ylo) * ph;
  };
  // Grid and y ticks.
  cairo_set_line_width(cr, 0.4);
  for (double v = ylo; v <= yhi + step * 1e-6; v += step) {
    cairo_set_source_rgb(cr, 0.87, 0.87, 0.87);
    cairo_move_to(cr, left, py(v));
    cairo_line_to(cr, right, py(v));
    cairo_stroke(cr);
    auto st = small;
    st.alignment = align::right;
    draw_text(cr, left - 4, py(v) - 5, tick_label(v, step), st);
  }
  cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
  cairo_set_line_width(cr, 0.8);
  cairo_move_to(cr, left, top);
  cairo_line_to(cr, left, bottom);
  cairo_line_to(cr, right, bottom);
  cairo_stroke(cr);
  if (!c.y_label.empty()) {
    auto st = small;
    draw_text(cr, left + 4, top - 2, c.y_label, st);
  }
  if (c.type == chart::kind::bar) {
    const auto& vs = c.series.empty() ? std::vector<double>{} : c.series[0].y;
    double slot = pw / std::max<size_t>(1, vs.size());
    size_t label_every = std::max<size_t>(1, static_cast<size_t>(40 / slot) + 1);
    for (size_t i = 0; i < vs.size(); ++i) {
      double y0 = py(0);
      double y1 = py(vs[i]);
      if (vs[i] >= 0)
        cairo_set_source_rgb(cr, 0.0, 0.62, 0.45);
      else
        cairo_set_source_rgb(cr, 0.84, 0.37, 0.0);
      cairo_rectangle(cr, left + i * slot + slot * 0.15, std::min(y0, y1),
                      slot * 0.7, std::fabs(y1 - y0));
      cairo_fill(cr);
      if (i % label_every == 0 && i < c.categories.size()) {
        auto st = small;
        st.alignment = align::center;
        st.width = slot * label_every;
        st.one_line = true;
        draw_text(cr, left + i * slot + slot / 2 - st.width / 2, bottom + 3,
                  c.categories[i], st);
      }
    }
    cairo_restore(cr);
    return;
  }
  if (xs.hi == xs.lo) {
    xs.lo -= 1;
    xs.hi += 1;
  }
  auto px = [&](double v) {
    return left + (v - xs.lo) / (xs.hi - xs.lo) * pw;
  };
  // x ticks: five labels across.
  for (int i = 0; i <= 4; ++i) {
    double v = xs.lo + (xs.hi - xs.lo) * i / 4;
    auto st = small;
    st.alignment = i == 0 ? align::left : i == 4 ? align::right : align::center;
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    cairo_move_to(cr, px(v), bottom);
    cairo_line_to(cr, px(v), bottom + 3);
    cairo_stroke(cr);
    draw_text(cr, px(v), bottom + 4,
              c.time_axis ? date_label(v, xs.hi - xs.lo) : tick_label(v, 1), st);
  }
  for (size_t si = 0; si < c.series.size(); ++si) {
    const auto& s = c.series[si];
    auto n = std::min(s.x.size(), s.y.size());
    if (n == 0)
      continue;
    set_colour(cr, c.area ? 1 : si);
    cairo_set_line_width(cr, 1.3);
    for (size_t i = 0; i < n; ++i)
      i ? cairo_line_to(cr, px(s.x[i]), py(s.y[i]))
        : cairo_move_to(cr, px(s.x[i]), py(s.y[i]));
    if (c.area && si == 0) {
      cairo_stroke_preserve(cr);
      cairo_line_to(cr, px(s.x[n - 1]), py(0));
      cairo_line_to(cr, px(s.x[0]), py(0));
      cairo_close_path(cr);
      cairo_set_source_rgba(cr, 0.84, 0.37, 0.0, 0.25);
      cairo_fill(cr);
    } else {
      cairo_stroke(cr);
    }
  }
  if (c.series.size() > 1) {
    double lx = left + 8;
    double ly = top + 4;
    for (size_t si = 0; si < c.series.size(); ++si) {
      set_colour(cr, si);
      cairo_rectangle(cr, lx, ly + 3, 12, 4);
      cairo_fill(cr);
      auto st = small;
      st.r = st.g = st.b = 0.1;
      ly += draw_text(cr, lx + 16, ly, c.series[si].name, st) + 1;
    }
  }
  cairo_restore(cr);
}

namespace {

cairo_status_t append(void* closure, const unsigned char* data,
                      unsigned int length) {
  static_cast<std::string*>(closure)->append(
    reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

} // namespace

std::string chart_png(const chart& c, int w, int h) {
  auto* surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
  auto* cr = cairo_create(surface);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  draw_chart(cr, c, 4, 4, w - 8, h - 8);
  cairo_destroy(cr);
  std::string out;
  cairo_surface_write_to_png_stream(surface, append, &out);
  cairo_surface_destroy(surface);
  return out;
}

std::string chart_svg(const chart& c, int w, int h) {
  std::string out;
  auto* surface = cairo_svg_surface_create_for_stream(append, &out, w, h);
  cairo_svg_surface_set_document_unit(surface, CAIRO_SVG_UNIT_PX);
  auto* cr = cairo_create(surface);
  draw_chart(cr, c, 4, 4, w - 8, h - 8);
  cairo_destroy(cr);
  cairo_surface_finish(surface);
  cairo_surface_destroy(surface);
  return out;
}

} // namespace argus::report_scheduler
