// Command target is the API the scale benchmark scans: a generated OpenAPI
// 3.0 document of N operations served on loopback, every operation
// answering a JSON body of a chosen size after a chosen delay.
//
//	target [-addr 127.0.0.1:0] [-ops 1000] [-body 256] [-latency 0]
//
// It prints its base URL on the first line of stdout once it listens, then
// serves until killed. Bodies of any size cost the target nothing: a large
// body is one prepared 64 KiB chunk written again and again, and the
// connection is dropped as soon as the client stops reading (a scanner that
// caps bodies reads its cap and closes). Paths outside the document answer
// a small 404, as a real API would to the scanner's probes.
//
// The operations come in groups of four per resource r<i>: list with a
// search and a sort parameter (GET /r<i>/items?q=&sort=), read by id
// (GET /r<i>/items/{item_id}), create (POST /r<i>/items) and update
// (PUT /r<i>/items/{item_id}). The API is public (no security scheme): a scan
// with default flags (no identity) gets data from every read, so every check
// that looks at answers has one to look at.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address (loopback)")
	ops := flag.Int("ops", 1000, "operations in the document")
	body := flag.String("body", "256", "bytes of every answer: a number with an optional k, M or G (powers of 1024)")
	latency := flag.Duration("latency", 0, "delay before every answer of an operation")
	flag.Parse()
	size, err := parseSize(*body)
	if err != nil || *ops < 1 {
		fmt.Fprintln(os.Stderr, "target: -ops wants a positive number and -body a size such as 256, 64k or 1G")
		os.Exit(2)
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil || !net.ParseIP(host).IsLoopback() {
		fmt.Fprintln(os.Stderr, "target: -addr must be a loopback address, e.g. 127.0.0.1:0")
		os.Exit(2)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "target:", err)
		os.Exit(1)
	}
	doc, err := json.Marshal(spec(*ops))
	if err != nil {
		fmt.Fprintln(os.Stderr, "target:", err)
		os.Exit(1)
	}
	h := &handler{doc: doc, ops: *ops, size: size, latency: *latency, chunk: chunk()}
	fmt.Printf("http://%s\n", ln.Addr())
	os.Stdout.Sync()
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	if err := srv.Serve(ln); err != nil {
		fmt.Fprintln(os.Stderr, "target:", err)
		os.Exit(1)
	}
}

func parseSize(s string) (int64, error) {
	mult := int64(1)
	switch {
	case strings.HasSuffix(s, "k"), strings.HasSuffix(s, "K"):
		mult = 1 << 10
	case strings.HasSuffix(s, "M"):
		mult = 1 << 20
	case strings.HasSuffix(s, "G"):
		mult = 1 << 30
	}
	if mult > 1 {
		s = s[:len(s)-1]
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("size %q", s)
	}
	return n * mult, nil
}

type handler struct {
	doc     []byte
	ops     int
	size    int64
	latency time.Duration
	chunk   []byte
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/openapi.json":
		w.Header().Set("Content-Type", "application/json")
		w.Write(h.doc)
		return
	case r.URL.Path == "/":
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"name":"scale target","operations":%d}`, h.ops)
		return
	case !h.known(r.URL.Path):
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"error":"not found"}`))
		return
	}
	if h.latency > 0 {
		select {
		case <-time.After(h.latency):
		case <-r.Context().Done():
			return
		}
	}
	status := http.StatusOK
	if r.Method == http.MethodPost {
		status = http.StatusCreated
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.FormatInt(h.size, 10))
	w.WriteHeader(status)
	h.writeBody(w)
}

// known reports whether a path is one of the document's: /r<i>/items or
// /r<i>/items/<anything>, with i below the number of resources.
func (h *handler) known(path string) bool {
	rest, ok := strings.CutPrefix(path, "/r")
	if !ok {
		return false
	}
	num, rest, _ := strings.Cut(rest, "/")
	i, err := strconv.Atoi(num)
	if err != nil || i < 0 || i >= resources(h.ops) {
		return false
	}
	return rest == "items" || strings.HasPrefix(rest, "items/")
}

// writeBody writes exactly h.size bytes: a JSON list as long as it fits,
// padded with spaces. It stops at the first write error (the client hung up).
func (h *handler) writeBody(w http.ResponseWriter) {
	const head, tail = `{"items":[`, `{"id":0}]}`
	if h.size < int64(len(head)+len(tail)) {
		w.Write(bytes.Repeat([]byte(" "), int(h.size)))
		return
	}
	left := h.size - int64(len(head)+len(tail))
	if _, err := w.Write([]byte(head)); err != nil {
		return
	}
	for left > 0 {
		n := min(left, int64(len(h.chunk)))
		part := h.chunk[:n]
		if n < int64(len(h.chunk)) {
			// The last part ends at an item's comma, padded with spaces.
			cut := 0
			if i := bytes.LastIndex(part, []byte("},")); i >= 0 {
				cut = i + 2
			}
			part = append(part[:cut:cut], bytes.Repeat([]byte(" "), int(n)-cut)...)
		}
		if _, err := w.Write(part); err != nil {
			return
		}
		left -= n
	}
	w.Write([]byte(tail))
}

