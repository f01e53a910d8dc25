#include "runtime/gateway/web_assets.hpp"

#include "messages/digest.hpp"

#include <fstream>
#include <sstream>

namespace argus::gateway {

namespace {

struct wanted_file {
  const char* file;
  const char* path;
  const char* content_type;
  bool from_npm;
};

constexpr wanted_file wanted[] = {
  {"index.html", "/", "text/html; charset=utf-8", false},
  {"app.js", "/ui/app.js", "text/javascript; charset=utf-8", false},
  {"app.css", "/ui/app.css", "text/css; charset=utf-8", false},
  {"node_modules/uplot/dist/uPlot.iife.min.js", "/ui/uPlot.iife.min.js",
   "text/javascript; charset=utf-8", true},
  {"node_modules/uplot/dist/uPlot.min.css", "/ui/uPlot.min.css",
   "text/css; charset=utf-8", true},
};

/// The page and its own files change with argus (revalidated each load);
/// uPlot's change only with its version in the lockfile.
constexpr const char* page_cache = "no-cache";
constexpr const char* library_cache = "public, max-age=86400";

} // namespace

std::string default_web_root() {
#ifdef ARGUS_WEB_DIR
  return ARGUS_WEB_DIR;
#else
  return "web";
#endif
}

std::optional<std::vector<web_asset>> load_web_assets(const std::string& root,
                                                      std::string& error) {
  std::vector<web_asset> result;
  for (const auto& w : wanted) {
    auto file = root + "/" + w.file;
    std::ifstream in{file, std::ios::binary};
    if (!in) {
      error = "cannot read " + file
              + (w.from_npm ? " (uPlot comes from the npm registry: run "
                              "`npm ci` in "
                                + root + ", as scripts/dev.sh does)"
                            : "");
      return std::nullopt;
    }
    std::ostringstream text;
    text << in.rdbuf();
    auto body = std::make_shared<const std::string>(text.str());
    auto etag = "\"" + to_hex(sha256(*body)).substr(0, 32) + "\"";
    result.push_back({w.path, w.content_type, std::move(body), etag});
  }
  return result;
}

std::vector<web_asset> web_asset_placeholders() {
  std::vector<web_asset> result;
  for (const auto& w : wanted)
    result.push_back(
      {w.path, w.content_type, std::make_shared<const std::string>(), "\"\""});
  return result;
}

std::vector<route> web_routes(std::vector<web_asset> assets) {
  std::vector<route> rs;
  for (auto& a : assets) {
    bool library = a.path.find("uPlot") != std::string::npos;
    bool page = a.path == "/";
    auto summary = page ? "the live web dashboard (asks for a token)"
                        : "a file of the web dashboard";
    rs.push_back(
      {"GET", a.path, role::anyone, summary,
       [a, library, page](const request_context& ctx) {
         http_response res;
         res.headers.emplace_back("Cache-Control",
                                  library ? library_cache : page_cache);
         res.headers.emplace_back("ETag", a.etag);
         res.headers.emplace_back("X-Content-Type-Options", "nosniff");
         if (page) {
           // Scripts, styles and connections from argusd only: no CDN,
           // no inline script, not framed by another site.
           res.headers.emplace_back(
             "Content-Security-Policy",
             "default-src 'self'; img-src 'self' data:; "
             "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'");
           res.headers.emplace_back("Referrer-Policy", "no-referrer");
         }
         if (ctx.req.header("if-none-match") == a.etag) {
           res.status = 304;
           res.content_type.clear();
           return res;
         }
         res.content_type = a.content_type;
         res.shared_body = a.body;
         return res;
       }});
  }
  rs.push_back({"GET", "/favicon.ico", role::anyone,
                "no icon (204, so browsers stop asking)",
                [](const request_context&) {
                  http_response res;
                  res.status = 204;
                  res.content_type.clear();
                  return res;
                }});
  return rs;
}

} // namespace argus::gateway
