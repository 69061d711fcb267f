-- One fixed URL (the popular page, a report); BENCH_TOKEN, when set, signs the requests.
local bench = dofile(os.getenv("BENCH_LUA") .. "/common.lua")

local token = os.getenv("BENCH_TOKEN")
if token and token ~= "" then wrk.headers["Authorization"] = "Bearer " .. token end

setup = bench.setup
done = bench.done
