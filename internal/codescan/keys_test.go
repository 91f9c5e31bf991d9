package codescan

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/rampart-sec/rampart"
)

// TestKeys: the signing keys written in the source reach the result with
// where they are written, for the runtime scan to try first.
func TestKeys(t *testing.T) {
	dir := t.TempDir()
	src := `from flask import Flask
import os
import jwt

app = Flask(__name__)
app.config["SECRET_KEY"] = "session-key-only-in-this-code"
app.config["JWT_SECRET_KEY"] = os.environ.get("JWT_KEY", "jwt-key-only-in-this-code")


@app.route("/token")
def token():
    return jwt.encode({"sub": "alice"}, "jwt-key-only-in-this-code", algorithm="HS256")
`
	if err := os.WriteFile(filepath.Join(dir, "app.py"), []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := Analyze(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	app := filepath.Join(dir, "app.py") // as findings name it
	want := map[string]Key{
		"session-key-only-in-this-code": {Value: "session-key-only-in-this-code", File: app, Line: 6, Family: rampart.FamilySessionSecret},
		"jwt-key-only-in-this-code":     {Value: "jwt-key-only-in-this-code", File: app, Line: 7, Family: rampart.FamilyJWT},
	}
	if len(res.Keys) != len(want) {
		t.Fatalf("keys = %+v, want %d (each value once)", res.Keys, len(want))
	}
	for _, k := range res.Keys {
		if w, ok := want[k.Value]; !ok || k != w {
			t.Errorf("key %+v, want %+v", k, w)
		}
	}
}
