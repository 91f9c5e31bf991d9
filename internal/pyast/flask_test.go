package pyast

import (
	"reflect"
	"strings"
	"testing"
)

const flaskSrc = `
from flask import Flask, Blueprint, g, session, request
from flask.views import MethodView
from flask_login import login_required, current_user
from flask_jwt_extended import jwt_required, get_jwt_identity
import jwt as pyjwt

app = Flask(__name__)
bp = Blueprint("notes", __name__, url_prefix="/notes")

def current_account():
    return g.user

def account_id():
    acct = current_account()
    return acct["id"] if acct else None

def token_claims(token):
    return pyjwt.decode(token, "k", algorithms=["HS256"])

def load(note_id):
    return {"id": note_id}

@app.route("/", methods=["GET", "POST"])
def index():
    return "ok"

@bp.get("/<int:note_id>")
@login_required
def get_note(note_id):
    return load(note_id)

@bp.delete("/<int:note_id>")
@jwt_required()
def delete_note(note_id):
    return "", 204

@app.patch("/optional")
@jwt_required(optional=True)
def optional():
    return ""

def listing():
    return []

app.add_url_rule("/listing", "listing", listing, methods=["GET"])

class NoteAPI(MethodView):
    decorators = [login_required]

    def get(self, note_id):
        return {}

    def put(self, note_id):
        return {}

    def helper(self):
        pass

app.add_url_rule("/api/notes/<int:note_id>", view_func=NoteAPI.as_view("note_api"))

@bp.before_request
def check():
    pass

@app.errorhandler(Exception)
def oops(e):
    return "no", 500

app.register_blueprint(bp, url_prefix="/v1/notes")

@cache.get("key")
def not_a_route():
    pass
`

func TestFlaskModel(t *testing.T) {
	tree, err := Parse([]byte(flaskSrc))
	if err != nil {
		t.Fatal(err)
	}
	m := Flask(tree)
	if len(m.Apps) != 1 || m.Apps[0].Var != "app" {
		t.Errorf("apps = %+v", m.Apps)
	}
	if len(m.Blueprints) != 1 || m.Blueprints[0].Var != "bp" || m.Blueprints[0].URLPrefix != "/notes" || m.Blueprints[0].Name != "notes" {
		t.Errorf("blueprints = %+v", m.Blueprints)
	}
	if len(m.Registrations) != 1 || m.Registrations[0].Blueprint != "bp" || m.Registrations[0].URLPrefix != "/v1/notes" || !m.Registrations[0].HasPrefix {
		t.Errorf("registrations = %+v", m.Registrations)
	}
	type route struct {
		Owner, Rule, Name string
		Methods           []string
		Auth              []string
	}
	var got []route
	for _, r := range m.Routes {
		var auth []string
		for _, d := range r.Decorators {
			auth = append(auth, d.Name+"="+d.Auth.String())
		}
		got = append(got, route{r.Owner, r.Rule, r.Name, r.Methods, auth})
	}
	want := []route{
		{"app", "/", "index", []string{"GET", "POST"}, nil},
		{"bp", "/<int:note_id>", "get_note", []string{"GET"}, []string{"login_required=login"}},
		{"bp", "/<int:note_id>", "delete_note", []string{"DELETE"}, []string{"jwt_required=login"}},
		{"app", "/optional", "optional", []string{"PATCH"}, []string{"jwt_required=optional"}},
		{"app", "/listing", "listing", []string{"GET"}, nil},
		{"app", "/api/notes/<int:note_id>", "NoteAPI.get", []string{"GET"}, []string{"login_required=login"}},
		{"app", "/api/notes/<int:note_id>", "NoteAPI.put", []string{"PUT"}, []string{"login_required=login"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("routes:\ngot  %+v\nwant %+v", got, want)
	}
	if p := m.Routes[1].Params; len(p) != 1 || p[0] != (Param{Name: "note_id", Converter: "int"}) {
		t.Errorf("params = %+v", p)
	}
	var hooks []string
	for _, h := range m.Hooks {
		hooks = append(hooks, h.Owner+"."+h.Kind)
	}
	if strings.Join(hooks, ",") != "bp.before_request,app.errorhandler" {
		t.Errorf("hooks = %v", hooks)
	}
	for _, name := range []string{"current_account", "account_id", "token_claims"} {
		if !m.IdentityHelper(name) {
			t.Errorf("%s is not an identity helper", name)
		}
	}
	if m.IdentityHelper("load") || m.IdentityHelper("listing") {
		t.Errorf("load and listing are not identity helpers")
	}
	if m.Imports["jwt_required"] != "flask_jwt_extended.jwt_required" || m.Imports["pyjwt"] != "jwt" {
		t.Errorf("imports = %v", m.Imports)
	}
}

func TestIdentitySources(t *testing.T) {
	tests := map[string]bool{
		"current_user":               true,
		"current_user.id":            true,
		"g.user":                     true,
		`g.user["id"]`:               true,
		"g.db":                       false,
		`session["user_id"]`:         true,
		`session.get("uid")`:         true,
		`session["cart"]`:            false,
		"get_jwt_identity()":         true,
		"get_jwt()":                  true,
		`jwt.decode(t, k)`:           true,
		"auth.current_user()":        true,
		`request.args["user_id"]`:    false,
		"user_id":                    false,
		"current_user.notes.first()": true,
	}
	for src, want := range tests {
		tree, _ := Parse([]byte(src))
		m := Flask(tree)
		e := tree.NamedChild(tree.NamedChild(tree.Root(), 0), 0)
		if got := m.IsIdentitySource(e); got != want {
			t.Errorf("IsIdentitySource(%s) = %v, want %v", src, got, want)
		}
	}
}

func TestClassifyAuth(t *testing.T) {
	tests := map[string]AuthKind{
		"login_required": AuthLogin, "jwt_required": AuthLogin, "token_required": AuthLogin, "auth_required": AuthLogin,
		"admin_required": AuthRole, "roles_required": AuthRole, "permission_required": AuthRole, "roles_accepted": AuthRole,
		"cached": AuthNone, "wraps": AuthNone, "limit": AuthNone, "": AuthNone,
	}
	for name, want := range tests {
		if got := ClassifyAuth(name); got != want {
			t.Errorf("ClassifyAuth(%q) = %v, want %v", name, got, want)
		}
	}
}
