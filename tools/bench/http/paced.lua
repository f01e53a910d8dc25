-- wrk script: each connection waits `ARGUS_DELAY_MS` (default 10) between
-- requests, so `-c N` connections offer about N * 1000 / delay requests per
-- second (the fixed-rate setting for a latency figure; Debian's wrk has no
-- -R). The bearer token comes from ARGUS_TOKEN.
local delay_ms = tonumber(os.getenv("ARGUS_DELAY_MS") or "10")
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("ARGUS_TOKEN") or "")
function delay()
  return delay_ms
end
