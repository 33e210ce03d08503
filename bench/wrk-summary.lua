-- wrk prints the 50/75/90/99th percentiles; the benchmark reports the 95th. Answers of 4xx
-- and 5xx count as errors (the script checks first that the page answers 200, not a redirect).
function done(summary, latency, requests)
    local seconds = summary.duration / 1e6
    local errors = summary.errors
    io.write(string.format(
        "summary: %.0f requests/s, p50 %.1f ms, p95 %.1f ms, %d requests, %d errors\n",
        summary.requests / seconds,
        latency:percentile(50) / 1000,
        latency:percentile(95) / 1000,
        summary.requests,
        errors.connect + errors.read + errors.write + errors.status + errors.timeout
    ))
end
