-- Cart add/update: wrk runs one connection per thread (-t N -c N), so each thread is one
-- customer (line `thread_number` of BENCH_TOKENS) with three products of its own from
-- BENCH_PRODUCTS. It adds one unit of one, then sets that line's quantity, and on to the
-- next: the cart stays three lines long. The next request follows the last response (wrk
-- calls the first thread's request() once more, unsent, to inspect it).
local bench = dofile(os.getenv("BENCH_LUA") .. "/common.lua")

local token, products = nil, nil
local adding, turn = true, 0

function init(args)
  local tokens = bench.lines("BENCH_TOKENS")
  token = tokens[(thread_number - 1) % #tokens + 1]
  products = bench.lines("BENCH_PRODUCTS")
end

function request()
  local product = products[((thread_number - 1) * 3 + turn % 3) % #products + 1]
  local headers = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
  if adding then
    return wrk.format("POST", "/api/cart/items", headers,
      '{"product_id":"' .. product .. '","quantity":1}')
  end
  return wrk.format("PATCH", "/api/cart/items/" .. product, headers,
    '{"quantity":' .. (1 + turn % 3) .. '}')
end

function response(status, headers, body)
  if not adding then turn = turn + 1 end
  adding = not adding
end

setup = bench.setup
done = bench.done
