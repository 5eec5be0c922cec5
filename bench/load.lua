-- wrk script for bench/load.py: POST the workload's cases in turn, each under its own pack,
-- and stop a thread once it has had its share of the request budget.
-- Arguments: the workload file (one "pack<TAB>case JSON" a line) and the per-thread budget.
-- wrk itself always runs for its whole -d duration, so done() prints the span from the first
-- request to the last answer, which is the run's true length when the budget ends it early.

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_usec; } bench_timeval;
  int gettimeofday(bench_timeval *tv, void *tz);
]]

local function now()
  local tv = ffi.new("bench_timeval")
  ffi.C.gettimeofday(tv, nil)
  return tonumber(tv.tv_sec) + tonumber(tv.tv_usec) / 1e6
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

local paths, bodies = {}, {}
local next_case, budget = 0, 0
answered, started, finished = 0, 0, 0

function init(args)
  budget = tonumber(args[2]) or 0
  for line in io.lines(args[1]) do
    local pack, body = line:match("^(%S+)\t(.*)$")
    paths[#paths + 1] = "/api/v1/determinations?policy=" .. pack
    bodies[#bodies + 1] = body
  end
  next_case = math.random(#bodies)
end

function request()
  if started == 0 then
    started = now()
  end
  next_case = next_case % #bodies + 1
  return wrk.format("POST", paths[next_case], { ["Content-Type"] = "application/json" }, bodies[next_case])
end

function response(status, headers, body)
  answered = answered + 1
  finished = now()
  if budget > 0 and answered >= budget then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local first, last, count = math.huge, 0, 0
  for _, thread in ipairs(threads) do
    first = math.min(first, thread:get("started"))
    last = math.max(last, thread:get("finished"))
    count = count + thread:get("answered")
  end
  io.write(string.format("bench answered %d in %.3f s\n", count, last - first))
end
