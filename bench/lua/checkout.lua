-- Checkout: one connection per thread (-t N -c N), so each thread is one customer
-- (line `thread_number` of BENCH_TOKENS) buying its product (the same line of BENCH_PRODUCTS,
-- or the only line: the hot product). It puts one unit in the cart, then checks out with a
-- fresh Idempotency-Key, and again. Only the checkouts are timed (status 201 counts).
-- BENCH_CHECKOUT_BODY is the checkout's body ("{}" unless set: a card's payment method).
-- The next request follows the last response, not the count of request() calls: wrk calls
-- the first thread's request() once more, unsent, to inspect it.
local bench = dofile(os.getenv("BENCH_LUA") .. "/common.lua")
bench.timing = true

local token, product, run = nil, nil, nil
local body = os.getenv("BENCH_CHECKOUT_BODY") or "{}"
local checking_out, checkouts, started = false, 0, nil
timed, timed_failures = {}, 0

function init(args)
  local tokens, products = bench.lines("BENCH_TOKENS"), bench.lines("BENCH_PRODUCTS")
  token = tokens[(thread_number - 1) % #tokens + 1]
  product = products[(thread_number - 1) % #products + 1]
  run = os.getenv("BENCH_RUN")
end

function request()
  local headers = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
  if not checking_out then
    started = nil
    return wrk.format("POST", "/api/cart/items", headers,
      '{"product_id":"' .. product .. '","quantity":1}')
  end
  checkouts = checkouts + 1
  headers["Idempotency-Key"] = run .. "-" .. thread_number .. "-" .. checkouts
  started = bench.now_us()
  return wrk.format("POST", "/api/checkout", headers, body)
end

function response(status, headers, body)
  if checking_out and started then
    timed[#timed + 1] = bench.now_us() - started
    if status ~= 201 then timed_failures = timed_failures + 1 end
  end
  checking_out = not checking_out
end

setup = bench.setup
done = bench.done
