-- Checkout with a slot: as checkout.lua (one customer per thread, its product, one unit,
-- then checkout with a fresh Idempotency-Key), with the slot BENCH_SLOT held for the
-- customer's address (line `thread_number` of BENCH_ADDRESSES) between the two, since each
-- checkout turns the hold into the order's booking. Only the checkouts are timed.
local bench = dofile(os.getenv("BENCH_LUA") .. "/common.lua")
bench.timing = true

local token, product, run, hold_body = nil, nil, nil, nil
local step, checkouts, started = 0, 0, nil
timed, timed_failures = {}, 0

function init(args)
  local tokens, products = bench.lines("BENCH_TOKENS"), bench.lines("BENCH_PRODUCTS")
  local addresses = bench.lines("BENCH_ADDRESSES")
  token = tokens[(thread_number - 1) % #tokens + 1]
  product = products[(thread_number - 1) % #products + 1]
  local address = addresses[(thread_number - 1) % #addresses + 1]
  hold_body = '{"slot_id":"' .. os.getenv("BENCH_SLOT") .. '","address_id":"' .. address .. '"}'
  run = os.getenv("BENCH_RUN")
end

function request()
  local headers = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
  started = nil
  if step == 0 then
    return wrk.format("POST", "/api/cart/items", headers,
      '{"product_id":"' .. product .. '","quantity":1}')
  end
  if step == 1 then
    return wrk.format("PUT", "/api/cart/slot", headers, hold_body)
  end
  checkouts = checkouts + 1
  headers["Idempotency-Key"] = run .. "-" .. thread_number .. "-" .. checkouts
  started = bench.now_us()
  return wrk.format("POST", "/api/checkout", headers, "{}")
end

function response(status, headers, body)
  if step == 2 and started then
    timed[#timed + 1] = bench.now_us() - started
    if status ~= 201 then timed_failures = timed_failures + 1 end
  end
  step = (step + 1) % 3
end

setup = bench.setup
done = bench.done
