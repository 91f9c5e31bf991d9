package tbtest

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"

	"github.com/rampart-sec/rampart"
)

// ZooApp is one app of the zoo of API shapes (testbed/zoo) as testbed/up
// exported it: its vulnerable and secure variants.
type ZooApp struct {
	Name         string
	Vuln, Secure string
	// Spec is the app's OpenAPI document for a scan: openapi.yaml in its
	// folder for Flask apps, the /openapi.json FastAPI serves otherwise
	// (one per variant, so Spec takes the variant's base URL).
	Spec func(base string) string
}

// Zoo is the running zoo.
type Zoo struct {
	Root string
	Apps []*ZooApp
}

// ZooUser is a seeded identity, the same in every zoo app
// (testbed/zoo/zoolib.py).
type ZooUser struct{ Name, Password, Role, Email string }

// ZooUsers are alice and bob (users) and carol (admin).
var ZooUsers = []ZooUser{
	{"alice", "wonderland-zoo", "user", "alice@example.com"},
	{"bob", "builder-zoo", "user", "bob@example.com"},
	{"carol", "admin-carol-zoo", "admin", "carol@example.com"},
}

// zooLogins says how a user logs in to each app, as a user's scan config
// would: the login request and where the credential is in its answer.
var zooLogins = map[string]func(u ZooUser) *rampart.Login{
	"wiki": func(u ZooUser) *rampart.Login {
		return &rampart.Login{Method: "POST", URL: "/login", JSON: creds("username", u), Cookies: []string{"session"}}
	},
	"bank": func(u ZooUser) *rampart.Login {
		return &rampart.Login{Method: "POST", URL: "/auth/login", JSON: creds("username", u),
			Token: &rampart.TokenSource{From: "body", Path: "data.access_token"}}
	},
	"shop": func(u ZooUser) *rampart.Login {
		return &rampart.Login{Method: "POST", URL: "/login", JSON: creds("username", u),
			Token: &rampart.TokenSource{From: "body", Path: "access_token"}}
	},
	"clinic": func(u ZooUser) *rampart.Login {
		return &rampart.Login{Method: "POST", URL: "/auth", JSON: creds("email", u),
			Token: &rampart.TokenSource{From: "body", Path: "token"}}
	},
	"forum": func(u ZooUser) *rampart.Login {
		return &rampart.Login{Method: "POST", URL: "/session", JSON: creds("username", u),
			Token: &rampart.TokenSource{From: "header", Path: "X-Session-Token", Header: "X-Session-Token"}}
	},
	"tickets": func(u ZooUser) *rampart.Login {
		return &rampart.Login{Method: "POST", URL: "/auth/token", JSON: creds("username", u),
			Token: &rampart.TokenSource{From: "body", Path: "result.api_key", Header: "X-API-Key"}}
	},
	"wallet": func(u ZooUser) *rampart.Login {
		return &rampart.Login{Method: "POST", URL: "/login", JSON: creds("username", u),
			Token: &rampart.TokenSource{From: "body", Path: "data.token"}}
	},
	"gateway": func(u ZooUser) *rampart.Login {
		return &rampart.Login{Method: "POST", URL: "/login", JSON: creds("username", u),
			Token: &rampart.TokenSource{From: "body", Path: "auth.jwt"}}
	},
	"hr": func(u ZooUser) *rampart.Login {
		return &rampart.Login{Method: "POST", URL: "/login", JSON: creds("email", u),
			Token: &rampart.TokenSource{From: "body", Path: "result.token"}}
	},
	"library": func(u ZooUser) *rampart.Login {
		return &rampart.Login{Method: "POST", URL: "/login",
			Form: map[string]string{"username": u.Name, "password": u.Password}, Cookies: []string{"library_session"}}
	},
}

// fastAPI apps serve their own spec; the others ship openapi.yaml.
var fastAPI = map[string]bool{"bank": true, "shop": true, "wallet": true, "hr": true}

// FastAPI reports whether the app is a FastAPI one (the others are Flask).
func (a *ZooApp) FastAPI() bool { return fastAPI[a.Name] }

func creds(userField string, u ZooUser) map[string]any {
	login := u.Name
	if userField == "email" {
		login = u.Email
	}
	return map[string]any{userField: login, "password": u.Password}
}

