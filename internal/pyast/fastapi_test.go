package pyast

import (
	"reflect"
	"strings"
	"testing"
)

const fastapiHead = `from typing import Annotated, Optional
from uuid import UUID
from fastapi import APIRouter, Depends, FastAPI, Header, Cookie, Query, Request, Security, BackgroundTasks
from fastapi.security import HTTPBearer, OAuth2PasswordBearer
from pydantic import BaseModel
import jwt

oauth2 = OAuth2PasswordBearer(tokenUrl="token")

def get_db():
    yield None

def caller(token: str = Depends(oauth2)):
    return lookup(token)

def active(user=Depends(caller)):
    if user.disabled:
        raise HTTPException(400)
    return user

def must_be_admin(user=Depends(active)):
    if user.role != "admin":
        raise HTTPException(403)

def from_header(authorization: str = Header(...)):
    return jwt.decode(authorization, KEY, algorithms=["HS256"])

class ItemIn(BaseModel):
    title: str
    owner_id: int
    KIND = "item"

class Open(BaseModel):
    name: str
    class Config:
        extra = "allow"

class Child(ItemIn):
    is_admin: bool = False

class Kw(BaseModel, extra=Extra.allow):
    nick: Optional[str] = None

class Plain(BaseModel):
    name: str
    model_config = {"extra": "forbid"}

Me = Annotated[dict, Depends(active)]
`

type fastRoute struct {
	Owner, Rule string
	Methods     []string
	Params      string // name:converter,…
	Deps        string // name=auth,…
}

func fastRoutes(t *testing.T, src string) (*Module, []fastRoute) {
	t.Helper()
	tree, err := Parse([]byte(fastapiHead + src))
	if err != nil {
		t.Fatal(err)
	}
	m := Flask(tree)
	var out []fastRoute
	for _, r := range m.Routes {
		var ps, ds []string
		for _, p := range r.Params {
			ps = append(ps, p.Name+":"+p.Converter)
		}
		for _, d := range r.Decorators {
			ds = append(ds, d.Name+"="+d.Auth.String())
		}
		out = append(out, fastRoute{r.Owner, r.Rule, r.Methods, strings.Join(ps, ","), strings.Join(ds, ",")})
	}
	return m, out
}

