#pragma once

// A document in the three formats: JSON (its figures), HTML
// (self-contained: inline CSS, charts as PNG, readable in a mail client
// without network) and PDF (cairo + pango: A4, charts with axes and
// legends, tables that wrap and repeat their header, page numbers, fonts
// embedded). One drawing code (canvas.hpp) serves PDF pages and the
// HTML's PNG charts.

#include "actors/report_scheduler/document.hpp"

#include <caf/expected.hpp>

#include <string>
#include <vector>

namespace argus::report_scheduler {

/// The JSON format: type, period, generation time and figures.
std::string render_json(const document& doc);

/// An image the HTML refers to by `cid:` (for e-mail).
struct inline_image {
  std::string content_id; ///< without angle brackets
  std::string png;
};

struct html_output {
  std::string html;
  /// Empty unless rendered for e-mail.
  std::vector<inline_image> images;
};

/// `for_email`: charts as `cid:` parts (many mail clients block `data:`
/// images); otherwise as `data:` URIs in the one file.
html_output render_html(const document& doc, bool for_email = false);

/// The PDF's bytes.
caf::expected<std::string> render_pdf(const document& doc);

/// Standard base64 of `bytes`.
std::string base64(const std::string& bytes);

} // namespace argus::report_scheduler
