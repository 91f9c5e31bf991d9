package traffic

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"

	"github.com/rampart-sec/rampart"
)

// The parts of HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/)
// Rampart reads. Entries are decoded one by one, so that one malformed
// entry is a warning, not a refused file.
type harFile struct {
	Log *struct {
		Entries []json.RawMessage `json:"entries"`
	} `json:"log"`
}

type harPair struct {
	Name        string `json:"name"`
	Value       string `json:"value"`
	FileName    string `json:"fileName"`
	ContentType string `json:"contentType"`
}

type harEntry struct {
	Request struct {
		Method      string    `json:"method"`
		URL         string    `json:"url"`
		Headers     []harPair `json:"headers"`
		Cookies     []harPair `json:"cookies"`
		QueryString []harPair `json:"queryString"`
		PostData    *struct {
			MimeType string    `json:"mimeType"`
			Text     string    `json:"text"`
			Params   []harPair `json:"params"`
		} `json:"postData"`
	} `json:"request"`
	Response *struct {
		Status  int       `json:"status"`
		Headers []harPair `json:"headers"`
		Content struct {
			MimeType string `json:"mimeType"`
			Text     string `json:"text"`
			Encoding string `json:"encoding"`
		} `json:"content"`
	} `json:"response"`
}

// ParseHAR reads a HAR 1.2 document. name is how warnings call the file.
// Only a document that is not a HAR at all (no log.entries) is an error;
// an entry that cannot be read is left out with a warning.
func ParseHAR(name string, data []byte) (*Recording, error) {
	var f harFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("%s: %w: not HAR JSON (%v)", name, ErrFormat, jsonProblem(err))
	}
	if f.Log == nil || f.Log.Entries == nil {
		if looksLike(data, "item", "info") {
			return nil, fmt.Errorf("%s: %w: no log.entries; it looks like a Postman collection: pass it with --postman", name, ErrFormat)
		}
		return nil, fmt.Errorf("%s: %w: no log.entries: export the HAR again from the browser's network panel", name, ErrFormat)
	}
	rec := &Recording{File: name, Source: rampart.SourceHAR}
	entries := f.Log.Entries
	if len(entries) > MaxExchanges {
		rec.warn("log.entries", fmt.Sprintf("%d entries, more than %d", len(entries), MaxExchanges), fmt.Sprintf("read the first %d", MaxExchanges))
		entries = entries[:MaxExchanges]
	}
	for i, raw := range entries {
		where := fmt.Sprintf("log.entries[%d]", i)
		var e harEntry
		if err := json.Unmarshal(raw, &e); err != nil {
			rec.warn(where, "unreadable entry ("+jsonProblem(err)+")", "left out")
			continue
		}
		x, problem := e.exchange()
		if x == nil {
			rec.warn(where+".request", problem, "left out")
			continue
		}
		x.Where = where + ".request"
		rec.Exchanges = append(rec.Exchanges, x)
	}
	return rec, nil
}

