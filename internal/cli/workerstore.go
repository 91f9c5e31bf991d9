package cli

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/queue"
	"github.com/rampart-sec/rampart/internal/store"
)

// historyRecorder keeps a worker's scans in rampart serve's scan history
// (the store on the queue's database): the dashboard shows them, with
// their diff against the target's previous scan.
type historyRecorder struct {
	st        *store.Store
	dashboard string // rampart serve's address, for links in webhooks; may be empty
}

func (r historyRecorder) Record(ctx context.Context, run queue.Run, rep *rampart.Report) (queue.Result, error) {
	id, err := r.st.AddReport(ctx, run.Target, rep)
	if err != nil {
		return queue.Result{}, fmt.Errorf("scan history: %w", err)
	}
	d, err := r.st.Diff(ctx, id)
	if err != nil {
		return queue.Result{}, fmt.Errorf("scan history: %w", err)
	}
	res := queue.Result{ScanID: id, New: len(d.New), Fixed: len(d.Fixed), Unchanged: len(d.Unchanged)}
	if r.dashboard != "" {
		res.Link = fmt.Sprintf("%s/scans/%d", r.dashboard, id)
	}
	return res, nil
}

// Close closes the store when the worker stops.
func (r historyRecorder) Close() error { return r.st.Close() }

// historySchedule hands the queue the targets whose schedule (set with
// PUT /api/v1/targets/{name}) is due; the store gives each slot out once.
type historySchedule struct{ st *store.Store }

func (s historySchedule) DueTargets(ctx context.Context, now time.Time) ([]queue.Target, error) {
	due, err := s.st.DueTargets(ctx, now)
	if err != nil {
		return nil, err
	}
	out := make([]queue.Target, 0, len(due))
	for _, t := range due {
		slot := now
		if t.LastScheduled != nil {
			slot = *t.LastScheduled
		}
		out = append(out, queue.Target{Name: t.Name, URL: t.BaseURL, Config: t.ScanConfig, Slot: slot})
	}
	return out, nil
}

// dashboardURL checks --dashboard: an http(s) URL without query or
// fragment, kept without its trailing slash.
func dashboardURL(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", usageErr("worker: --dashboard wants rampart serve's address, such as https://rampart.example.com")
	}
	return strings.TrimRight(s, "/"), nil
}
