-- wrk script: client-credentials token requests against /oauth2/token.
--
-- Every request is POST /oauth2/token with grant_type=client_credentials and the client's id and secret in HTTP
-- Basic authentication (client_secret_basic); each 200 is one signed access token (RS256).
--
-- Environment: BENCH_CLIENT_BASIC (base64 of "client_id:client_secret"). Prints "BENCH <name> <value>" lines.

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

local headers
local tokens, other

function init(args)
   headers = {
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["Authorization"] = "Basic " .. assert(os.getenv("BENCH_CLIENT_BASIC"), "BENCH_CLIENT_BASIC is not set"),
   }
   tokens, other = 0, 0
end

function request()
   return wrk.format("POST", "/oauth2/token", headers, "grant_type=client_credentials")
end

function response(status, hdrs, body)
   if status == 200 then
      tokens = tokens + 1
   else
      other = other + 1
      if other <= 3 then
         io.stderr:write("unexpected status " .. status .. ": " .. tostring(body):sub(1, 300) .. "\n")
      end
   end
   _G.tokens_count, _G.other_count = tokens, other
end

function done(summary, latency, requests)
   local t, o = 0, 0
   for _, thread in ipairs(threads) do
      t = t + (thread:get("tokens_count") or 0)
      o = o + (thread:get("other_count") or 0)
   end
   local seconds = summary.duration / 1e6
   local e = summary.errors
   io.write(string.format("BENCH duration_s %.3f\n", seconds))
   io.write(string.format("BENCH tokens %d\n", t))
   io.write(string.format("BENCH unexpected_status %d\n", o))
   io.write(string.format("BENCH socket_errors %d\n", e.connect + e.read + e.write + e.timeout))
   io.write(string.format("BENCH tokens_per_s %.1f\n", t / seconds))
   for _, p in ipairs({ 50, 90, 99 }) do
      io.write(string.format("BENCH latency_p%s_ms %.2f\n", tostring(p), latency:percentile(p) / 1000))
   end
end
