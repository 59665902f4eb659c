-- wrk script for bench/run.sh: every request carries the login and a manifest Accept header (taken from the
-- environment, so no secret is on wrk's command line), and the run ends with one line that run.sh parses.
--   BENCH_AUTH    base64 of "user:password"
--   BENCH_ACCEPT  the Accept header's value

wrk.method = "GET"
wrk.headers["Authorization"] = "Basic " .. (os.getenv("BENCH_AUTH") or "")
wrk.headers["Accept"] = os.getenv("BENCH_ACCEPT") or "application/vnd.oci.image.manifest.v1+json"

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  -- wrk's latencies are in microseconds; errors.status counts responses with a status of 400 or more.
  io.write(string.format("result rps=%.1f p50_ms=%.3f p99_ms=%.3f requests=%d bad_status=%d socket_errors=%d timeouts=%d\n",
    summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.requests,
    e.status, e.connect + e.read + e.write, e.timeout))
end
