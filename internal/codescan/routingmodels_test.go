package codescan

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// The same handler bodies, routed by each model Rampart understands, must
// give the same routes and the same route-level findings (BOLA, BFLA,
// missing authentication, rate limit) as with @app.route.

const modelAuth = `from functools import wraps

from flask import abort, session


def signed_in(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if session.get("user_id") is None:
            abort(401)
        return view(*args, **kwargs)
    return wrapper
`

// The bodies, by name: each model wraps them in its own way. {{self}} is
// "self, " in methods.
var modelBodies = map[string]string{
	// BOLA: an object read by its id with no owner filter.
	"order": `    rows = query("SELECT id, total FROM orders WHERE id = %s", (order_id,))
    return jsonify(rows)
`,
	// BFLA: an admin route that only checks the login.
	"users": `    return jsonify(query("SELECT id, email, role FROM users ORDER BY id"))
`,
	// Missing authentication: a write with no login at all.
	"wipe": `    execute("DELETE FROM orders WHERE id = %s", (order_id,))
    return "", 204
`,
	// Rate limit: a password check with nothing limiting attempts.
	"login": `    data = request.get_json()
    rows = query("SELECT id, password_hash FROM users WHERE email = %s", (data["email"],))
    if not rows or not check_password_hash(rows[0][1], data["password"]):
        abort(401)
    session["user_id"] = rows[0][0]
    return jsonify({"ok": True})
`,
}

const modelImports = `from flask import abort, jsonify, request, session
from werkzeug.security import check_password_hash

from shop.auth import signed_in
from shop.db import execute, query
`

func indent(s, by string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(s, "\n") {
		if strings.TrimSpace(l) != "" {
			b.WriteString(by)
		}
		b.WriteString(l)
	}
	return b.String()
}

type modelCase struct {
	name  string
	files map[string]string
}

func routingModelCases() []modelCase {
	body := modelBodies
	fn := func(dec, name, params string) string {
		return dec + "def " + name + "(" + params + "):\n" + body[strings.TrimSuffix(name, "_view")]
	}
	method := func(dec, verb, key, params string) string {
		return indent(dec+"def "+verb+"(self"+params+"):\n"+body[key], "    ")
	}
	return []modelCase{
		{"app.route", map[string]string{
			"shop/app.py": "from flask import Flask\n" + modelImports + "\napp = Flask(__name__)\n\n\n" +
				fn("@app.get(\"/orders/<int:order_id>\")\n@signed_in\n", "order", "order_id") + "\n\n" +
				fn("@app.get(\"/admin/users\")\n@signed_in\n", "users", "") + "\n\n" +
				fn("@app.delete(\"/orders/<int:order_id>\")\n", "wipe", "order_id") + "\n\n" +
				fn("@app.post(\"/login\")\n", "login", ""),
		}},
		{"blueprint add_url_rule, nested, view in another module", map[string]string{
			"shop/app.py": "from flask import Blueprint, Flask\n\nfrom shop import views\n\napp = Flask(__name__)\n" +
				"api = Blueprint(\"api\", __name__, url_prefix=\"/ignored\")\nshop_bp = Blueprint(\"shop\", __name__)\n" +
				"shop_bp.add_url_rule(\"/orders/<int:order_id>\", view_func=views.order, methods=[\"GET\"])\n" +
				"shop_bp.add_url_rule(\"/admin/users\", view_func=views.users)\n" +
				"shop_bp.add_url_rule(\"/orders/<int:order_id>\", view_func=views.wipe, methods=[\"DELETE\"])\n" +
				"shop_bp.add_url_rule(\"/login\", view_func=views.login, methods=[\"POST\"])\n" +
				"api.register_blueprint(shop_bp, url_prefix=\"/shop\")\n" +
				"app.register_blueprint(api, url_prefix=\"/v1\")\n",
			"shop/views.py": modelImports + "\n\n" + fn("@signed_in\n", "order", "order_id") + "\n\n" +
				fn("@signed_in\n", "users", "") + "\n\n" + fn("", "wipe", "order_id") + "\n\n" + fn("", "login", ""),
		}},
		{"MethodView and View", map[string]string{
			"shop/app.py": "from flask import Flask\n\nfrom shop.views import LoginView, OrderAPI, UsersView\n\napp = Flask(__name__)\n" +
				"app.add_url_rule(\"/v1/shop/orders/<int:order_id>\", view_func=OrderAPI.as_view(\"order\"))\n" +
				"app.add_url_rule(\"/v1/shop/admin/users\", view_func=UsersView.as_view(\"users\"))\n" +
				"app.add_url_rule(\"/v1/shop/login\", view_func=LoginView.as_view(\"login\"), methods=[\"POST\"])\n",
			"shop/views.py": "from flask.views import MethodView, View\n" + modelImports + "\n\n" +
				"class Base(MethodView):\n    decorators = [signed_in]\n\n\n" +
				"class OrderAPI(MethodView):\n" + method("@signed_in\n", "get", "order", ", order_id") + "\n" +
				method("", "delete", "wipe", ", order_id") + "\n\n" +
				"class UsersView(View):\n    decorators = [signed_in]\n\n" + method("", "dispatch_request", "users", "") + "\n\n" +
				"class LoginView(MethodView):\n" + method("", "post", "login", ""),
		}},
		{"Flask-RESTful Resource", map[string]string{
			"shop/app.py": "from flask import Blueprint, Flask\nfrom flask_restful import Api\n\nfrom shop.resources import Login, Order, Users\n\n" +
				"app = Flask(__name__)\nbp = Blueprint(\"v1\", __name__, url_prefix=\"/v1\")\napi = Api(bp, prefix=\"/shop\")\n" +
				"api.add_resource(Order, \"/orders/<int:order_id>\")\napi.add_resource(Users, \"/admin/users\")\n" +
				"api.add_resource(Login, \"/login\")\napp.register_blueprint(bp)\n",
			"shop/resources.py": "from flask_restful import Resource\n" + modelImports + "\n\n" +
				"class Order(Resource):\n    method_decorators = {\"get\": [signed_in]}\n\n" +
				method("", "get", "order", ", order_id") + "\n" + method("", "delete", "wipe", ", order_id") + "\n\n" +
				"class Users(Resource):\n    method_decorators = [signed_in]\n\n" + method("", "get", "users", "") + "\n\n" +
				"class Login(Resource):\n" + method("", "post", "login", ""),
		}},
		{"flask-restx namespaces", map[string]string{
			"shop/app.py": "from flask import Flask\nfrom flask_restx import Api\n\nfrom shop.resources import admin_ns\n\n" +
				"app = Flask(__name__)\napi = Api(app, prefix=\"/v1\")\napi.add_namespace(admin_ns, path=\"/shop/admin\")\n" +
				"import shop.orders  # noqa: the namespace's routes\n",
			"shop/orders.py": "from flask_restx import Resource\n" + modelImports + "from shop.app import api\n\n" +
				"ns = api.namespace(\"shop\")\n\n\n" +
				"@ns.route(\"/orders/<int:order_id>\")\nclass Order(Resource):\n" + method("@signed_in\n", "get", "order", ", order_id") + "\n" +
				method("", "delete", "wipe", ", order_id") + "\n\n" +
				"@ns.route(\"/login\")\nclass Login(Resource):\n" + method("", "post", "login", ""),
			"shop/resources.py": "from flask_restx import Namespace, Resource\n" + modelImports + "\n" +
				"admin_ns = Namespace(\"admin\", decorators=[signed_in])\n\n\n" +
				"@admin_ns.route(\"/users\")\nclass Users(Resource):\n" + method("", "get", "users", ""),
		}},
		{"connexion operationId", map[string]string{
			"shop/app.py": "import connexion\n\napp = connexion.App(__name__, specification_dir=\"spec\")\napp.add_api(\"api.yaml\", base_path=\"/v1/shop\")\n",
			"shop/spec/api.yaml": `openapi: 3.0.0
info: {title: shop, version: "1"}
servers: [{url: "http://localhost/ignored"}]
security: [{cookie: []}]
components:
  securitySchemes:
    cookie: {type: apiKey, in: cookie, name: session}
paths:
  /orders/{order_id}:
    parameters:
      - {name: order_id, in: path, required: true, schema: {type: integer}}
    x-openapi-router-controller: shop.handlers
    get: {operationId: order, responses: {"200": {description: ok}}}
    delete: {operationId: wipe, security: [], responses: {"204": {description: ok}}}
  /admin/users:
    get: {operationId: shop.handlers.users, responses: {"200": {description: ok}}}
  /login:
    post:
      operationId: shop.handlers.login
      security: []
      requestBody: {content: {application/json: {schema: {type: object}}}}
      responses: {"200": {description: ok}}
`,
			"shop/handlers.py": modelImports + "\n\n" + fn("", "order", "order_id") + "\n\n" + fn("", "users", "") + "\n\n" +
				fn("", "wipe", "order_id") + "\n\n" + fn("", "login", ""),
		}},
	}
}

