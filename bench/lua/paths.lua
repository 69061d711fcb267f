-- Rotates through the paths in the file BENCH_PATHS (category pages, searches, products),
-- each thread starting at its own place in the list.
local bench = dofile(os.getenv("BENCH_LUA") .. "/common.lua")

local paths, next_path

function init(args)
  paths = bench.lines("BENCH_PATHS")
  next_path = (thread_number * 7919) % #paths
end

function request()
  next_path = next_path % #paths + 1
  return wrk.format("GET", paths[next_path])
end

setup = bench.setup
done = bench.done
