-- What the wrk scripts of bench/ print at the end: one line starting with "WRK_RESULT" and key=value
-- pairs (requests, seconds, requests per second, latency percentiles in microseconds, error counts;
-- non_2xx counts every answer other than 2xx). Loaded with require("result") after the script puts
-- bench/wrk on package.path (wrk runs from the repository root).
local M = {}

function M.report(summary, latency)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "WRK_RESULT requests=%d seconds=%.3f rps=%.1f p50_us=%d p90_us=%d p99_us=%d p999_us=%d max_us=%d mean_us=%.1f "
      .. "non_2xx=%d connect_errors=%d read_errors=%d write_errors=%d timeouts=%d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9), latency.max, latency.mean,
    e.status, e.connect, e.read, e.write, e.timeout))
end

return M
