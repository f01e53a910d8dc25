#include "actors/report_scheduler/render.hpp"

#include "actors/report_scheduler/canvas.hpp"
#include "actors/report_scheduler/reports.hpp"
#include "messages/error.hpp"
#include "messages/json_text.hpp"

#include <algorithm>
#include <cmath>
#include <mutex>

#include <cairo-pdf.h>
#include <openssl/evp.h>

namespace argus::report_scheduler {

namespace {

const char* version_text() {
#ifdef ARGUS_VERSION
  return ARGUS_VERSION;
#else
  return "";
#endif
}

std::string escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s)
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  return out;
}

const char* tone_colour(int tone) {
  return tone > 0 ? "#007a4d" : tone < 0 ? "#b34700" : "#555";
}

// Fontconfig's caches are process-wide and pango's font map is per thread;
// one render at a time keeps both simple (renders are rare and short).
std::mutex render_mutex;

} // namespace

std::string base64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  auto n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                           reinterpret_cast<const unsigned char*>(bytes.data()),
                           static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string render_json(const document& doc) {
  auto j = doc.figures;
  j["title"] = doc.title;
  j["empty"] = doc.empty;
  return dump_json(j, 2);
}

// -- HTML ---------------------------------------------------------------------

html_output render_html(const document& doc, bool for_email) {
  std::lock_guard<std::mutex> guard{render_mutex};
  html_output out;
  std::string h;
  h += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
       "<meta name=\"viewport\" content=\"width=device-width\">"
       "<title>"
       + escape(doc.title) + " — argus</title><style>"
       "body{font-family:'DejaVu Sans',Arial,sans-serif;color:#222;"
       "max-width:820px;margin:24px auto;padding:0 12px;font-size:14px}"
       "h1{font-size:22px;margin:0}h2{font-size:17px;border-bottom:1px solid "
       "#ccc;padding-bottom:4px;margin-top:28px}h3{font-size:14px}"
       ".period{color:#555;margin:4px 0 16px}"
       ".kpis{display:flex;flex-wrap:wrap;gap:8px}"
       ".kpi{border:1px solid #ddd;border-radius:4px;padding:8px 10px;"
       "min-width:140px;flex:1}.kpi .l{font-size:12px;color:#555}"
       ".kpi .v{font-size:18px;font-weight:bold}.kpi .c{font-size:12px}"
       "table{border-collapse:collapse;width:100%;margin:6px 0 14px;"
       "font-size:12px}th{background:#eee;text-align:left}"
       "th,td{padding:4px 6px;border-bottom:1px solid #e4e4e4;"
       "vertical-align:top}td.n,th.n{text-align:right;"
       "font-variant-numeric:tabular-nums}"
       "img{max-width:100%;height:auto}.empty{color:#777;font-style:italic}"
       "footer{color:#777;font-size:11px;margin-top:32px}"
       "</style></head><body>\n";
  h += "<h1>" + escape(doc.title) + "</h1><p class=\"period\">"
       + escape(doc.period_text) + "</p>\n";
  size_t chart_no = 0;
  for (const auto& s : doc.sections) {
    h += "<h2>" + escape(s.title) + "</h2>\n";
    for (const auto& p : s.paragraphs)
      h += "<p>" + escape(p) + "</p>\n";
    if (!s.kpis.empty()) {
      h += "<div class=\"kpis\">";
      for (const auto& k : s.kpis) {
        h += "<div class=\"kpi\"><div class=\"l\">" + escape(k.label)
             + "</div><div class=\"v\">" + escape(k.value) + "</div>";
        if (!k.change.empty())
          h += "<div class=\"c\" style=\"color:" + std::string{tone_colour(k.tone)}
               + "\">" + escape(k.change) + "</div>";
        h += "</div>";
      }
      h += "</div>\n";
    }
    for (const auto& c : s.charts) {
      auto png = chart_png(c, 760, 260);
      auto alt = escape(c.title);
      if (for_email) {
        auto cid = "chart" + std::to_string(++chart_no) + "@argus";
        h += "<p><img alt=\"" + alt + "\" width=\"760\" src=\"cid:" + cid
             + "\"></p>\n";
        out.images.push_back({cid, std::move(png)});
      } else {
        h += "<p><img alt=\"" + alt
             + "\" width=\"760\" src=\"data:image/png;base64," + base64(png)
             + "\"></p>\n";
      }
    }
    for (const auto& t : s.tables) {
      h += "<h3>" + escape(t.title) + "</h3>\n";
      if (t.rows.empty()) {
        h += "<p class=\"empty\">" + escape(t.empty_text) + "</p>\n";
        continue;
      }
      h += "<table><thead><tr>";
      for (size_t i = 0; i < t.columns.size(); ++i)
        h += std::string{"<th"} + (t.numeric[i] ? " class=\"n\"" : "") + ">"
             + escape(t.columns[i]) + "</th>";
      h += "</tr></thead><tbody>\n";
      for (const auto& r : t.rows) {
        h += "<tr>";
        for (size_t i = 0; i < r.size(); ++i)
          h += std::string{"<td"}
               + (i < t.numeric.size() && t.numeric[i] ? " class=\"n\"" : "")
               + ">" + escape(r[i]) + "</td>";
        h += "</tr>\n";
      }
      h += "</tbody></table>\n";
    }
  }
  h += "<footer>Generated by argus " + std::string{version_text()} + " at "
       + escape(local_time(doc.generated_at_ns, "UTC")) + " UTC.</footer>\n"
       + "</body></html>\n";
  out.html = std::move(h);
  return out;
}

