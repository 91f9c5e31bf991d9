package codescan

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A run that finds no route says so, names the unrouted framework the code
// imports and what did not run; a run with routes says nothing of it.
func TestNoRouteNote(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string // substrings of the note; nil: no note
	}{
		{"django", "from django.http import JsonResponse\n\ndef view(request):\n    return JsonResponse({})\n",
			[]string{"no route found", "Django", "rampart scan"}},
		{"aiohttp", "from aiohttp import web\n\nasync def handler(request):\n    return web.json_response({})\n",
			[]string{"aiohttp", "route-level rules"}},
		{"http.server in a list", "import json, http.server\n\nclass H(http.server.BaseHTTPRequestHandler):\n    pass\n",
			[]string{"http.server"}},
		{"plain library", "def double(x):\n    return x * 2\n",
			[]string{"no route found (Flask", "route-level rules"}},
		{"flask route", "from flask import Flask\napp = Flask(__name__)\n\n@app.get('/a')\ndef a():\n    return {}\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "app.py"), []byte(tt.src), 0o644); err != nil {
				t.Fatal(err)
			}
			res, err := Analyze(context.Background(), dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			var note string
			for _, n := range res.Notes {
				if strings.HasPrefix(n, "no route found") {
					note = n
				}
			}
			if tt.want == nil {
				if note != "" {
					t.Errorf("unexpected note: %s", note)
				}
				return
			}
			for _, w := range tt.want {
				if !strings.Contains(note, w) {
					t.Errorf("note %q lacks %q", note, w)
				}
			}
		})
	}
}
