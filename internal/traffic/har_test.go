package traffic

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
)

func readHAR(t *testing.T, name string) *Recording {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := ParseHAR(name, data)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// TestParseHAR reads a HAR shaped like a browser's export: pages,
// timings, cookies in their own list, a base64 answer, form and multipart
// bodies given as params, third-party hosts, and two broken entries.
func TestParseHAR(t *testing.T) {
	rec := readHAR(t, "browser.har")
	if len(rec.Exchanges) != 13 {
		t.Fatalf("%d exchanges, want 13 (15 entries, 2 unreadable)", len(rec.Exchanges))
	}
	at := func(i int) *Exchange { return rec.Exchanges[i] }
	for _, tc := range []struct {
		name string
		got  string
		want string
	}{
		{"method", at(0).Method, "POST"},
		{"url", at(1).URL.String(), "https://app.example.test/api/notes?page=1"},
		{"where", at(2).Where, "log.entries[2].request"},
		{"cookie from the cookies list", at(2).Header.Get("Cookie"), "session=s3ss10n-alice-0001"},
		{"pseudo header left out", strings.Join(at(2).Header.Values(":authority"), ""), ""},
		{"custom header", at(2).Header.Get("X-Tenant"), "acme"},
		{"json body", string(at(0).Body), `{"username": "alice", "password": "wonderland-2024"}`},
		{"base64 answer decoded", string(at(1).RespBody)[:9], `[{"id": 1`},
		{"status", fmt.Sprint(at(9).Status), "201"},
		{"form params", string(at(9).Body), "pinned=true&title=New"},
		{"form content type", at(9).Header.Get("Content-Type"), "application/x-www-form-urlencoded"},
		{"multipart rebuilt", fmt.Sprint(strings.Contains(at(10).Header.Get("Content-Type"), "multipart/form-data; boundary=") && strings.Contains(string(at(10).Body), `filename="r.png"`)), "true"},
		{"answer content type", at(2).RespHeader.Get("Content-Type"), "application/json; charset=utf-8"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, tc.got, tc.want)
		}
	}
	var problems []string
	for _, w := range rec.Warnings {
		problems = append(problems, w.Path+": "+w.Problem)
	}
	want := []string{
		"log.entries[13]: unreadable entry (request.url: number where string was expected)",
		"log.entries[14].request: not an http(s) URL",
	}
	if strings.Join(problems, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(problems, "\n"), strings.Join(want, "\n"))
	}
}

func TestParseHARRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, data, want string
	}{
		{"not json", "<html>", "JSON syntax error at byte 1"},
		{"no log", `{"entries": []}`, "no log.entries"},
		{"entries not a list", `{"log": {"entries": {}}}`, "log.entries: object where []json.RawMessage was expected"},
		{"postman given as HAR", `{"info": {}, "item": []}`, "looks like a Postman collection: pass it with --postman"},
	} {
		_, err := ParseHAR("x.har", []byte(tc.data))
		if err == nil || !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want ErrFormat saying %q", tc.name, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), tc.data) && len(tc.data) > 8 {
			t.Errorf("%s: the error quotes the file: %v", tc.name, err)
		}
	}
}

// TestParseHARBounds: a HAR past the limits is read up to them.
func TestParseHARBounds(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"log":{"entries":[`)
	for i := range MaxExchanges + 3 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"request":{"method":"GET","url":"http://h/x"}}`)
	}
	b.WriteString(`]}}`)
	rec, err := ParseHAR("big.har", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Exchanges) != MaxExchanges || len(rec.Warnings) != 1 || !strings.Contains(rec.Warnings[0].Problem, "more than") {
		t.Errorf("%d exchanges, warnings %v", len(rec.Exchanges), rec.Warnings)
	}
	deep := `{"log":{"entries":[{"request":{"method":"GET","url":"http://h` + strings.Repeat("/1", MaxSegments+1) + `"}}]}}`
	rec, err = ParseHAR("deep.har", []byte(deep))
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Exchanges) != 0 || len(rec.Warnings) != 1 || rec.Warnings[0].Problem != "URL path deeper than 64 segments" {
		t.Errorf("deep path: %d exchanges, %v", len(rec.Exchanges), rec.Warnings)
	}
	big := `{"log":{"entries":[{"request":{"method":"POST","url":"http://h/x","postData":{"mimeType":"text/plain","text":"` + strings.Repeat("a", MaxBody+10) + `"}}}]}}`
	rec, err = ParseHAR("body.har", []byte(big))
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Exchanges[0].Body) != MaxBody {
		t.Errorf("body of %d bytes kept, want %d", len(rec.Exchanges[0].Body), MaxBody)
	}
}