func TestRoutingModelsSameFindings(t *testing.T) {
	want := map[string]string{
		"GET /v1/shop/orders/{order_id}":    "PY-BOLA-001",
		"GET /v1/shop/admin/users":          "PY-BFLA-001",
		"DELETE /v1/shop/orders/{order_id}": "PY-AUTH-001",
		"POST /v1/shop/login":               "PY-RATE-001",
	}
	// The same database helpers as the blueprints project's.
	modelDB, err := os.ReadFile("testdata/projects/blueprints/shop/db.py")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range routingModelCases() {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			files := map[string]string{"shop/__init__.py": "", "shop/db.py": string(modelDB), "shop/auth.py": modelAuth}
			for k, v := range c.files {
				files[k] = v
			}
			for name, src := range files {
				p := filepath.Join(dir, filepath.FromSlash(name))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			res, err := Analyze(context.Background(), dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			// The baseline serves at the root: its paths are compared
			// without the prefix the others put in front.
			prefix := "/v1/shop"
			if c.name == "app.route" {
				prefix = ""
			}
			var routes []string
			for _, r := range res.Routes {
				routes = append(routes, r.Method+" /v1/shop"+strings.TrimPrefix(r.Path, prefix))
			}
			sort.Strings(routes)
			var wantRoutes []string
			for k := range want {
				wantRoutes = append(wantRoutes, k)
			}
			sort.Strings(wantRoutes)
			if !reflect.DeepEqual(routes, wantRoutes) {
				t.Errorf("routes:\n got %q\nwant %q", routes, wantRoutes)
			}
			got := map[string]string{}
			for _, f := range res.Findings {
				switch f.Check {
				case "PY-BOLA-001", "PY-BFLA-001", "PY-AUTH-001", "PY-RATE-001":
					key := f.Location.Method + " /v1/shop" + strings.TrimPrefix(f.Location.Path, prefix)
					if got[key] != "" {
						got[key] += ","
					}
					got[key] += f.Check
				}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("route-level findings:\n got %v\nwant %v", got, want)
				for _, f := range res.Findings {
					t.Logf("%s %s %s %s:%d %s", f.Check, f.Location.Method, f.Location.Path, f.Location.File, f.Location.Line, f.Message)
				}
			}
		})
	}
}
