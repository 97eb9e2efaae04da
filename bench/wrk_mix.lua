-- A mix of the app's pages as logged-in users: each line of requests.txt is "<session cookie> <path>".
local lines = {}
for line in io.lines(os.getenv("REQUESTS") or "bench/requests.txt") do
  local cookie, path = line:match("^(%S+) (%S+)$")
  table.insert(lines, { cookie = cookie, path = path })
end

request = function()
  local pick = lines[math.random(#lines)]
  return wrk.format("GET", pick.path, { ["Cookie"] = "sessionid=" .. pick.cookie, ["Host"] = "127.0.0.1" })
end

done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format("requests: %d in %.1f s = %.1f per second\n", summary.requests, seconds, summary.requests / seconds))
  io.write(string.format("latency: median %.0f ms, 95th percentile %.0f ms, max %.0f ms\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency.max / 1000))
  io.write(string.format("socket errors: %d (connect %d, read %d, write %d, timeout %d)\n",
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
  io.write(string.format("responses with status 400 or more: %d\n", summary.errors.status))
end
