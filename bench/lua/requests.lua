-- wrk script for the Tribune bench (bench/lib/wrk.ts writes the request file and reads the result).
-- Arguments after `--`: <request file> <max responses per thread, 0 = no cap> <content type>.
-- The request file has one request a line: METHOD <tab> PATH [<tab> BODY]. The requests are
-- pre-formatted once and sent in turn; the thread stops itself after the response cap, and
-- done() prints one machine-readable line (latencies in microseconds).

local requests = {}
local next_request = 0
local max_responses = 0
local responses = 0

function init(args)
  local file = args[1]
  max_responses = tonumber(args[2]) or 0
  local content_type = args[3] or "application/octet-stream"
  for line in io.lines(file) do
    local method, path, body = line:match("^(%u+)\t([^\t]+)\t?(.*)$")
    if method then
      if body == "" then
        requests[#requests + 1] = wrk.format(method, path, {})
      else
        requests[#requests + 1] = wrk.format(method, path, { ["Content-Type"] = content_type }, body)
      end
    end
  end
  if #requests == 0 then
    error("no requests in " .. tostring(file))
  end
end

function request()
  next_request = next_request % #requests + 1
  return requests[next_request]
end

function response(status, headers, body)
  responses = responses + 1
  if max_responses > 0 and responses >= max_responses then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,' ..
    '"status":%d,"timeout":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
