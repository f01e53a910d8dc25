#pragma once

// The web dashboard's files, read once at start and served from memory:
// the page, its script and style (the project's), and uPlot's script and
// style (from the npm registry, `npm ci` in `web/`). Nothing third-party is
// in the repository, and nothing is fetched from elsewhere by the page.

#include "runtime/gateway/routes.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace argus::gateway {

/// One file as it is served.
struct web_asset {
  /// The URL path, e.g. `/ui/app.js`.
  std::string path;
  std::string content_type;
  std::shared_ptr<const std::string> body;
  /// A strong validator: the content's digest.
  std::string etag;
};

/// Reads the dashboard's files from `root`. @returns them, or nothing with
/// `error` naming the file that is missing (and, for uPlot, the command
/// that installs it).
std::optional<std::vector<web_asset>> load_web_assets(const std::string& root,
                                                      std::string& error);

/// @returns the dashboard's files with empty bodies: what the route table
///          lists (`argusd --list-routes`) without reading them.
std::vector<web_asset> web_asset_placeholders();

/// @returns the routes serving `assets` (to anyone: the page asks for its
///          token itself, and the data it shows comes through the API) and
///          `/favicon.ico` (204).
std::vector<route> web_routes(std::vector<web_asset> assets);

/// @returns where the dashboard's files are by default: the source tree's
///          `web/` folder.
std::string default_web_root();

} // namespace argus::gateway
