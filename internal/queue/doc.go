// Package queue runs scans as jobs of a River queue kept in the same
// database as the scan history (PostgreSQL or SQLite), so that any number
// of `rampart worker` processes share one queue: River's row locks give a
// job to one worker at a time, unique jobs keep one job per target and
// schedule slot, and the leader's rescuer retries the job of a worker that
// died. After a scan the report goes to a Recorder and each webhook gets a
// delivery job of its own, retried with backoff and never lost.
//
// The scan history itself (targets, scans, findings) is not this package's:
// it reaches it through Recorder and Schedule.
package queue
