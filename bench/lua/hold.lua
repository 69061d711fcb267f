-- Booking one slot under contention: one connection per thread (-t N -c N), so each thread is
-- one customer (line `thread_number` of BENCH_TOKENS) holding a place in the one slot
-- BENCH_SLOT for its address (the same line of BENCH_ADDRESSES), again and again: every
-- request takes the slot's lock and counts its places.
local bench = dofile(os.getenv("BENCH_LUA") .. "/common.lua")

local token, body = nil, nil

function init(args)
  local tokens, addresses = bench.lines("BENCH_TOKENS"), bench.lines("BENCH_ADDRESSES")
  token = tokens[(thread_number - 1) % #tokens + 1]
  local address = addresses[(thread_number - 1) % #addresses + 1]
  body = '{"slot_id":"' .. os.getenv("BENCH_SLOT") .. '","address_id":"' .. address .. '"}'
end

function request()
  local headers = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
  return wrk.format("PUT", "/api/cart/slot", headers, body)
end

setup = bench.setup
done = bench.done
