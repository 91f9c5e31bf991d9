package codescan

import (
	"context"
	"fmt"
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

// TestKeyCandidates: keys that reach a signer through names, calls,
// classes and modules are candidates with where the literal is written,
// one shape per case; what no signer reads is not.
func TestKeyCandidates(t *testing.T) {
	const head = "import os\nimport jwt\nfrom flask import Flask\n\napp = Flask(__name__)\n"
	for _, tt := range []struct {
		name  string
		files map[string]string
		want  map[string]string // value → file:line
		not   []string
	}{
		{"name then jwt.encode", map[string]string{"app.py": head +
			"KEY = 'name-then-encode-key'\n" +
			"def token(p):\n    return jwt.encode(p, KEY, algorithm='HS256')\n"},
			map[string]string{"name-then-encode-key": "app.py:6"}, nil},
		{"helper keyword then jwt.decode", map[string]string{"app.py": head +
			"KEY = load_key(OPTS, weak='helper-keyword-key')\n" +
			"def read(t):\n    return jwt.decode(t, KEY, algorithms=['HS256'])\n"},
			map[string]string{"helper-keyword-key": "app.py:6"}, nil},
		{"helper positional then app.secret_key", map[string]string{"app.py": head +
			"SIGNING = secret_key(OPTS, 'helper-positional-key')\n" +
			"app.secret_key = SIGNING\n"},
			map[string]string{"helper-positional-key": "app.py:6"}, nil},
		{"env or literal then config subscript", map[string]string{"app.py": head +
			"KEY = os.environ.get('APP_KEY') or 'env-or-literal-key'\n" +
			"app.config['SECRET_KEY'] = KEY\n"},
			map[string]string{"env-or-literal-key": "app.py:6"}, []string{"APP_KEY"}},
		{"env default then config.update", map[string]string{"app.py": head +
			"KEY = os.getenv('APP_KEY', 'getenv-default-key')\n" +
			"app.config.update(SECRET_KEY=KEY, DEBUG=False)\n"},
			map[string]string{"getenv-default-key": "app.py:6"}, []string{"APP_KEY"}},
		{"conditional then from_mapping in a factory", map[string]string{"app.py": head +
			"def create_app(test=False):\n" +
			"    key = 'factory-test-key' if test else os.environ['APP_KEY']\n" +
			"    app.config.from_mapping(SECRET_KEY=key)\n"},
			map[string]string{"factory-test-key": "app.py:7"}, []string{"APP_KEY"}},
		{"helper return then JWT_SECRET_KEY", map[string]string{"app.py": head +
			"def jwt_key():\n    return os.environ.get('JWT_KEY', 'helper-return-key')\n" +
			"app.config['JWT_SECRET_KEY'] = jwt_key()\n"},
			map[string]string{"helper-return-key": "app.py:7"}, []string{"JWT_KEY"}},
		{"config class with from_object", map[string]string{"app.py": head +
			"class Config:\n    DEBUG = False\n    SECRET_KEY = derive(weak='config-class-key')\n" +
			"app.config.from_object(Config)\n"},
			map[string]string{"config-class-key": "app.py:8"}, nil},
		{"config read back by the signer", map[string]string{"app.py": head +
			"app.config['SECRET_KEY'] = 'config-read-back-key'\n" +
			"def token(p):\n    return jwt.encode(p, app.config.get('SECRET_KEY'), algorithm='HS256')\n"},
			map[string]string{"config-read-back-key": "app.py:6"}, []string{"SECRET_KEY"}},
		{"itsdangerous serializer", map[string]string{"app.py": head +
			"from itsdangerous import URLSafeTimedSerializer\nRESET = 'serializer-key-here'\n" +
			"signer = URLSafeTimedSerializer(RESET)\n"},
			map[string]string{"serializer-key-here": "app.py:7"}, nil},
		{"key in config.py, used in app.py", map[string]string{
			"config.py": "import os\nKEY = load(weak='cross-module-key')\nLOG_LEVEL = 'cross-module-not-a-key'\n",
			"app.py":    head + "from config import KEY\ndef token(p):\n    return jwt.encode(p, KEY, 'HS256')\n"},
			map[string]string{"cross-module-key": "config.py:2"}, []string{"cross-module-not-a-key"}},
		{"re-exported through a config module", map[string]string{
			"vault.py":  "KEY = fetch(default='chained-module-key')\n",
			"config.py": "from vault import KEY as K\nclass Config:\n    SECRET_KEY = K\n",
			"app.py":    head + "from config import Config\napp.config.from_object(Config)\n"},
			map[string]string{"chained-module-key": "vault.py:1"}, nil},
		{"config module attribute, relative import", map[string]string{
			"pkg/__init__.py": "",
			"pkg/settings.py": "HMAC_KEY = os.getenv('JWT', 'relative-module-key')\n",
			"pkg/app.py":      head + "from . import settings\ndef token(p):\n    return jwt.encode(p, settings.HMAC_KEY)\n"},
			map[string]string{"relative-module-key": "pkg/settings.py:1"}, []string{"JWT"}},
		{"pydantic settings object from another module", map[string]string{
			"core.py": "from pydantic import BaseSettings\nclass Settings(BaseSettings):\n    token_key: str = 'pydantic-default-key'\n" +
				"    title: str = 'pydantic-not-a-key'\nsettings = Settings()\n",
			"api.py": "import jwt\nfrom core import settings\ndef token(p):\n    return jwt.encode(p, settings.token_key, algorithm='HS256')\n"},
			map[string]string{"pydantic-default-key": "core.py:3"}, []string{"pydantic-not-a-key"}},
		{"signer-less literals are not candidates", map[string]string{"app.py": head +
			"NAME = 'plain-constant-value'\nprint(load(weak='unrelated-helper-value'))\n" +
			"app.config['SECRET_KEY'] = os.environ['SECRET_KEY']\n"},
			map[string]string{}, []string{"plain-constant-value", "unrelated-helper-value", "SECRET_KEY"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, src := range tt.files {
				p := filepath.Join(dir, filepath.FromSlash(name))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(src), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			res, err := Analyze(context.Background(), dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, k := range res.Keys {
				rel, err := filepath.Rel(dir, k.File)
				if err != nil {
					t.Fatal(err)
				}
				got[k.Value] = fmt.Sprintf("%s:%d", filepath.ToSlash(rel), k.Line)
			}
			for v, where := range tt.want {
				if got[v] != where {
					t.Errorf("candidate %q at %q, want %s (all: %v)", v, got[v], where, got)
				}
			}
			for _, v := range tt.not {
				if _, ok := got[v]; ok {
					t.Errorf("%q is a candidate, but no signer reads it (all: %v)", v, got)
				}
			}
		})
	}
}

// TestKeyCandidatesAreNotFindings: a key reached only through a helper's
// argument is tried at runtime, but the secret rules report nothing new.
func TestKeyCandidatesAreNotFindings(t *testing.T) {
	dir := t.TempDir()
	src := "import jwt\nimport zoolib\nfrom flask import Flask\n\napp = Flask(__name__)\n" +
		"app.config['SECRET_KEY'] = zoolib.secret_key(OPTS, weak='session-helper-key')\n" +
		"KEY = zoolib.secret_key(OPTS, weak='token-helper-key')\n\n\n@app.get('/t')\ndef t():\n" +
		"    return jwt.encode({'sub': 'a', 'exp': 1}, KEY, algorithm='HS256')\n"
	if err := os.WriteFile(filepath.Join(dir, "app.py"), []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := Analyze(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Keys) != 2 {
		t.Errorf("keys %+v, want the two helper arguments", res.Keys)
	}
	for _, f := range res.Findings {
		switch f.Check {
		case SecretLiteral.ID, SecretFallback.ID, JWTSecret.ID:
			t.Errorf("finding %s at line %d: %s", f.Check, f.Location.Line, f.Message)
		}
	}
}
