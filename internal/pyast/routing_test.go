package pyast

import (
	"reflect"
	"strings"
	"testing"
)

const routingSrc = `
import connexion
from flask import Flask, Blueprint
from flask.views import View
from flask_restx import Api, Namespace, Resource
from flask_restful import Api as RestfulApi
from resources import Remote

app = Flask(__name__)
bp = Blueprint("v1", __name__)
api = Api(bp, prefix="/api", decorators=[token_required])
ns = api.namespace("users", decorators=[audit_log])
other = Namespace("other", path="/o")
api.add_namespace(other, path="/elsewhere")
rest = RestfulApi()
rest.init_app(app)
db.init_app(app)
spec = connexion.App(__name__, specification_dir="openapi")
spec.add_api("api.yaml", base_path="/v3")
spec.add_api(SPEC_NAME)

class Base(Resource):
    method_decorators = {"delete": [admin_required]}

@ns.route("/<int:uid>", "/by-id/<int:uid>")
class User(Base):
    method_decorators = [login_required]

    def get(self, uid):
        pass

    def delete(self, uid):
        pass

    def helper(self):
        pass

class Export(View):
    methods = ["POST", "PUT"]
    decorators = [jwt_required()]

    def dispatch_request(self):
        pass

app.add_url_rule("/export", view_func=Export.as_view("export"))
rest.add_resource(Remote, "/remote/<int:id>")
app.add_url_rule("/fn", view_func=views.index, methods=["POST"])
`

func TestRoutingModels(t *testing.T) {
	m := parseModule(t, routingSrc)
	var mounts []string
	for _, mt := range m.Mounts {
		var decs []string
		for _, d := range mt.Decorators {
			decs = append(decs, d.Name+"="+d.Auth.String())
		}
		mounts = append(mounts, mt.Kind+" "+mt.Var+" on "+mt.Parent+" at "+mt.Prefix+" ["+strings.Join(decs, ",")+"]")
	}
	wantMounts := []string{
		"api api on bp at /api [token_required=login]",
		"namespace ns on api at /users [audit_log=none]",
		"namespace other on  at /o []",
		"api rest on  at  []",
	}
	if !reflect.DeepEqual(mounts, wantMounts) {
		t.Errorf("mounts:\n got %q\nwant %q", mounts, wantMounts)
	}
	var regs []string
	for _, r := range m.Registrations {
		regs = append(regs, r.Owner+" <- "+r.Blueprint+" "+r.URLPrefix)
	}
	if want := []string{"api <- other /elsewhere", "app <- rest "}; !reflect.DeepEqual(regs, want) {
		t.Errorf("registrations %q, want %q", regs, want)
	}
	if want := []SpecApp{{Var: "spec", SpecDir: "openapi"}}; !reflect.DeepEqual(m.SpecApps, want) {
		t.Errorf("spec apps %+v", m.SpecApps)
	}
	if len(m.SpecAPIs) != 1 || m.SpecAPIs[0].Spec != "api.yaml" || m.SpecAPIs[0].BasePath != "/v3" || !m.SpecAPIs[0].HasBase || m.SpecAPIs[0].Owner != "spec" {
		t.Errorf("add_api %+v", m.SpecAPIs)
	}
	var routes []string
	for _, r := range m.Routes {
		var decs []string
		for _, d := range r.Decorators {
			decs = append(decs, d.Name+"="+d.Auth.String())
		}
		routes = append(routes, strings.Join(r.Methods, ",")+" "+r.Owner+" "+r.Rule+" "+r.Name+" ["+strings.Join(decs, ",")+"]")
	}
	wantRoutes := []string{
		"POST app /export Export.dispatch_request [jwt_required=login]",
		"PUT app /export Export.dispatch_request [jwt_required=login]",
		"GET ns /<int:uid> User.get [token_required=login,audit_log=none,login_required=login]",
		"DELETE ns /<int:uid> User.delete [token_required=login,audit_log=none,admin_required=role,login_required=login]",
		"GET ns /by-id/<int:uid> User.get [token_required=login,audit_log=none,login_required=login]",
		"DELETE ns /by-id/<int:uid> User.delete [token_required=login,audit_log=none,admin_required=role,login_required=login]",
	}
	if !reflect.DeepEqual(routes, wantRoutes) {
		t.Errorf("routes:\n got %q\nwant %q", routes, wantRoutes)
	}
	var pending []string
	for _, p := range m.Pending {
		pending = append(pending, p.Owner+" "+p.Rule+" "+p.Target+" class="+map[bool]string{true: "yes", false: "no"}[p.Class]+" "+strings.Join(p.Methods, ","))
	}
	if want := []string{"rest /remote/<int:id> Remote class=yes ", "app /fn views.index class=no POST"}; !reflect.DeepEqual(pending, want) {
		t.Errorf("pending:\n got %q\nwant %q", pending, want)
	}
}

func TestRoutingNotRest(t *testing.T) {
	// Api and Namespace from elsewhere, and init_app of anything but an
	// Api, mount nothing.
	m := parseModule(t, `
from mylib import Api, Namespace
api = Api(app, prefix="/x")
ns = Namespace("n")
db.init_app(app)
`)
	if len(m.Mounts) != 0 || len(m.Registrations) != 0 {
		t.Errorf("mounts %+v, registrations %+v", m.Mounts, m.Registrations)
	}
}

func TestViewRoutesAndSpecRoute(t *testing.T) {
	m := parseModule(t, `
class Items(Resource):
    decorators = [login_required]
    def get(self, item_id):
        pass

@cache
def show(item_id):
    pass
`)
	rs := m.ViewRoutes(PendingView{Owner: "api", Rule: "/items/<int:item_id>", Target: "res.Items", Class: true}, m.Defs["Items"])
	if len(rs) != 1 || rs[0].Name != "Items.get" || rs[0].Node != m.Defs["Items"] || len(rs[0].Decorators) != 1 || rs[0].Params[0].Converter != "int" {
		t.Errorf("class view routes %+v", rs)
	}
	rs = m.ViewRoutes(PendingView{Rule: "/s/<item_id>", Target: "v.show"}, m.Defs["show"])
	if len(rs) != 1 || rs[0].Methods[0] != "GET" || rs[0].Name != "show" || rs[0].Decorators[0].Name != "cache" {
		t.Errorf("function view routes %+v", rs)
	}
	r := m.SpecRoute(m.Defs["show"], "PATCH", "/v1/s/<int:item_id>", []Decorator{{Name: "openapi_security", Auth: AuthLogin}})
	if r.Methods[0] != "PATCH" || r.Decorators[0].Auth != AuthLogin || len(r.Decorators) != 2 || r.Params[0].Name != "item_id" {
		t.Errorf("spec route %+v", r)
	}
}

func parseModule(t *testing.T, src string) *Module {
	t.Helper()
	tree, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return Flask(tree)
}