// ZooLogin is the login flow of user u on app.
func ZooLogin(app string, u ZooUser) *rampart.Login {
	f, ok := zooLogins[app]
	if !ok {
		panic("tbtest: no login flow for zoo app " + app)
	}
	return f(u)
}

// Identities returns alice, bob and carol with the app's login flow.
func (a *ZooApp) Identities() []rampart.Identity {
	var ids []rampart.Identity
	for _, u := range ZooUsers {
		ids = append(ids, rampart.Identity{Name: u.Name, Role: u.Role, Login: ZooLogin(a.Name, u)})
	}
	return ids
}

// ZooAppNames lists the apps: the folders of testbed/zoo that hold a
// groundtruth.json, sorted.
func ZooAppNames(t testing.TB, root string) []string {
	t.Helper()
	matches, err := filepath.Glob(filepath.Join(root, "testbed", "zoo", "*", "groundtruth.json"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range matches {
		names = append(names, filepath.Base(filepath.Dir(m)))
	}
	sort.Strings(names)
	if len(names) == 0 {
		t.Fatal("no testbed/zoo/*/groundtruth.json")
	}
	return names
}

// RequireZoo returns the running zoo. Without it the test fails when CI is
// set (CI must bring it up) and is skipped otherwise.
func RequireZoo(t testing.TB) *Zoo {
	t.Helper()
	z := &Zoo{Root: Root(t)}
	var err error
	for _, name := range ZooAppNames(t, z.Root) {
		if _, ok := zooLogins[name]; !ok {
			t.Fatalf("zoo app %s has no login flow in internal/tbtest", name)
		}
		env := "ZOO_" + strings.ToUpper(name)
		a := &ZooApp{Name: name, Vuln: strings.TrimRight(os.Getenv(env+"_URL"), "/"),
			Secure: strings.TrimRight(os.Getenv(env+"_SECURE_URL"), "/")}
		if fastAPI[name] {
			a.Spec = func(base string) string { return base + "/openapi.json" }
		} else {
			spec := filepath.Join(z.Root, "testbed", "zoo", name, "openapi.yaml")
			a.Spec = func(string) string { return spec }
		}
		z.Apps = append(z.Apps, a)
		if err != nil {
			continue
		}
		if a.Vuln == "" || a.Secure == "" {
			err = fmt.Errorf(`zoo not configured (no %s_URL): run eval "$(testbed/up)" first`, env)
			continue
		}
		for _, u := range []string{a.Vuln, a.Secure} {
			if e := reachable(z.Root, "zoo.lock", u+"/"); e != nil {
				err = fmt.Errorf("zoo app %s not reachable: %v", name, e)
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
	return z
}

// App returns the app named name.
func (z *Zoo) App(t testing.TB, name string) *ZooApp {
	t.Helper()
	for _, a := range z.Apps {
		if a.Name == name {
			return a
		}
	}
	t.Fatalf("no zoo app %s", name)
	return nil
}

// Lock holds the zoo for the rest of the test: test packages that scan or
// change its apps take it so they never overlap. It is not the testbed's
// lock: the twins' tests and the zoo's run side by side.
func (z *Zoo) Lock(t testing.TB) {
	t.Helper()
	f, err := os.OpenFile(lockPath(z.Root, "zoo.lock"), os.O_CREATE|os.O_RDWR, 0o600)
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

// Reset reseeds and restarts the named apps, both variants (all apps
// without names): testbed/reset zoo APP...; call it with the lock held.
func (z *Zoo) Reset(t testing.TB, apps ...string) {
	t.Helper()
	cmd := exec.Command(filepath.Join(z.Root, "testbed", "reset"), append([]string{"zoo"}, apps...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("testbed/reset zoo %s: %v\n%s", strings.Join(apps, " "), err, out)
	}
}

// GroundTruth reads testbed/zoo/APP/groundtruth.json.
func (z *Zoo) GroundTruth(t testing.TB, app string) []Entry {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(z.Root, "testbed", "zoo", app, "groundtruth.json"))
	if err != nil {
		t.Fatal(err)
	}
	var es []Entry
	if err := json.Unmarshal(data, &es); err != nil {
		t.Fatalf("%s/groundtruth.json: %v", app, err)
	}
	return es
}
