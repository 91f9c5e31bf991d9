// Command target is the API of the throttled-routes benchmark
// (bench/throttle/run): 20 operations over five resources on 127.0.0.1,
// its OpenAPI document at /openapi.json. With -throttle, three of its
// routes answer every request with 429 and Retry-After, as an API with a
// few rate-limited endpoints does to a scanner.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

var resources = []string{"items", "orders", "users", "notes", "reports"}

// throttled are the routes -throttle makes answer 429: a listing and two
// reads by id, all of which a safe scan sends (the model's exploration
// reads the listing first, then the objects it named).
var throttled = map[string]bool{"GET /items/{id}": true, "GET /orders": true, "GET /notes/{id}": true}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address (loopback)")
	throttle := flag.Bool("throttle", false, "answer 429 on three routes")
	retryAfter := flag.Int("retry-after", 5, "Retry-After of the throttled routes, in seconds")
	delay := flag.Duration("delay", 0, "time every answer takes")
	verbose := flag.Bool("v", false, "log every request to stderr")
	flag.Parse()
	host, _, err := net.SplitHostPort(*addr)
	if err != nil || net.ParseIP(host) == nil || !net.ParseIP(host).IsLoopback() {
		log.Fatalf("target: -addr %q: a loopback address only", *addr)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	spec := openapi()
	start := time.Now()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if *verbose {
			log.Printf("%7.3fs %s %s %s", time.Since(start).Seconds(), r.Method, r.URL.RequestURI(), r.UserAgent())
		}
		if *delay > 0 {
			time.Sleep(*delay)
		}
		if r.URL.Path == "/openapi.json" {
			w.Header().Set("Content-Type", "application/json")
			w.Write(spec)
			return
		}
		route, id, ok := match(r.Method, r.URL.Path)
		if !ok {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "not found"})
			return
		}
		if *throttle && throttled[route] {
			w.Header().Set("Retry-After", strconv.Itoa(*retryAfter))
			writeJSON(w, http.StatusTooManyRequests, map[string]string{"error": "too many requests"})
			return
		}
		serve(w, r, route, id)
	})
	fmt.Printf("http://%s\n", ln.Addr())
	os.Stdout.Sync()
	log.Fatal(http.Serve(ln, h))
}

// match finds the route of a request: /{res} or /{res}/{id}.
func match(method, path string) (route string, id int, ok bool) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	known := false
	for _, r := range resources {
		known = known || parts[0] == r
	}
	switch {
	case !known || len(parts) > 2:
		return "", 0, false
	case len(parts) == 1 && (method == "GET" || method == "POST"):
		return method + " /" + parts[0], 0, true
	case len(parts) == 2 && (method == "GET" || method == "DELETE"):
		n, err := strconv.Atoi(parts[1])
		if err != nil || n < 1 || n > 3 {
			return "", 0, false
		}
		return method + " /" + parts[0] + "/{id}", n, true
	}
	return "", 0, false
}

func serve(w http.ResponseWriter, r *http.Request, route string, id int) {
	res := strings.Fields(route)[1][1:]
	res, _, _ = strings.Cut(res, "/")
	switch {
	case strings.HasPrefix(route, "GET") && id == 0:
		list := make([]any, 3)
		for i := range list {
			list[i] = object(res, i+1)
		}
		writeJSON(w, http.StatusOK, list)
	case strings.HasPrefix(route, "GET"):
		writeJSON(w, http.StatusOK, object(res, id))
	case strings.HasPrefix(route, "POST"):
		var body map[string]any
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&body); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "body must be a JSON object"})
			return
		}
		writeJSON(w, http.StatusCreated, object(res, 4))
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

func object(res string, id int) map[string]any {
	return map[string]any{"id": id, "name": fmt.Sprintf("%s %d", strings.TrimSuffix(res, "s"), id), "created": "2026-01-0" + strconv.Itoa(id)}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func openapi() []byte {
	idParam := []any{map[string]any{"name": "id", "in": "path", "required": true,
		"schema": map[string]any{"type": "integer", "example": 1}}}
	obj := map[string]any{"type": "object", "properties": map[string]any{
		"id": map[string]any{"type": "integer"}, "name": map[string]any{"type": "string"}, "created": map[string]any{"type": "string"}}}
	ok := func(schema any) map[string]any {
		return map[string]any{"200": map[string]any{"description": "ok",
			"content": map[string]any{"application/json": map[string]any{"schema": schema}}}}
	}
	paths := map[string]any{}
	for _, r := range resources {
		paths["/"+r] = map[string]any{
			"get": map[string]any{"responses": ok(map[string]any{"type": "array", "items": obj})},
			"post": map[string]any{
				"requestBody": map[string]any{"content": map[string]any{"application/json": map[string]any{
					"schema": map[string]any{"type": "object", "properties": map[string]any{"name": map[string]any{"type": "string", "example": "lamp"}}}}}},
				"responses": map[string]any{"201": map[string]any{"description": "created"}},
			},
		}
		paths["/"+r+"/{id}"] = map[string]any{
			"get":    map[string]any{"parameters": idParam, "responses": ok(obj)},
			"delete": map[string]any{"parameters": idParam, "responses": map[string]any{"204": map[string]any{"description": "deleted"}}},
		}
	}
	b, err := json.Marshal(map[string]any{"openapi": "3.0.3", "info": map[string]any{"title": "throttle bench", "version": "1"}, "paths": paths})
	if err != nil {
		panic(err)
	}
	return b
}