// -- PDF ----------------------------------------------------------------------

namespace {

constexpr double page_w = 595;
constexpr double page_h = 842;
constexpr double margin = 48;
constexpr double content_w = page_w - 2 * margin;
constexpr double footer_y = page_h - 30;

/// Lays a document out on A4 pages. Run twice: the first pass counts the
/// pages, so that the second can write "page n of N".
class pdf_writer {
public:
  pdf_writer(cairo_t* cr, const document& doc, int total_pages)
      : cr_(cr), doc_(doc), total_(total_pages) {
  }

  int write() {
    title_block();
    for (const auto& s : doc_.sections)
      section_block(s);
    footer();
    return page_;
  }

private:
  void new_page() {
    footer();
    cairo_show_page(cr_);
    ++page_;
    y_ = margin;
    text_style st{8};
    st.r = st.g = st.b = 0.45;
    draw_text(cr_, margin, 24, doc_.title + " · " + doc_.period_text, st);
  }

  void footer() {
    text_style st{8};
    st.r = st.g = st.b = 0.45;
    st.alignment = align::right;
    auto n = "page " + std::to_string(page_)
             + (total_ > 0 ? " of " + std::to_string(total_) : "");
    draw_text(cr_, page_w - margin, footer_y, n, st);
    st.alignment = align::left;
    draw_text(cr_, margin, footer_y, "argus", st);
  }

  void need(double h) {
    if (y_ + h > footer_y - 12)
      new_page();
  }

  void title_block() {
    y_ = margin;
    text_style big{22, true};
    y_ += draw_text(cr_, margin, y_, doc_.title, big) + 4;
    text_style sub{11};
    sub.r = sub.g = sub.b = 0.35;
    y_ += draw_text(cr_, margin, y_, doc_.period_text, sub) + 2;
    text_style small{8.5};
    small.r = small.g = small.b = 0.45;
    y_ += draw_text(cr_, margin, y_,
                    "Generated " + local_time(doc_.generated_at_ns, "UTC")
                      + " UTC by argus " + version_text(),
                    small)
          + 10;
    cairo_set_source_rgb(cr_, 0.8, 0.8, 0.8);
    cairo_set_line_width(cr_, 0.8);
    cairo_move_to(cr_, margin, y_);
    cairo_line_to(cr_, page_w - margin, y_);
    cairo_stroke(cr_);
    y_ += 10;
  }

  void section_block(const section& s) {
    text_style h{14, true};
    need(60);
    y_ += draw_text(cr_, margin, y_, s.title, h) + 6;
    text_style body{9.5};
    body.width = content_w;
    for (const auto& p : s.paragraphs) {
      auto ph = text_height(cr_, p, body);
      need(ph);
      y_ += draw_text(cr_, margin, y_, p, body) + 4;
    }
    kpi_grid(s.kpis);
    for (const auto& c : s.charts) {
      need(200);
      draw_chart(cr_, c, margin, y_, content_w, 190);
      y_ += 200;
    }
    for (const auto& t : s.tables)
      table_block(t);
    y_ += 8;
  }

  void kpi_grid(const std::vector<kpi>& ks) {
    constexpr int per_row = 3;
    constexpr double gap = 8;
    double w = (content_w - gap * (per_row - 1)) / per_row;
    for (size_t i = 0; i < ks.size(); i += per_row) {
      double row_h = 48;
      need(row_h + gap);
      for (size_t j = i; j < std::min(ks.size(), i + per_row); ++j) {
        double x = margin + static_cast<double>(j - i) * (w + gap);
        cairo_set_source_rgb(cr_, 0.96, 0.96, 0.96);
        cairo_rectangle(cr_, x, y_, w, row_h);
        cairo_fill(cr_);
        text_style l{7.5};
        l.r = l.g = l.b = 0.35;
        l.width = w - 12;
        l.one_line = true;
        draw_text(cr_, x + 6, y_ + 4, ks[j].label, l);
        text_style v{12.5, true};
        v.width = w - 12;
        v.one_line = true;
        draw_text(cr_, x + 6, y_ + 15, ks[j].value, v);
        if (!ks[j].change.empty()) {
          text_style c{7.5};
          c.width = w - 12;
          c.one_line = true;
          if (ks[j].tone > 0) {
            c.r = 0;
            c.g = 0.48;
            c.b = 0.3;
          } else if (ks[j].tone < 0) {
            c.r = 0.7;
            c.g = 0.28;
            c.b = 0;
          }
          draw_text(cr_, x + 6, y_ + 33, ks[j].change, c);
        }
      }
      y_ += row_h + gap;
    }
  }

