// Package e2e tests offhunt's Cloudflare Worker on workerd, Cloudflare's
// own runtime, through `wrangler dev --local` (scripts/worker-dev), which
// the tests start on a free port of 127.0.0.1 and stop when they end. A
// headless Chromium (chromedp) posts the form as a person would.
//
// The tests skip with a message when node (or Chromium) is missing;
// OFFHUNT_REQUIRE_WORKERD=1, which scripts/test-worker sets, makes that a
// failure. OFFHUNT_WORKER_BENCH=1 (scripts/bench-worker) runs the
// benchmark that posts generated 10 MB and 100 MB exports.
package e2e
