#include "actors/report_scheduler/render.hpp"

#include "actors/report_scheduler/canvas.hpp"

#include <doctest/doctest.h>

#include <string>

#include <nlohmann/json.hpp>

using namespace argus::report_scheduler;
using nlohmann::json;

namespace {

size_t occurrences(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (auto i = s.find(what); i != std::string::npos; i = s.find(what, i + 1))
    ++n;
  return n;
}

chart line_chart() {
  chart c;
  c.title = "Equity";
  c.y_label = "equity";
  chart_series s{"equity", {}, {}};
  for (int i = 0; i < 30; ++i) {
    s.x.push_back(1'796'104'800.0 + 86'400.0 * i);
    s.y.push_back(100'000 + 250.0 * i * (i % 3 == 0 ? -1 : 1));
  }
  c.series.push_back(s);
  return c;
}

/// A report long enough for several pages: a chart and a table of 200
/// rows with a cell that needs escaping.
document long_document() {
  document doc;
  doc.type = "performance_summary";
  doc.title = "Performance summary";
  doc.period_text = "1 Nov 2026 – 1 Dec 2026 (UTC)";
  doc.figures = {{"net_pnl", 1234.5}};
  section s{"Overview", {"A paragraph <b>with markup</b> & an ampersand."},
            {{"Net PnL", "1,234.50", "+12.00 %", 1}}, {line_chart()}, {}};
  table t;
  t.title = "Fills";
  t.columns = {"Symbol", "Net PnL"};
  t.numeric = {false, true};
  for (int i = 0; i < 200; ++i)
    t.rows.push_back({i == 7 ? "<script>alert(1)</script>" : "BTCUSDT",
                      std::to_string(i) + ".00"});
  s.tables.push_back(t);
  doc.sections.push_back(s);
  return doc;
}

} // namespace

TEST_CASE("one chart module draws PNG and SVG") {
  auto png = chart_png(line_chart(), 760, 300);
  REQUIRE(png.size() > 1000);
  CHECK(png.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
  auto svg = chart_svg(line_chart(), 760, 300);
  CHECK(svg.find("<svg") != std::string::npos);
  // A chart with nothing in it still draws (its frame and title).
  chart empty;
  empty.title = "Nothing";
  CHECK(chart_png(empty, 200, 100).compare(0, 4, "\x89PNG") == 0);
}

TEST_CASE("axis labels of neighbouring ticks never read the same") {
  CHECK(tick_label(10'000, 500) == "10k");
  CHECK(tick_label(10'500, 500) == "10.5k");
  CHECK(tick_label(9'500, 500) == "9500");
  CHECK(tick_label(1'250'000, 250'000) == "1.25M");
  CHECK(tick_label(0.05, 0.05) == "0.05");
  CHECK(tick_label(-0.0, 0.1) == "0");
  CHECK(tick_label(-140, 20) == "-140");
  for (double step : {0.001, 0.02, 0.5, 5.0, 250.0, 500.0, 2'500.0, 50'000.0})
    for (int i = 0; i < 40; ++i) {
      auto a = tick_label(10'000 + step * i, step);
      auto b = tick_label(10'000 + step * (i + 1), step);
      CHECK_MESSAGE(a != b, a << " at step " << step);
    }
}

TEST_CASE("the PDF has numbered pages, repeats the table over them and "
          "embeds its fonts") {
  auto pdf = render_pdf(long_document());
  REQUIRE(pdf);
  CHECK(pdf->rfind("%PDF-1.", 0) == 0);
  auto pages = occurrences(*pdf, "/Type /Page\n") + occurrences(*pdf, "/Type /Page ")
               + occurrences(*pdf, "/Type /Page>");
  CHECK(pages >= 3);
  CHECK(pdf->find("/FontFile") != std::string::npos);
  // Rendering is deterministic apart from the creation date cairo writes.
  auto again = render_pdf(long_document());
  REQUIRE(again);
  CHECK(again->size() == pdf->size());
}

TEST_CASE("the HTML is self-contained, escapes text, and puts charts in "
          "cid: parts for e-mail") {
  auto doc = long_document();
  auto file = render_html(doc);
  CHECK(file.images.empty());
  CHECK(occurrences(file.html, "src=\"data:image/png;base64,") == 1);
  CHECK(file.html.find("<style") != std::string::npos);
  // No network: no external stylesheet, script or image.
  CHECK(file.html.find("http://") == std::string::npos);
  CHECK(file.html.find("https://") == std::string::npos);
  CHECK(file.html.find("<script>") == std::string::npos);
  CHECK(file.html.find("&lt;script&gt;") != std::string::npos);
  CHECK(file.html.find("&lt;b&gt;with markup&lt;/b&gt; &amp;") != std::string::npos);
  CHECK(occurrences(file.html, "<tr") == 201);

  auto mail = render_html(doc, true);
  REQUIRE(mail.images.size() == 1);
  CHECK(mail.html.find("data:image") == std::string::npos);
  CHECK(mail.html.find("src=\"cid:" + mail.images[0].content_id + "\"")
        != std::string::npos);
  CHECK(mail.images[0].png.compare(0, 4, "\x89PNG") == 0);
}

TEST_CASE("the JSON format is the report's figures with its title") {
  auto doc = long_document();
  auto j = json::parse(render_json(doc));
  CHECK(j["net_pnl"] == 1234.5);
  CHECK(j["title"] == "Performance summary");
  CHECK(j["empty"] == false);
  CHECK(base64("argus") == "YXJndXM=");
  CHECK(base64("") == "");
}