func (e *harEntry) exchange() (*Exchange, string) {
	rq := &e.Request
	method := strings.ToUpper(strings.TrimSpace(rq.Method))
	if !validMethod(method) {
		return nil, "no usable method"
	}
	u, err := url.Parse(strings.TrimSpace(rq.URL))
	if err != nil {
		return nil, "not an http(s) URL"
	}
	if p := urlProblem(u); p != "" {
		return nil, p
	}
	u.Fragment, u.RawFragment = "", ""
	x := &Exchange{Method: method, URL: u, Header: pairsHeader(rq.Headers)}
	if u.RawQuery == "" && len(rq.QueryString) > 0 {
		q := url.Values{}
		for _, p := range limit(rq.QueryString) {
			q.Add(p.Name, p.Value)
		}
		u.RawQuery = q.Encode()
	}
	if x.Header.Get("Cookie") == "" && len(rq.Cookies) > 0 {
		var parts []string
		for _, c := range limit(rq.Cookies) {
			if c.Name != "" {
				parts = append(parts, c.Name+"="+c.Value)
			}
		}
		if len(parts) > 0 {
			x.Header.Set("Cookie", strings.Join(parts, "; "))
		}
	}
	if pd := rq.PostData; pd != nil {
		ct := pd.MimeType
		if ct == "" {
			ct = x.Header.Get("Content-Type")
		}
		switch {
		case pd.Text != "":
			x.Body = clip([]byte(pd.Text))
		case len(pd.Params) > 0 && strings.HasPrefix(strings.ToLower(ct), "multipart/form-data"):
			var b bytes.Buffer
			w := multipart.NewWriter(&b)
			for _, p := range limit(pd.Params) {
				if p.FileName != "" {
					fw, _ := w.CreateFormFile(p.Name, p.FileName)
					_, _ = fw.Write([]byte(p.Value))
				} else {
					_ = w.WriteField(p.Name, p.Value)
				}
			}
			_ = w.Close()
			x.Body, ct = clip(b.Bytes()), w.FormDataContentType()
		case len(pd.Params) > 0:
			q := url.Values{}
			for _, p := range limit(pd.Params) {
				q.Add(p.Name, p.Value)
			}
			x.Body = clip([]byte(q.Encode()))
			if ct == "" {
				ct = "application/x-www-form-urlencoded"
			}
		}
		if ct != "" && len(x.Body) > 0 {
			x.Header.Set("Content-Type", ct)
		}
	}
	if rs := e.Response; rs != nil && rs.Status > 0 && rs.Status < 1000 {
		x.Status = rs.Status
		x.RespHeader = pairsHeader(rs.Headers)
		body := []byte(rs.Content.Text)
		if strings.EqualFold(rs.Content.Encoding, "base64") {
			if d, err := base64.StdEncoding.DecodeString(rs.Content.Text); err == nil {
				body = d
			} else {
				body = nil
			}
		}
		x.RespBody = clip(body)
		if x.RespHeader.Get("Content-Type") == "" && rs.Content.MimeType != "" {
			x.RespHeader.Set("Content-Type", rs.Content.MimeType)
		}
	}
	return x, ""
}

// pairsHeader makes a header of HAR name/value pairs; HTTP/2 pseudo
// headers (":authority") and names no HTTP/1 request could carry are left
// out.
func pairsHeader(ps []harPair) http.Header {
	h := http.Header{}
	for _, p := range limit(ps) {
		if !validHeaderName(p.Name) {
			continue
		}
		h.Add(p.Name, p.Value)
	}
	return h
}

func limit(ps []harPair) []harPair {
	if len(ps) > MaxHeaders {
		return ps[:MaxHeaders]
	}
	return ps
}

func validHeaderName(n string) bool {
	if n == "" || len(n) > 256 {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`()<>@,;:\"/[]?={}`, c) >= 0 {
			return false
		}
	}
	return true
}

func validMethod(m string) bool {
	if m == "" || len(m) > 16 || m == "CONNECT" {
		return false
	}
	for _, c := range m {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}

// jsonProblem says where a JSON document broke without quoting it: the
// error of encoding/json for a type mismatch names a field and a type,
// never a value, and a syntax error gives an offset.
func jsonProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("JSON syntax error at byte %d", se.Offset)
	case errors.As(err, &te):
		return fmt.Sprintf("%s: %s where %s was expected", te.Field, te.Value, te.Type)
	}
	return "malformed JSON"
}

// looksLike reports whether a JSON object has all the given top-level keys:
// which other kind of recording a file given as one kind is.
func looksLike(data []byte, keys ...string) bool {
	var top map[string]json.RawMessage
	if json.Unmarshal(data, &top) != nil {
		return false
	}
	for _, k := range keys {
		if _, ok := top[k]; !ok {
			return false
		}
	}
	return true
}