  std::vector<double> column_widths(const table& t) {
    std::vector<double> weight(t.columns.size(), 1);
    for (size_t c = 0; c < t.columns.size(); ++c) {
      size_t longest = t.columns[c].size();
      for (const auto& r : t.rows)
        if (c < r.size())
          longest = std::max(longest, r[c].size());
      weight[c] = std::clamp<double>(static_cast<double>(longest), 4, 40);
    }
    double sum = 0;
    for (double w : weight)
      sum += w;
    for (double& w : weight)
      w = w / sum * content_w;
    return weight;
  }

  double row_height(const std::vector<std::string>& cells,
                    const std::vector<double>& widths, bool bold) {
    double h = 0;
    for (size_t c = 0; c < cells.size() && c < widths.size(); ++c) {
      text_style st{8, bold};
      st.width = widths[c] - 6;
      h = std::max(h, text_height(cr_, cells[c], st));
    }
    return h + 6;
  }

  void row(const std::vector<std::string>& cells, const table& t,
           const std::vector<double>& widths, bool header, bool shade) {
    double h = row_height(cells, widths, header);
    if (header || shade) {
      cairo_set_source_rgb(cr_, header ? 0.89 : 0.965, header ? 0.89 : 0.965,
                           header ? 0.89 : 0.965);
      cairo_rectangle(cr_, margin, y_, content_w, h);
      cairo_fill(cr_);
    }
    double x = margin;
    for (size_t c = 0; c < cells.size() && c < widths.size(); ++c) {
      text_style st{8, header};
      st.width = widths[c] - 6;
      st.alignment = c < t.numeric.size() && t.numeric[c] ? align::right
                                                          : align::left;
      draw_text(cr_, x + 3, y_ + 3, cells[c], st);
      x += widths[c];
    }
    y_ += h;
  }

  void table_block(const table& t) {
    text_style title{10, true};
    auto widths = column_widths(t);
    need(40);
    y_ += draw_text(cr_, margin, y_, t.title, title) + 3;
    if (t.rows.empty()) {
      text_style st{9};
      st.r = st.g = st.b = 0.45;
      y_ += draw_text(cr_, margin, y_, t.empty_text, st) + 8;
      return;
    }
    row(t.columns, t, widths, true, false);
    for (size_t i = 0; i < t.rows.size(); ++i) {
      auto h = row_height(t.rows[i], widths, false);
      if (y_ + h > footer_y - 12) {
        new_page();
        row(t.columns, t, widths, true, false);
      }
      row(t.rows[i], t, widths, false, i % 2 == 1);
    }
    y_ += 10;
  }

  cairo_t* cr_;
  const document& doc_;
  int total_;
  int page_ = 1;
  double y_ = margin;
};

cairo_status_t append(void* closure, const unsigned char* data,
                      unsigned int length) {
  static_cast<std::string*>(closure)->append(
    reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

cairo_status_t discard(void*, const unsigned char*, unsigned int) {
  return CAIRO_STATUS_SUCCESS;
}

} // namespace

caf::expected<std::string> render_pdf(const document& doc) {
  std::lock_guard<std::mutex> guard{render_mutex};
  int pages = 0;
  {
    auto* surface
      = cairo_pdf_surface_create_for_stream(discard, nullptr, page_w, page_h);
    auto* cr = cairo_create(surface);
    pages = pdf_writer{cr, doc, 0}.write();
    cairo_destroy(cr);
    cairo_surface_finish(surface);
    cairo_surface_destroy(surface);
  }
  std::string out;
  auto* surface
    = cairo_pdf_surface_create_for_stream(append, &out, page_w, page_h);
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE,
                                 (doc.title + " — " + doc.period_text).c_str());
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "argus");
  auto* cr = cairo_create(surface);
  pdf_writer{cr, doc, pages}.write();
  cairo_destroy(cr);
  cairo_surface_finish(surface);
  auto status = cairo_surface_status(surface);
  cairo_surface_destroy(surface);
  if (status != CAIRO_STATUS_SUCCESS)
    return caf::make_error(ec::report_failed,
                           std::string{"PDF rendering failed: "}
                             + cairo_status_to_string(status));
  return out;
}

} // namespace argus::report_scheduler
