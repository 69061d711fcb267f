-- Shared by every scenario: keeps the threads, times what a scenario asks to be timed
-- (LuaJIT's FFI reaches clock_gettime; wrk's Lua has no finer clock), and prints one
-- "BENCH {json}" line when the run ends, which bench/wrk.py reads.
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock, bench_timespec *now);
]]
local CLOCK_MONOTONIC = 1
local now_buffer = ffi.new("bench_timespec")

local bench = { threads = {} }

function bench.now_us()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, now_buffer)
  return tonumber(now_buffer.tv_sec) * 1000000 + tonumber(now_buffer.tv_nsec) / 1000
end

-- Lines of a file named by an environment variable (tokens, paths, product ids).
function bench.lines(variable)
  local found = {}
  for line in io.lines(os.getenv(variable)) do
    if line ~= "" then found[#found + 1] = line end
  end
  return found
end

local counter = 0
function bench.setup(thread)
  counter = counter + 1
  thread:set("thread_number", counter)
  bench.threads[#bench.threads + 1] = thread
end

local function percentile(sorted, p)
  if #sorted == 0 then return 0 end
  return sorted[math.max(1, math.ceil(#sorted * p / 100))]
end

-- The timed requests every thread kept in its `timed` table and `timed_failures` count.
local function timed_summary()
  local all, failures = {}, 0
  for _, thread in ipairs(bench.threads) do
    for _, value in ipairs(thread:get("timed") or {}) do all[#all + 1] = value end
    failures = failures + (thread:get("timed_failures") or 0)
  end
  table.sort(all)
  return string.format(',"timed":%d,"timed_failures":%d,"timed_p50_us":%d,"timed_p99_us":%d',
    #all, failures, percentile(all, 50), percentile(all, 99))
end

function bench.done(summary, latency, requests)
  local errors = summary.errors
  local timed = ""
  if bench.timing then timed = timed_summary() end
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"status_errors":%d,"socket_errors":%d,' ..
    '"p50_us":%d,"p99_us":%d%s}\n',
    summary.requests, summary.duration, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(99), timed))
end

return bench
