-- wrk script for bench/under_attack.py: POST the workload's cases open loop on a schedule of
-- rates, each request timed from when it was due rather than from when it went out.
-- Arguments: the workload file (one "pack<TAB>case JSON" a line), the folder for the records,
-- the schedule's start (CLOCK_MONOTONIC seconds, the clock Python's time.monotonic reads), the
-- schedule file and the number of connections. Run it with as many threads as connections
-- (-tN -cN): a thread then has one connection, so its callbacks are that connection's own.
--
-- The schedule file has one segment a line, "<from> <to> <rate>": from and to in seconds from
-- the start, the rate in requests a second over all connections. Segments come in order, each
-- ending where the next begins at the latest; the last one's `to` may be far away (an idle rate
-- kept until the script writes the next segment: it replaces the file whole while wrk runs, and
-- a thread reads it again whenever it is in that last, open segment). Once a thread is past the
-- end of the last segment, it writes "end" and stops.
--
-- In a segment from a at rate r, connection i of N sends at a + (i + k * N) / r: together an
-- even stream at the rate. `delay()` waits until the next one is due; when the answer to the
-- one before comes late the next goes at once, still timed from when it was due, so a stalled
-- server shows in the latency instead of quietly lowering the rate (as wrk2 does).
--
-- Each thread writes one line per request to <folder>/paced-<i>.txt: the seconds from the
-- start to when it was due and to when it was answered, and the status (0: no answer, the
-- connection broke).

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
local out, start, schedule_file, threads
local segments = {} -- { from, to, rate }, in order
local OPEN = 1e8 -- a `to` this far away marks the open last segment
local finished = false
local waited = false -- delay() has been called: every request of the run follows one
local sent = 0 -- requests sent so far on this connection
local last = nil -- when the last one sent was due (seconds from the start)
local upcoming = nil -- when the next one is due
local pending = nil -- when the one awaiting its answer was due
local HEADERS = { ["Content-Type"] = "application/json" }

local function read_schedule()
  local found = {}
  for line in io.lines(schedule_file) do
    local from, to, rate = line:match("^(%S+) (%S+) (%S+)$")
    if from ~= nil then
      found[#found + 1] = { from = tonumber(from), to = tonumber(to), rate = tonumber(rate) }
    end
  end
  for n = 1, #found - 1 do
    found[n].to = math.min(found[n].to, found[n + 1].from)
  end
  segments = found
end

-- This connection's first time in `segment` later than `after` (nil: none before its end).
local function slot(segment, after)
  local spacing = threads / segment.rate
  local first = segment.from + index / segment.rate
  local k = 0
  if after ~= nil and after >= first then
    -- the slot after `after`, which is itself one of them (rounding must not give it again)
    k = math.floor((after - first) / spacing + 1e-6) + 1
  end
  local due = first + k * spacing
  if due < segment.to then
    return due
  end
  return nil
end

local function next_due(after)
  for _, segment in ipairs(segments) do
    if after == nil or segment.to > after then
      local due = slot(segment, after)
      if due ~= nil then
        return due, segment.to >= OPEN
      end
    end
  end
  return nil, false
end

function init(args)
  for line in io.lines(args[1]) do
    local pack, body = line:match("^(%S+)\t(.*)$")
    paths[#paths + 1] = "/api/v1/determinations?policy=" .. pack
    bodies[#bodies + 1] = body
  end
  start = tonumber(args[3])
  schedule_file = args[4]
  threads = tonumber(args[5])
  read_schedule()
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
  if finished then
    return 1000000
  end
  local due, open = next_due(last)
  if due == nil or open then -- the script may have written more since
    read_schedule()
    due = next_due(last)
  end
  if due == nil then
    finish()
    return 1000000
  end
  upcoming = due
  local wait = start + due - now()
  return wait > 0 and math.floor(wait * 1000) or 0
end

function request()
  if not waited then -- wrk's own call, before the run, to check the script's request
    return wrk.format("POST", paths[1], HEADERS, bodies[1])
  end
  if pending ~= nil then -- sent before, never answered: the connection broke
    out:write(string.format("%.6f %.6f 0\n", pending, now() - start))
  end
  pending, last = upcoming, upcoming
  sent = sent + 1
  local case = (index + sent * threads) % #bodies + 1
  return wrk.format("POST", paths[case], HEADERS, bodies[case])
end

function response(status, headers, body)
  out:write(string.format("%.6f %.6f %d\n", pending, now() - start, status))
  pending = nil
end
