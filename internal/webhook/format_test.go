package webhook

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func sampleEvent() Event {
	return Event{
		Event: EventScanCompleted, Target: "staging-api", URL: "http://127.0.0.1:8801",
		ScanID: 42, Grade: "C", Score: 78, Findings: 3, New: 1, Fixed: 2, Unchanged: 2,
		Link:     "http://127.0.0.1:8080/scans/42",
		Finished: time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC),
	}
}

// hostile is a target whose name and URL try Slack's mrkdwn: a channel
// ping, a forged link, and a link that breaks out of <url|label>.
func hostile() Event {
	ev := sampleEvent()
	ev.Target = "<!channel> <http://evil.test|click> & co"
	ev.URL = "http://127.0.0.1:8801/<script>"
	ev.Link = "http://127.0.0.1:8080/scans/42|fake>label"
	return ev
}

func TestBodyGolden(t *testing.T) {
	for _, tc := range []struct {
		name   string
		format Format
		ev     Event
	}{
		{"json", JSON, sampleEvent()},
		{"slack", Slack, sampleEvent()},
		{"slack-hostile", Slack, hostile()},
		{"slack-no-link", Slack, func() Event { e := sampleEvent(); e.Link = "javascript:alert(1)"; return e }()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body, err := Body(tc.format, tc.ev)
			if err != nil {
				t.Fatal(err)
			}
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, body, "", "  "); err != nil {
				t.Fatalf("not JSON: %v", err)
			}
			pretty.WriteByte('\n')
			golden := filepath.Join("testdata", tc.name+".golden.json")
			if *update {
				if err := os.WriteFile(golden, pretty.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to write it)", err)
			}
			if !bytes.Equal(pretty.Bytes(), want) {
				t.Errorf("%s body differs from %s:\n%s", tc.name, golden, pretty.String())
			}
		})
	}
}

// TestSlackEscapes: nothing a scanned API or a user names reaches Slack
// as markup.
func TestSlackEscapes(t *testing.T) {
	body, err := Body(Slack, hostile())
	if err != nil {
		t.Fatal(err)
	}
	var msg slackBody
	if err := json.Unmarshal(body, &msg); err != nil {
		t.Fatal(err)
	}
	texts := []string{msg.Text}
	for _, b := range msg.Blocks {
		if b.Text != nil {
			texts = append(texts, b.Text.Text)
		}
		for _, f := range append(b.Fields, b.Elements...) {
			texts = append(texts, f.Text)
		}
	}
	for _, s := range texts {
		for _, bad := range []string{"<!channel>", "<http://evil.test", "<script>", "|fake>"} {
			if strings.Contains(s, bad) {
				t.Errorf("Slack text %q carries %q unescaped", s, bad)
			}
		}
	}
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]Format{"json": JSON, "JSON": JSON, " slack ": Slack} {
		if got, err := ParseFormat(in); err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseFormat("teams"); err == nil {
		t.Error("ParseFormat(teams): no error")
	}
	if _, err := Body("teams", sampleEvent()); err == nil {
		t.Error("Body(teams): no error")
	}
}
