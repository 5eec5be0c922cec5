-- wrk script for bench/under_attack.py: POST the workload's cases at a fixed rate, open loop,
-- each request timed from when it was due rather than from when it went out.
-- Arguments: the workload file (one "pack<TAB>case JSON" a line), the folder for the records,
-- the schedule's start (CLOCK_MONOTONIC seconds, the clock Python's time.monotonic reads), the
-- total rate (requests/s), the hold (s) and the number of connections. Run it with as many
-- threads as connections (-tN -cN): a thread then has one connection, so its callbacks are that
-- connection's own.
--
-- Connection i of N sends its k-th request at start + (i + k * N) / rate: together an even
-- stream at the rate. `delay()` waits until the next one is due; when the answer to the one
-- before comes late the next goes at once, still timed from when it was due, so a stalled
-- server shows in the latency instead of quietly lowering the rate (as wrk2 does).
--
-- Each thread writes one line per request to <folder>/paced-<i>.txt: the seconds from the
-- start to when it was due and to when it was answered, and the status (0: no answer, the
-- connection broke). After the last request due within the hold it writes "end" and stops.

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } paced_timespec;
  int clock_gettime(int clock, paced_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local timespec = ffi.new("paced_timespec")

local function now()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, timespec)
  return tonumber(timespec.tv_sec) + tonumber(timespec.tv_nsec) / 1e9
end

local created = 0

function setup(thread)
  thread:set("index", created)
  created = created + 1
end

local paths, bodies = {}, {}
local out, start, spacing, first, hold, threads
local finished = false
local waited = false -- delay() has been called: every request of the run follows one
local sent = 0 -- requests sent so far on this connection
local pending = nil -- when the one awaiting its answer was due (seconds from the start)
local HEADERS = { ["Content-Type"] = "application/json" }

local function due(k)
  return first + k * spacing
end

function init(args)
  for line in io.lines(args[1]) do
    local pack, body = line:match("^(%S+)\t(.*)$")
    paths[#paths + 1] = "/api/v1/determinations?policy=" .. pack
    bodies[#bodies + 1] = body
  end
  start = tonumber(args[3])
  local rate = tonumber(args[4])
  hold = tonumber(args[5])
  threads = tonumber(args[6])
  spacing = threads / rate
  first = index / rate
  out = assert(io.open(string.format("%s/paced-%d.txt", args[2], index), "w"))
  out:setvbuf("line") -- each line out at once, for the progress every few seconds
end

local function finish()
  if finished then
    return
  end
  finished = true
  out:write("end\n")
  out:close()
  wrk.thread:stop()
end

function delay()
  waited = true
  if finished or due(sent) >= hold then
    finish()
    return 1000000
  end
  local wait = start + due(sent) - now()
  return wait > 0 and math.floor(wait * 1000) or 0
end

function request()
  if not waited then -- wrk's own call, before the run, to check the script's request
    return wrk.format("POST", paths[1], HEADERS, bodies[1])
  end
  if pending ~= nil then -- sent before, never answered: the connection broke
    out:write(string.format("%.6f %.6f 0\n", pending, now() - start))
  end
  pending = due(sent)
  sent = sent + 1
  local case = (index + sent * threads) % #bodies + 1
  return wrk.format("POST", paths[case], HEADERS, bodies[case])
end

function response(status, headers, body)
  out:write(string.format("%.6f %.6f %d\n", pending, now() - start, status))
  pending = nil
  if due(sent) >= hold then
    finish()
  end
end
