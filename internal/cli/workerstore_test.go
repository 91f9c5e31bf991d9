package cli

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/internal/store"
	"github.com/rampart-sec/rampart/internal/webhook"
)

// TestWorkerScansScheduledTargetsIntoHistory: without --reports, a worker
// on rampart serve's database scans the targets whose schedule is due and
// keeps each scan in the scan history, diffed against the previous one;
// the webhook links to the scan on the dashboard.
func TestWorkerScansScheduledTargetsIntoHistory(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/openapi.json", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"openapi":"3.0.3","info":{"title":"tiny","version":"1"},"paths":{"/items":{"get":{"responses":{"200":{"description":"ok"}}}}}}`)
	})
	mux.HandleFunc("/items", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `[{"id":1}]`) })
	api := httptest.NewServer(mux)
	defer api.Close()
	got := make(chan []byte, 8)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- body
	}))
	defer receiver.Close()

	db := "sqlite:" + filepath.Join(t.TempDir(), "rampart.db")
	ctx := context.Background()
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = st.PutTarget(ctx, store.Target{Name: "tiny", BaseURL: api.URL, Schedule: "@every 1s",
		ScanConfig: "spec: " + api.URL + "/openapi.json\nchecks: [HDR-*]\n"})
	if err != nil {
		t.Fatal(err)
	}

	wctx, cancel := context.WithCancel(ctx)
	var logs syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- Execute(wctx, []string{"worker", "--db", db, "--poll-interval", "50ms", "--schedule-every", "1s",
			"--dashboard", "http://127.0.0.1:8080/", "--webhook", receiver.URL},
			Env{Stdout: &logs, Stderr: &logs, Getenv: func(string) string { return "" }})
	}()
	var events []webhook.Event
	for len(events) < 2 {
		select {
		case b := <-got:
			var ev webhook.Event
			if err := json.Unmarshal(b, &ev); err != nil {
				t.Fatalf("webhook body %s: %v", b, err)
			}
			events = append(events, ev)
		case <-time.After(3 * time.Minute):
			cancel()
			t.Fatalf("%d webhook deliveries, want 2; worker said:\n%s", len(events), logs.String())
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("worker: %v\n%s", err, logs.String())
	}
	first, second := events[0], events[1]
	if first.Target != "tiny" || first.ScanID == 0 || first.New != first.Findings {
		t.Errorf("first event %+v: want tiny's first scan, every finding new", first)
	}
	if want := "http://127.0.0.1:8080/scans/" + strconv.FormatInt(first.ScanID, 10); first.Link != want {
		t.Errorf("link %q, want %q", first.Link, want)
	}
	// The second scheduled scan finds what the first found: nothing new.
	if second.ScanID == first.ScanID || second.New != 0 || second.Unchanged != first.Findings {
		t.Errorf("second event %+v after %+v: want a new scan with every finding unchanged", second, first)
	}
	scans, err := st.Scans(ctx, "tiny", 10)
	if err != nil || len(scans) < 2 {
		t.Fatalf("scan history of tiny: %d scans (%v), want the scheduled ones", len(scans), err)
	}
	rep, err := st.Report(ctx, first.ScanID)
	if err != nil || rep.Target != api.URL {
		t.Errorf("stored report of scan %d: %v", first.ScanID, err)
	}
}
