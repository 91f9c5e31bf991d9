package engine

import "errors"

// ErrThrottled is returned, without sending anything, for a request to a
// route the target kept answering with 429 Too Many Requests: after a few
// in a row the scan stops testing that route rather than spend the scan
// waiting on its Retry-After, and the report's coverage says so.
var ErrThrottled = errors.New("route throttled")