func TestFastAPIRoutes(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []fastRoute
	}{
		{"path params from the path and the signature", `
app = FastAPI()
@app.get("/items/{item_id}/files/{path:path}")
def read(item_id: int, path: str, q: Optional[str] = None):
    pass
`, []fastRoute{{"app", "/items/{item_id}/files/{path:path}", []string{"GET"}, "item_id:int,path:path", ""}}},
		{"uuid and untyped", `
app = FastAPI()
@app.delete("/e/{eid}/{name}")
def drop(eid: UUID, name):
    pass
`, []fastRoute{{"app", "/e/{eid}/{name}", []string{"DELETE"}, "eid:uuid,name:string", ""}}},
		{"api_route methods and router with an empty path", `
router = APIRouter(prefix="/things")
@router.api_route("/x", methods=["GET", "post"])
def both():
    pass
@router.get("")
def listing():
    pass
`, []fastRoute{
			{"router", "/x", []string{"GET", "POST"}, "", ""},
			{"router", "", []string{"GET"}, "", ""},
		}},
		{"dependencies: decorator, signature, Annotated, chains", `
app = FastAPI()
@app.post("/a", dependencies=[Depends(must_be_admin)])
def a(db=Depends(get_db)):
    pass
@app.get("/b")
def b(user=Depends(active)):
    pass
@app.get("/c")
def c(user: Me):
    pass
@app.get("/d")
def d(claims=Security(from_header)):
    pass
@app.get("/s")
def s(user=Security(active, scopes=["notes:write"])):
    pass
@app.get("/e", dependencies=[Depends(RoleChecker(["admin"]))])
def e(cred=Depends(HTTPBearer()), maybe=Depends(HTTPBearer(auto_error=False)), token=Depends(oauth2)):
    pass
`, []fastRoute{
			{"app", "/a", []string{"POST"}, "", "must_be_admin=role,get_db=none"},
			{"app", "/b", []string{"GET"}, "", "active=login"},
			{"app", "/c", []string{"GET"}, "", "active=login"},
			{"app", "/d", []string{"GET"}, "", "from_header=login"},
			{"app", "/s", []string{"GET"}, "", "active=role"},
			{"app", "/e", []string{"GET"}, "", "RoleChecker=role,HTTPBearer=login,HTTPBearer=optional,oauth2=login"},
		}},
		{"not a route", `
cache = make_cache()
@cache.get("key")
def cached():
    pass
`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, got := fastRoutes(t, tt.src)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("routes:\ngot  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestFastAPIParams(t *testing.T) {
	m, _ := fastRoutes(t, `
app = FastAPI()
@app.put("/items/{item_id}")
def put(item_id: int, body: ItemIn, request: Request, tasks: BackgroundTasks, q: str = Query(None),
        x_token: str = Header(None), session: str = Cookie(None), user=Depends(active), db=Depends(get_db),
        bearer=Depends(HTTPBearer()), limit: int = 10):
    pass

def helper(a, b):
    pass
`)
	want := map[string]ParamKind{"item_id": ParamPath, "body": ParamBody, "request": ParamRequest, "tasks": ParamOther,
		"q": ParamQuery, "x_token": ParamHeader, "session": ParamCookie, "user": ParamDepends, "db": ParamDepends,
		"bearer": ParamDepends, "limit": ParamQuery}
	r := m.Routes[len(m.Routes)-1]
	got := map[string]ParamKind{}
	for _, p := range m.FastAPIParams(r.Func) {
		got[p.Name] = p.Kind
		switch p.Name {
		case "user":
			if p.Dep != "active" || p.Scheme {
				t.Errorf("user: dep %q scheme %v", p.Dep, p.Scheme)
			}
		case "bearer":
			if !p.Scheme {
				t.Errorf("bearer: not a security scheme")
			}
		case "body":
			if p.Type != "ItemIn" {
				t.Errorf("body: type %q", p.Type)
			}
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("kinds:\ngot  %v\nwant %v", got, want)
	}
	if ps := m.FastAPIParams(m.Defs["helper"]); ps != nil {
		t.Errorf("a helper FastAPI does not call has FastAPI parameters: %+v", ps)
	}
	if ps := m.FastAPIParams(m.Defs["caller"]); len(ps) != 1 || !ps[0].Scheme {
		t.Errorf("caller's token is the scheme's credential: %+v", ps)
	}
}

func TestDependencyAuth(t *testing.T) {
	m, _ := fastRoutes(t, "")
	tests := map[string]AuthKind{
		"caller":        AuthLogin, // a security scheme's credential, and returns
		"active":        AuthLogin, // depends on caller
		"must_be_admin": AuthRole,  // compares the role and raises
		"from_header":   AuthLogin, // decodes the Authorization header
		"get_db":        AuthNone,
		"unknown_dep":   AuthNone,
	}
	for name, want := range tests {
		if got := m.DependencyAuth(name); got != want {
			t.Errorf("DependencyAuth(%s) = %v, want %v", name, got, want)
		}
	}
}

func TestPydanticModels(t *testing.T) {
	m, _ := fastRoutes(t, "")
	tests := []struct {
		name       string
		fields     []string
		privileged []string
		extra      bool
	}{
		{"ItemIn", []string{"title", "owner_id"}, []string{"owner_id"}, false},
		{"Open", []string{"name"}, nil, true},
		{"Child", []string{"title", "owner_id", "is_admin"}, []string{"owner_id", "is_admin"}, false},
		{"Kw", []string{"nick"}, nil, true},
		{"Plain", []string{"name"}, nil, false},
	}
	for _, tt := range tests {
		md := m.PydanticModel(tt.name)
		if md == nil {
			t.Errorf("%s: not a model", tt.name)
			continue
		}
		if !reflect.DeepEqual(md.Fields, tt.fields) || !reflect.DeepEqual(md.Privileged(), tt.privileged) || md.ExtraAllow != tt.extra {
			t.Errorf("%s: fields %v privileged %v extra %v; want %v %v %v", tt.name, md.Fields, md.Privileged(), md.ExtraAllow,
				tt.fields, tt.privileged, tt.extra)
		}
	}
	for _, name := range []string{"Me", "get_db", "Missing"} {
		if m.PydanticModel(name) != nil {
			t.Errorf("%s is not a model", name)
		}
	}
}

func TestFastAPIIncludes(t *testing.T) {
	m, _ := fastRoutes(t, `
from .routers import items
from .admin import router as admin_router
app = FastAPI(dependencies=[Depends(caller)])
app.include_router(items.router, prefix="/api")
app.include_router(admin_router, prefix="/admin", dependencies=[Depends(must_be_admin)])
`)
	var got []string
	for _, inc := range m.FastAPI.Includes {
		var deps []string
		for _, d := range inc.Deps {
			deps = append(deps, d.Name+"="+d.Auth.String())
		}
		got = append(got, inc.Owner+">"+inc.Qualifier+"."+inc.Router+"@"+inc.Prefix+"["+strings.Join(deps, ",")+"]")
	}
	want := []string{"app>items.router@/api[]", "app>.admin_router@/admin[must_be_admin=role]"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("includes:\ngot  %v\nwant %v", got, want)
	}
	if d := m.FastAPI.AppDeps["app"]; len(d) != 1 || d[0].Name != "caller" || d[0].Auth != AuthLogin {
		t.Errorf("app dependencies: %+v", d)
	}
}

func TestTemplateFastAPI(t *testing.T) {
	tests := map[string]string{
		"/items/{item_id}":            "/items/{item_id}",
		"/files/{file_path:path}":     "/files/{file_path}",
		"/notes/<int:note_id>":        "/notes/{note_id}",
		"/a/{x}/b/{y:path}/c/<int:z>": "/a/{x}/b/{y}/c/{z}",
	}
	for in, want := range tests {
		if got := Template(in); got != want {
			t.Errorf("Template(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPrivilegedField(t *testing.T) {
	for name, want := range map[string]bool{"role": true, "is_admin": true, "owner_id": true, "balance": true, "tenant_id": true,
		"title": false, "note_id": false, "username": false, "roles_description": false} {
		if PrivilegedField(name) != want {
			t.Errorf("PrivilegedField(%q) = %v", name, !want)
		}
	}
}

func TestFastAPIByShape(t *testing.T) {
	tests := []struct {
		src  string
		want bool
	}{
		{"from .public import public\n@public.get(\"/status/{code}\")\ndef status(code):\n    pass\n", true},
		{"from .public import public\n@public.get(\"/status\")\ndef status(verbose: bool = False):\n    pass\n", true},
		{"from . import bp\n@bp.get(\"/notes/<int:note_id>\")\ndef note(note_id):\n    pass\n", false},
		{"from . import bp\n@bp.get(\"/notes\")\ndef notes():\n    pass\n", false},
		{"from flask import request\nfrom . import bp\n@bp.get(\"/n/{x}\")\ndef n(x):\n    pass\n", false},
		{"cache = Cache()\n@cache.get(\"/k/{x}\")\ndef k(x):\n    pass\n", false},
	}
	for _, tt := range tests {
		tree, err := Parse([]byte(tt.src))
		if err != nil {
			t.Fatal(err)
		}
		m := Flask(tree)
		if got := m.FastAPI != nil; got != tt.want {
			t.Errorf("FastAPI model for\n%s= %v, want %v", tt.src, got, tt.want)
		}
	}
}

// An annotation naming a module-level alias is followed to what the alias
// names, a bounded number of times: an alias that names itself (found by
// FuzzParse: t = {"e": t}) recursed until the stack ran out.
func TestTypeNameAliases(t *testing.T) {
	m, _ := fastRoutes(t, `
app = FastAPI()
CurrentUser = Annotated[User, Depends(current)]
Loop = list[Loop]
A = B
B = A

@app.post("/a")
def a(user: CurrentUser, items: Loop, x: A):
    pass
`)
	got := map[string]string{}
	for _, p := range m.FastAPIParams(m.Routes[len(m.Routes)-1].Func) {
		got[p.Name] = p.Type
	}
	want := map[string]string{"user": "User", "items": "Loop", "x": "A"}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s: type %q, want %q", name, got[name], w)
		}
	}
}
