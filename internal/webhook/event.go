// Package webhook tells other systems that a scan finished: one POST per
// configured hook, as Rampart's own JSON (signed with HMAC-SHA256) or as a
// Slack incoming-webhook message.
package webhook

import "time"

// EventScanCompleted is the only event so far: a queued scan ran and its
// report was stored.
const EventScanCompleted = "scan.completed"

// Event is what a hook is told after a scan: enough to decide whether to
// look (grade, what changed since the previous scan) and where to look.
type Event struct {
	Event  string `json:"event"`
	Target string `json:"target"`
	URL    string `json:"url"`
	ScanID int64  `json:"scanId"`
	Grade  string `json:"grade"`
	Score  int    `json:"score"`
	// Findings counts the report's findings; New, Fixed and Unchanged
	// compare them with the target's previous scan.
	Findings  int       `json:"findings"`
	New       int       `json:"new"`
	Fixed     int       `json:"fixed"`
	Unchanged int       `json:"unchanged"`
	Link      string    `json:"link,omitempty"`
	Finished  time.Time `json:"finished"`
}
