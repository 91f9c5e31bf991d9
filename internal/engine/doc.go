// Package engine is the one HTTP client every check uses. It bounds
// concurrency, paces requests, honours 429 and Retry-After, caps bodies,
// refuses anything outside the scan's scope or mode, counts what it sends,
// and turns exchanges into redacted evidence and curl lines.
//
// Checks never build their own http.Client: the safety model (scope, mode,
// politeness, secrets) is enforced here, once, and tested from what a
// recording server actually received.
package engine
