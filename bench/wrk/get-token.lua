-- wrk script of bench/run-livekit-token-bench.sh: LiveKit token requests, as Element Call sends
-- them in its Matrix 2.0 mode. Each request is
--   POST /livekit/jwt/get_token
-- with one account's body (room_id, slot_id, openid_token, member), picked at random from the file
-- given after "--" (one JSON body per line, written by org.callhs.bench.WrkTokenSetup). Requests
-- are formatted once per body, in each thread's init.
--
-- At the end, prints one line starting with "WRK_RESULT" and key=value pairs (bench/wrk/result.lua).
-- Any answer other than 200 counts in non_2xx.
--
-- Usage: wrk -t2 -c64 -d30s --latency -s bench/wrk/get-token.lua http://127.0.0.1:18448 -- bodies.txt

package.path = "bench/wrk/?.lua;" .. package.path
local result = require("result")

local requests = {}
local count = 0

function init(args)
  local file = args[1]
  if file == nil then error("get-token.lua: pass the bodies file after --") end
  for line in io.lines(file) do
    if line:match("^{") then
      count = count + 1
      requests[count] = wrk.format("POST", "/livekit/jwt/get_token", { ["Content-Type"] = "application/json" }, line)
    end
  end
  if count == 0 then error("get-token.lua: no bodies in " .. file) end
  math.randomseed(os.time() + tonumber(tostring(requests):match("0x(%x+)") or "0", 16) % 100000)
end

function request()
  return requests[math.random(count)]
end

function done(summary, latency, requests_)
  result.report(summary, latency)
end
