-- wrk script of the Gatehouse benchmark harness.
-- Request shape from the environment (set by bench/run.mjs):
--   WRK_METHOD   GET (default) or POST
--   WRK_BODY     request body (POST)
--   WRK_HEADERS  "Name: value" lines separated by "\n"
-- done() prints one line: BENCH_JSON {"requests":..,"rps":..,"p50":..,"p99":..,"errors":..}
-- with latencies in milliseconds, like bench/load.mjs.

wrk.method = os.getenv("WRK_METHOD") or "GET"
local body = os.getenv("WRK_BODY")
if body and body ~= "" then wrk.body = body end
local headers = os.getenv("WRK_HEADERS")
if headers then
  for line in string.gmatch(headers, "[^\n]+") do
    local name, value = string.match(line, "^([^:]+):%s*(.*)$")
    if name then wrk.headers[name] = value end
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.status + e.timeout
  local seconds = summary.duration / 1e6
  io.write(string.format(
    'BENCH_JSON {"tool":"wrk","requests":%d,"seconds":%.3f,"rps":%.1f,"p50":%.3f,"p99":%.3f,"errors":%d,"statusErrors":%d}\n',
    summary.requests, seconds, (summary.requests - errors) / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, errors, e.status))
end