// chunk is 64 KiB of whole list items, padded with spaces to the size.
func chunk() []byte {
	const size = 64 << 10
	var b bytes.Buffer
	for i := 1; ; i++ {
		item := fmt.Sprintf(`{"id":%d,"name":"item %d","status":"open","tags":["a","b"]},`, i, i)
		if b.Len()+len(item) > size {
			break
		}
		b.WriteString(item)
	}
	for b.Len() < size {
		b.WriteByte(' ')
	}
	return b.Bytes()
}

func resources(ops int) int { return (ops + 3) / 4 }

// spec builds the OpenAPI document: ops operations, four per resource. The
// schemas, the id parameter and the request body are components that every
// operation refers to, as in a real API of this size; an operation then
// costs about 300 bytes of minified JSON.
func spec(ops int) map[string]any {
	paths := map[string]map[string]any{}
	ref := func(to string) map[string]any { return map[string]any{"$ref": to} }
	answer := func(schema string) map[string]any {
		return map[string]any{"200": map[string]any{
			"description": "ok",
			"content":     map[string]any{"application/json": map[string]any{"schema": ref(schema)}},
		}}
	}
	for i := 0; i < ops; i++ {
		r := i / 4
		coll, one := fmt.Sprintf("/r%d/items", r), fmt.Sprintf("/r%d/items/{item_id}", r)
		if paths[coll] == nil {
			paths[coll] = map[string]any{}
		}
		if paths[one] == nil {
			paths[one] = map[string]any{}
		}
		tag := fmt.Sprintf("r%d", r)
		switch i % 4 {
		case 0:
			paths[coll]["get"] = map[string]any{
				"operationId": fmt.Sprintf("list%d", r), "tags": []string{tag},
				"parameters": []any{ref("#/components/parameters/q"), ref("#/components/parameters/sort")},
				"responses":  answer("#/components/schemas/List"),
			}
		case 1:
			paths[one]["get"] = map[string]any{
				"operationId": fmt.Sprintf("get%d", r), "tags": []string{tag},
				"parameters": []any{ref("#/components/parameters/item_id")},
				"responses":  answer("#/components/schemas/Item"),
			}
		case 2:
			paths[coll]["post"] = map[string]any{
				"operationId": fmt.Sprintf("create%d", r), "tags": []string{tag},
				"requestBody": ref("#/components/requestBodies/Write"),
				"responses":   answer("#/components/schemas/Item"),
			}
		case 3:
			paths[one]["put"] = map[string]any{
				"operationId": fmt.Sprintf("update%d", r), "tags": []string{tag},
				"parameters":  []any{ref("#/components/parameters/item_id")},
				"requestBody": ref("#/components/requestBodies/Write"),
				"responses":   answer("#/components/schemas/Item"),
			}
		}
	}
	str := func(example string) map[string]any { return map[string]any{"type": "string", "example": example} }
	item := map[string]any{"type": "object", "properties": map[string]any{
		"id": map[string]any{"type": "integer"}, "name": map[string]any{"type": "string"},
		"status": map[string]any{"type": "string"}, "tags": map[string]any{"type": "array", "items": map[string]any{"type": "string"}},
	}}
	return map[string]any{
		"openapi": "3.0.3",
		"info":    map[string]any{"title": "scale target", "version": "1"},
		"paths":   paths,
		"components": map[string]any{
			"schemas": map[string]any{
				"Item": item,
				"List": map[string]any{"type": "object", "properties": map[string]any{
					"items": map[string]any{"type": "array", "items": ref("#/components/schemas/Item")},
				}},
			},
			"parameters": map[string]any{
				"q":       map[string]any{"name": "q", "in": "query", "schema": str("open")},
				"sort":    map[string]any{"name": "sort", "in": "query", "schema": str("name")},
				"item_id": map[string]any{"name": "item_id", "in": "path", "required": true, "schema": map[string]any{"type": "integer", "example": 1}},
			},
			"requestBodies": map[string]any{"Write": map[string]any{"required": true, "content": map[string]any{
				"application/json": map[string]any{"schema": map[string]any{"type": "object", "properties": map[string]any{"name": str("a name")}}},
			}}},
		},
	}
}
