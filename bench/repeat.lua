-- wrk script: one request, repeated, counting the 200 answers.
--
-- Token issuance: POST /oauth2/token with grant_type=client_credentials and the client's id and secret in HTTP
-- Basic authentication (client_secret_basic); each 200 is one signed access token (RS256).
-- The empty endpoint: GET /v1/caller with the API key, which goes through everything a pair's requests go through
-- (TLS, Tomcat, the security filters with the key answered from the node's credential cache, Spring MVC, Jackson,
-- the observations) and does no work: no statement, no body to read.
--
-- Environment: BENCH_METHOD and BENCH_PATH (the request), BENCH_AUTHORIZATION (the Authorization header's value),
-- BENCH_BODY (form body, optional). A 200 is counted as answered, anything else as unexpected.
-- Prints "BENCH <name> <value>" lines: answered, answered_per_s, unexpected_status, socket_errors, latencies.

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

local method, path, headers, body
local answered, other

function init(args)
   method = assert(os.getenv("BENCH_METHOD"), "BENCH_METHOD is not set")
   path = assert(os.getenv("BENCH_PATH"), "BENCH_PATH is not set")
   headers = { ["Authorization"] = assert(os.getenv("BENCH_AUTHORIZATION"), "BENCH_AUTHORIZATION is not set") }
   body = os.getenv("BENCH_BODY")
   if body ~= nil and body ~= "" then
      headers["Content-Type"] = "application/x-www-form-urlencoded"
   else
      body = nil
   end
   answered, other = 0, 0
end

function request()
   return wrk.format(method, path, headers, body)
end

function response(status, hdrs, answer)
   if status == 200 then
      answered = answered + 1
   else
      other = other + 1
      if other <= 3 then
         io.stderr:write("unexpected status " .. status .. ": " .. tostring(answer):sub(1, 300) .. "\n")
      end
   end
   _G.answered_count, _G.other_count = answered, other
end

function done(summary, latency, requests)
   local a, o = 0, 0
   for _, thread in ipairs(threads) do
      a = a + (thread:get("answered_count") or 0)
      o = o + (thread:get("other_count") or 0)
   end
   local seconds = summary.duration / 1e6
   local e = summary.errors
   io.write(string.format("BENCH duration_s %.3f\n", seconds))
   io.write(string.format("BENCH answered %d\n", a))
   io.write(string.format("BENCH unexpected_status %d\n", o))
   io.write(string.format("BENCH socket_errors %d\n", e.connect + e.read + e.write + e.timeout))
   io.write(string.format("BENCH answered_per_s %.1f\n", a / seconds))
   for _, p in ipairs({ 50, 90, 99 }) do
      io.write(string.format("BENCH latency_p%s_ms %.2f\n", tostring(p), latency:percentile(p) / 1000))
   end
end
