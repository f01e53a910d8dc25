#include "actors/report_scheduler/runner.hpp"

#include "actors/report_scheduler/render.hpp"
#include "messages/error.hpp"
#include "storage/reader.hpp"
#include "storage/readers/reports.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <system_error>

#include <date/date.h>

namespace argus::report_scheduler {

namespace fs = std::filesystem;

namespace {

const char* extension(config::report_format f) {
  return config::to_string(f);
}

bool is_report_file(const fs::path& p) {
  auto ext = p.extension().string();
  if (ext != ".pdf" && ext != ".html" && ext != ".json")
    return false;
  auto name = p.filename().string();
  for (const char* t : config::report_type_names)
    if (name.rfind(t, 0) == 0)
      return true;
  return false;
}

} // namespace

std::string output_directory(const std::string& configured,
                             const std::string& database_path) {
  fs::path dir{configured};
  if (dir.is_absolute() || database_path.empty()
      || database_path == ":memory:")
    return dir.string();
  return (fs::path{database_path}.parent_path() / dir).string();
}

caf::expected<rendered_report>
make_report(const run_job& job, const run_settings& settings,
            const std::optional<integration_status>& status, int64_t now_ns) {
  if (!known_report_type(job.type))
    return caf::make_error(ec::invalid_argument,
                           "unknown report type '" + job.type + "'");
  report_inputs in;
  in.trading = settings.trading;
  if (!settings.database_path.empty() && settings.database_path != ":memory:"
      && fs::exists(settings.database_path)) {
    auto reader = storage::db_reader::open(settings.database_path);
    if (!reader)
      return reader.error();
    auto loaded = load_inputs(**reader, job.type, job.period, settings.trading);
    if (!loaded)
      return loaded.error();
    in = std::move(*loaded);
  }
  in.status = status;
  rendered_report out;
  out.doc = build_report(job.type, in, job.period, now_ns);
  switch (job.format) {
    case config::report_format::pdf: {
      auto pdf = render_pdf(out.doc);
      if (!pdf)
        return pdf.error();
      out.bytes = std::move(*pdf);
      break;
    }
    case config::report_format::html:
      out.bytes = render_html(out.doc).html;
      break;
    case config::report_format::json:
      out.bytes = render_json(out.doc);
      break;
  }
  return out;
}

std::string report_file_name(const run_job& job, int64_t now_ns) {
  return job.type + "-" + date::format("%Y%m%dT%H%M%SZ", to_sys(now_ns)) + "-"
         + std::to_string(job.sequence) + "." + extension(job.format);
}

caf::expected<rendered_report>
render_report(const run_job& job, const run_settings& settings,
              const std::optional<integration_status>& status,
              int64_t now_ns) {
  auto made = make_report(job, settings, status, now_ns);
  if (!made)
    return made.error();
  auto& out = *made;
  std::error_code ec_fs;
  fs::create_directories(settings.output_directory, ec_fs);
  if (ec_fs)
    return caf::make_error(ec::report_failed,
                           "cannot create " + settings.output_directory + ": "
                             + ec_fs.message());
  auto path = fs::path{settings.output_directory}
              / report_file_name(job, now_ns);
  auto tmp = path;
  tmp += ".part";
  {
    std::ofstream f{tmp.string(), std::ios::binary | std::ios::trunc};
    f.write(out.bytes.data(), static_cast<std::streamsize>(out.bytes.size()));
    f.flush();
    if (!f)
      return caf::make_error(ec::report_failed,
                             "cannot write " + tmp.string()
                               + " (disk full or not writable)");
  }
  // A reader never sees half a file.
  fs::rename(tmp, path, ec_fs);
  if (ec_fs)
    return caf::make_error(ec::report_failed, "cannot rename " + tmp.string()
                                                + ": " + ec_fs.message());
  out.path = fs::absolute(path).string();
  return made;
}

std::vector<due_run> restore_plan(report_plan& plan,
                                  const config::report_scheduler_config& cfg,
                                  storage::db_reader* reader, sys_seconds now,
                                  std::vector<std::string>& skipped) {
  std::map<std::string, sys_seconds> by_name;
  if (reader) {
    if (auto custom = storage::report_configs(*reader)) {
      for (const auto& [name, body] : *custom) {
        std::string error;
        auto j = nlohmann::json::parse(body, nullptr, false);
        auto def = definition_from_json(j, definition_defaults(cfg), error);
        if (!def || !plan.put(name, *def, now, true, error))
          skipped.push_back(name + ": " + error);
      }
    }
    if (auto runs = storage::last_scheduled_runs(*reader))
      for (const auto& [name, p] : plan.reports())
        if (auto i = runs->find(name); i != runs->end())
          by_name[name] = to_sys(i->second);
  }
  return plan.start(now, by_name,
                    std::chrono::duration_cast<std::chrono::seconds>(
                      cfg.catch_up_grace));
}

mail_message make_mail(const run_job& job, const rendered_report& r,
                       const config::email_config& email, int64_t now_ns) {
  mail_message m;
  m.to = job.recipients;
  m.subject = "argus " + r.doc.title + " — " + r.doc.period_text;
  auto body = render_html(r.doc, true);
  m.html = std::move(body.html);
  m.images = std::move(body.images);
  const char* type = job.format == config::report_format::pdf ? "application/pdf"
                     : job.format == config::report_format::html
                       ? "text/html; charset=utf-8"
                       : "application/json";
  m.attachments.push_back(
    {fs::path{r.path}.filename().string(), type, r.bytes});
  auto at = email.from_address.find('@');
  auto domain = at == std::string::npos ? std::string{"argus.localhost"}
                                        : email.from_address.substr(at + 1);
  m.message_id = "report-" + std::to_string(now_ns) + "-"
                 + std::to_string(job.sequence) + "@" + domain;
  m.date_ns = now_ns;
  return m;
}

size_t prune_report_files(const std::string& dir, size_t max_files,
                          std::chrono::milliseconds max_age, int64_t now_ns) {
  std::error_code ec_fs;
  std::vector<std::pair<fs::file_time_type, fs::path>> files;
  for (const auto& e : fs::directory_iterator{dir, ec_fs}) {
    if (!e.is_regular_file(ec_fs) || !is_report_file(e.path()))
      continue;
    files.emplace_back(e.last_write_time(ec_fs), e.path());
  }
  std::sort(files.begin(), files.end());
  // file_time_type's clock has no portable epoch in C++17: age by the
  // newest file's distance from now instead of converting.
  auto now_file = fs::file_time_type::clock::now();
  (void) now_ns;
  size_t removed = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    bool too_many = files.size() - i > max_files;
    bool too_old = now_file - files[i].first > max_age;
    if (!too_many && !too_old)
      continue;
    if (fs::remove(files[i].second, ec_fs))
      ++removed;
  }
  return removed;
}

} // namespace argus::report_scheduler
