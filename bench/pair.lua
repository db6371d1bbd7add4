-- wrk script: start+check pairs against /v1/verifications.
--
-- Each connection sends a start; when the 201 arrives its id goes on this thread's queue, and the next request
-- a connection of this thread sends is the check for the oldest queued id. So every start is followed by
-- exactly one check (apart from the starts still queued when the run ends), and a connection is never idle.
-- The check sends a wrong code on purpose: it does the same row read and conditional update as a right one
-- (recordWrongGuess instead of approve) and answers 422, and it leaves the verification pending, so no
-- attempt limit is ever reached.
--
-- Environment: BENCH_APP_KEY (the app's API key). Prints "BENCH <name> <value>" lines for run.sh.

local threads = {}
local next_tid = 0

function setup(thread)
   next_tid = next_tid + 1
   thread:set("tid", next_tid)
   table.insert(threads, thread)
end

local headers
local queue, head, tail
local starts, checks, other, no_id

function init(args)
   math.randomseed(os.time() * 1000 + tid)
   headers = {
      ["Content-Type"] = "application/json",
      ["Authorization"] = "Bearer " .. assert(os.getenv("BENCH_APP_KEY"), "BENCH_APP_KEY is not set"),
   }
   queue, head, tail = {}, 1, 0
   starts, checks, other, no_id = 0, 0, 0, 0
end

function request()
   if head <= tail then
      local id = queue[head]
      queue[head] = nil
      head = head + 1
      return wrk.format("POST", "/v1/verifications/" .. id .. "/check", headers, '{"code":"000000"}')
   end
   -- +1 415 555 0100..0199: fictional numbers that libphonenumber accepts as valid US numbers.
   local to = string.format("+1415555%04d", 100 + math.random(0, 99))
   return wrk.format("POST", "/v1/verifications", headers, '{"to":"' .. to .. '"}')
end

function response(status, hdrs, body)
   if status == 201 then
      starts = starts + 1
      local id = body:match('"id":"(vrf_[a-z2-7]+)"')
      if id then
         tail = tail + 1
         queue[tail] = id
      else
         no_id = no_id + 1
      end
   elseif status == 422 then
      checks = checks + 1
   else
      other = other + 1
      if other <= 3 then
         io.stderr:write("unexpected status " .. status .. ": " .. tostring(body):sub(1, 300) .. "\n")
      end
   end
   -- wrk keeps thread globals readable from done() only through thread:get.
   _G.starts_count, _G.checks_count, _G.other_count, _G.no_id_count = starts, checks, other, no_id
end

function done(summary, latency, requests)
   local s, c, o, n = 0, 0, 0, 0
   for _, t in ipairs(threads) do
      s = s + (t:get("starts_count") or 0)
      c = c + (t:get("checks_count") or 0)
      o = o + (t:get("other_count") or 0)
      n = n + (t:get("no_id_count") or 0)
   end
   local seconds = summary.duration / 1e6
   local e = summary.errors
   io.write(string.format("BENCH duration_s %.3f\n", seconds))
   io.write(string.format("BENCH requests %d\n", summary.requests))
   io.write(string.format("BENCH starts %d\n", s))
   io.write(string.format("BENCH checks %d\n", c))
   io.write(string.format("BENCH unexpected_status %d\n", o))
   io.write(string.format("BENCH start_without_id %d\n", n))
   io.write(string.format("BENCH socket_errors %d\n", e.connect + e.read + e.write + e.timeout))
   io.write(string.format("BENCH pairs_per_s %.1f\n", c / seconds))
   io.write(string.format("BENCH requests_per_s %.1f\n", summary.requests / seconds))
   for _, p in ipairs({ 50, 90, 99, 99.9 }) do
      io.write(string.format("BENCH latency_p%s_ms %.2f\n", tostring(p), latency:percentile(p) / 1000))
   end
   io.write(string.format("BENCH latency_max_ms %.2f\n", latency.max / 1000))
end
