-- Completing picking: each request completes the next order of BENCH_ORDERS (orders placed
-- and picked beforehand, bench/picking.py), as the manager BENCH_TOKEN. The harness rewrites
-- the file before each run with the orders still being picked, so no order is completed twice
-- (wrk's one unsent inspection call of request() only skips an order).
local bench = dofile(os.getenv("BENCH_LUA") .. "/common.lua")

local orders, next_order, headers

function init(args)
  orders = bench.lines("BENCH_ORDERS")
  next_order = 0
  headers = { ["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN") }
end

function request()
  next_order = next_order % #orders + 1
  return wrk.format("POST", "/api/orders/" .. orders[next_order] .. "/picking/complete", headers)
end

setup = bench.setup
done = bench.done
