// Package tbtest gives scanner tests the running testbed (testbed/up): its
// URLs and tokens, its ground truth, and a lock so that test packages that
// change the twins' state never run against them at the same time.
package tbtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rampart-sec/rampart"
)

// Testbed is what testbed/up exported.
type Testbed struct {
	Root                        string // repository root
	Vuln, Secure                string
	AliceToken, BobToken, Carol string
}

// Entry is one ground-truth flaw (testbed/groundtruth.json).
type Entry struct {
	ID      string         `json:"id"`
	Family  rampart.Family `json:"family"`
	Method  string         `json:"method"`
	Path    string         `json:"path"`
	Mode    string         `json:"mode"`
	Runtime bool           `json:"runtime"`
	// Needs names what a scan needs besides the running app to find the
	// flaw: "source" when only the code shows it (a key in no wordlist,
	// cracked with --source). Empty for flaws a plain scan finds.
	Needs string `json:"needs,omitempty"`
	Code  *struct {
		File  string `json:"file"`
		Lines []int  `json:"lines"`
	} `json:"code"`
}

// Root finds the repository root from the test's working directory.
func Root(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}

// Require returns the running testbed. Without it the test fails when CI
// is set (CI must bring it up) and is skipped otherwise.
func Require(t testing.TB) *Testbed {
	t.Helper()
	tb := &Testbed{
		Root:       Root(t),
		Vuln:       strings.TrimRight(os.Getenv("TB_VULN_URL"), "/"),
		Secure:     strings.TrimRight(os.Getenv("TB_SECURE_URL"), "/"),
		AliceToken: os.Getenv("TB_ALICE_TOKEN"),
		BobToken:   os.Getenv("TB_BOB_TOKEN"),
		Carol:      os.Getenv("TB_CAROL_TOKEN"),
	}
	missing := tb.Vuln == "" || tb.Secure == "" || tb.AliceToken == "" || tb.BobToken == "" || tb.Carol == ""
	var err error
	if missing {
		err = fmt.Errorf(`testbed not configured: run eval "$(testbed/up)" first`)
	} else {
		for _, u := range []string{tb.Vuln, tb.Secure} {
			if e := reachable(tb.Root, "tests.lock", u+"/openapi.json"); e != nil {
				err = fmt.Errorf("testbed not reachable: %v", e)
				break
			}
		}
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	return tb
}

// restartGrace bounds the wait for an app that does not answer while
// another test package holds its lock: test packages run side by side, and
// the holder may be restarting the apps (testbed/reset) at that moment.
const restartGrace = 3 * time.Minute

// reachable gets url; while it fails and lockName (in the state folder) is
// held by someone else, it waits for the holder, up to restartGrace.
func reachable(root, lockName, url string) error {
	c := http.Client{Timeout: 5 * time.Second}
	get := func() error {
		resp, err := c.Get(url)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	deadline := time.Now().Add(restartGrace)
	for {
		err := get()
		if err == nil {
			return nil
		}
		if !lockBusy(root, lockName) {
			// The holder may have finished between the two looks.
			return get()
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// lockPath is the lock file name in the testbed's state folder.
func lockPath(root, name string) string {
	dir := os.Getenv("TB_STATE_DIR")
	if dir == "" {
		dir = filepath.Join(root, "testbed", ".state")
	}
	return filepath.Join(dir, name)
}

// lockBusy reports whether someone holds the lock file name.
func lockBusy(root, name string) bool {
	f, err := os.OpenFile(lockPath(root, name), os.O_RDWR, 0)
	if err != nil {
		return false
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return true
	}
	syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return false
}

// Passwords of the seeded users (testbed/db/seed.py).
var passwords = map[string]string{
	"alice": "wonderland-2024",
	"bob":   "can-we-fix-it-2024",
	"carol": "higher-further-faster-2024",
}

// Identities returns alice and bob (users) and carol (admin) with login
// flows, as a user's config would: each logs in with POST /login and
// carries the bearer token and the session cookie it gets.
func (tb *Testbed) Identities() []rampart.Identity {
	id := func(name, role string) rampart.Identity {
		return rampart.Identity{Name: name, Role: role, Login: &rampart.Login{
			Method: "POST", URL: "/login",
			JSON:    map[string]any{"username": name, "password": passwords[name]},
			Token:   &rampart.TokenSource{From: "body", Path: "token"},
			Cookies: []string{"session"},
		}}
	}
	return []rampart.Identity{id("alice", "user"), id("bob", "user"), id("carol", "admin")}
}

// TokenIdentities returns the same accounts with the bearer tokens
// testbed/up printed, as --identity flags would.
func (tb *Testbed) TokenIdentities() []rampart.Identity {
	id := func(name, role, tok string) rampart.Identity {
		return rampart.Identity{Name: name, Role: role, Headers: http.Header{"Authorization": {"Bearer " + tok}}}
	}
	return []rampart.Identity{id("alice", "user", tb.AliceToken), id("bob", "user", tb.BobToken), id("carol", "admin", tb.Carol)}
}

// Lock holds the testbed for the rest of the test (and its subtests):
// packages that scan or change the twins take it so they never overlap.
func (tb *Testbed) Lock(t testing.TB) {
	t.Helper()
	f, err := os.OpenFile(lockPath(tb.Root, "tests.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	})
}

// Reset restores the seed data and restarts the twins (testbed/reset
// twins, which leaves the zoo alone); call it with the lock held.
func (tb *Testbed) Reset(t testing.TB) {
	t.Helper()
	cmd := exec.Command(filepath.Join(tb.Root, "testbed", "reset"), "twins")
	cmd.Stdout = nil
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("testbed/reset: %v\n%s", err, out)
	}
}

// GroundTruth reads testbed/groundtruth.json.
func (tb *Testbed) GroundTruth(t testing.TB) []Entry {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(tb.Root, "testbed", "groundtruth.json"))
	if err != nil {
		t.Fatal(err)
	}
	var es []Entry
	if err := json.Unmarshal(data, &es); err != nil {
		t.Fatal(err)
	}
	return es
}

// NeedsSource reports whether only a scan with --source is expected to
// find the entry.
func (e Entry) NeedsSource() bool { return e.Needs == NeedsSource }

// NeedsSource is the Needs of entries only a scan with --source finds.
const NeedsSource = "source"

// Matches reports whether a finding proves a ground-truth entry: same
// family, and same method and path unless the entry is app-wide ("*").
func (e Entry) Matches(f rampart.Finding) bool {
	if f.Family != e.Family {
		return false
	}
	if e.Path == "*" {
		return true
	}
	return strings.EqualFold(f.Location.Method, e.Method) && f.Location.Path == e.Path
}
