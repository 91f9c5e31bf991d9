package e2e

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

// recorder is a reverse proxy in front of a twin that writes what passes
// through as HAR 1.2, as a browser's network panel exports it: the URLs
// are the app's (the twin's), not the proxy's, as a browser talking to the
// app, or an intercepting proxy, records them.
type recorder struct {
	*httptest.Server
	upstream *url.URL
	mu       sync.Mutex
	entries  []map[string]any
}

func newRecorder(t *testing.T, upstream string) *recorder {
	t.Helper()
	u, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	r := &recorder{upstream: u}
	client := &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, in *http.Request) {
		started := time.Now()
		body, _ := io.ReadAll(in.Body)
		target := *u
		target.Path, target.RawPath, target.RawQuery = in.URL.Path, in.URL.RawPath, in.URL.RawQuery
		out, err := http.NewRequest(in.Method, target.String(), bytes.NewReader(body))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		out.Header = in.Header.Clone()
		resp, err := client.Do(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		rbody, _ := io.ReadAll(resp.Body)
		for k, vs := range resp.Header {
			w.Header()[k] = vs
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = w.Write(rbody)
		r.record(out, body, resp, rbody, time.Since(started))
	}))
	t.Cleanup(r.Close)
	return r
}

func harPairs(h http.Header) []map[string]string {
	var out []map[string]string
	for k, vs := range h {
		for _, v := range vs {
			out = append(out, map[string]string{"name": k, "value": v})
		}
	}
	return out
}

func (r *recorder) record(req *http.Request, body []byte, resp *http.Response, rbody []byte, took time.Duration) {
	var cookies, query []map[string]string
	for _, c := range req.Cookies() {
		cookies = append(cookies, map[string]string{"name": c.Name, "value": c.Value})
	}
	for k, vs := range req.URL.Query() {
		for _, v := range vs {
			query = append(query, map[string]string{"name": k, "value": v})
		}
	}
	rq := map[string]any{
		"method": req.Method, "url": req.URL.String(), "httpVersion": "HTTP/1.1",
		"headers": harPairs(req.Header), "cookies": cookies, "queryString": query,
		"headersSize": -1, "bodySize": len(body),
	}
	if len(body) > 0 {
		rq["postData"] = map[string]any{"mimeType": req.Header.Get("Content-Type"), "text": string(body)}
	}
	content := map[string]any{"size": len(rbody), "mimeType": resp.Header.Get("Content-Type")}
	// Browsers write binary answers base64-encoded.
	if utf8.Valid(rbody) {
		content["text"] = string(rbody)
	} else {
		content["text"], content["encoding"] = base64.StdEncoding.EncodeToString(rbody), "base64"
	}
	var setCookies []map[string]string
	for _, c := range resp.Cookies() {
		setCookies = append(setCookies, map[string]string{"name": c.Name, "value": c.Value})
	}
	e := map[string]any{
		"pageref": "page_1", "startedDateTime": time.Now().UTC().Format(time.RFC3339Nano),
		"time": float64(took.Microseconds()) / 1000, "request": rq,
		"response": map[string]any{
			"status": resp.StatusCode, "statusText": http.StatusText(resp.StatusCode), "httpVersion": "HTTP/1.1",
			"headers": harPairs(resp.Header), "cookies": setCookies, "content": content, "redirectURL": resp.Header.Get("Location"),
			"headersSize": -1, "bodySize": len(rbody),
		},
		"cache":   map[string]any{},
		"timings": map[string]any{"blocked": -1, "dns": -1, "connect": -1, "send": 0, "wait": float64(took.Microseconds()) / 1000, "receive": 0, "ssl": -1},
	}
	r.mu.Lock()
	r.entries = append(r.entries, e)
	r.mu.Unlock()
}

func (r *recorder) write(t *testing.T, path string) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	har := map[string]any{"log": map[string]any{
		"version": "1.2", "creator": map[string]string{"name": "rampart-e2e-recorder", "version": "1"},
		"pages":   []any{map[string]any{"id": "page_1", "title": r.upstream.String(), "startedDateTime": time.Now().UTC().Format(time.RFC3339Nano), "pageTimings": map[string]any{}}},
		"entries": r.entries,
	}}
	data, err := json.MarshalIndent(har, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// browse is a user clicking through the app behind the recorder: each
// call is one request the page makes, with the session it holds.
type browse struct {
	t      *testing.T
	base   string
	token  string
	client *http.Client
}

func (b *browse) do(method, path string, body any) (int, map[string]any) {
	b.t.Helper()
	var rd io.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, b.base+path, rd)
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if b.token != "" {
		req.Header.Set("Authorization", "Bearer "+b.token)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var out map[string]any
	data, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(data, &out)
	if resp.StatusCode >= 400 {
		b.t.Logf("%s %s: %d %s", method, path, resp.StatusCode, strings.TrimSpace(string(data)))
	}
	return resp.StatusCode, out
}
