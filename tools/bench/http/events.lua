-- wrk script: POST /api/events with a batch of ARGUS_BATCH (default 1000)
-- regime events, each with its own correlation id per request. Counts the
-- events the server accepted from each answer's "accepted" field, so the
-- figure is of accepted events, not of requests sent.
local batch = tonumber(os.getenv("ARGUS_BATCH") or "1000")
local token = os.getenv("ARGUS_TOKEN") or ""
local counter = 0
accepted = 0 -- global: done() reads it per thread
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  accepted = 0
end

request = function()
  counter = counter + 1
  local parts = {}
  for i = 1, batch do
    parts[i] = string.format(
      '{"type":"regime_recorded","body":{"hdr":{"corr":"wrk-%d-%d-%d"},'
        .. '"regime_type":"BULL_TREND","regime_confidence":0.8,'
        .. '"regime_probabilities":{"BULL_TREND":0.8,"SIDEWAYS":0.2}}}',
      id, counter, i)
  end
  local body = "[" .. table.concat(parts, ",") .. "]"
  return wrk.format("POST", "/api/events", {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
  }, body)
end

response = function(status, headers, body)
  local n = body:match('"accepted":(%d+)')
  if n then
    accepted = accepted + tonumber(n)
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do
    total = total + (t:get("accepted") or 0)
  end
  io.write(string.format("accepted_events %d  accepted_events_per_s %.0f\n",
                         total, total / (summary.duration / 1e6)))
end
