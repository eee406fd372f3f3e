-- wrk script of bench/run-heartbeat-wrk-bench.sh: MSC4140 heartbeats, as MatrixRTC clients send
-- them. Each request is
--   POST /_matrix/client/unstable/org.matrix.msc4140/delayed_events/<delay_id>/restart
-- with the body {} and the owner's access token, for a (delay_id, token) pair picked at random
-- from the file given after "--" (lines "<delay_id> <access token>", written by
-- org.callhs.bench.WrkHeartbeatSetup). Requests are formatted once per pair, in each thread's
-- init, so the generator spends its time on the wire.
--
-- At the end, prints one line starting with "WRK_RESULT" and key=value pairs (bench/wrk/result.lua): requests, seconds,
-- requests per second, latency percentiles in microseconds, and the error counts. Any answer other
-- than 200 counts in non_2xx: a restart of a scheduled event must succeed.
--
-- Usage: wrk -t2 -c64 -d30s --latency -s bench/wrk/heartbeat.lua http://127.0.0.1:18448 -- targets.txt

package.path = "bench/wrk/?.lua;" .. package.path
local result = require("result")

local PREFIX = "/_matrix/client/unstable/org.matrix.msc4140/delayed_events/"
local requests = {}
local count = 0

function init(args)
  local file = args[1]
  if file == nil then error("heartbeat.lua: pass the targets file after --") end
  for line in io.lines(file) do
    local delay_id, token = line:match("^(%S+)%s+(%S+)$")
    if delay_id then
      count = count + 1
      requests[count] = wrk.format("POST", PREFIX .. delay_id .. "/restart",
        { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }, "{}")
    end
  end
  if count == 0 then error("heartbeat.lua: no targets in " .. file) end
  math.randomseed(os.time() + tonumber(tostring(requests):match("0x(%x+)") or "0", 16) % 100000)
end

function request()
  return requests[math.random(count)]
end

function done(summary, latency, requests_)
  result.report(summary, latency)
end
