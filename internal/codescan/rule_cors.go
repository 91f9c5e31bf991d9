package codescan

import (
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/pyast"
)

// CORS: the request's Origin reflected with credentials, by a hook or view
// (per analysis) or by flask-cors settings (met by the configuration walk,
// config.go, which calls corsConfig).

var corsFamily = family{name: "cors", rules: []*Rule{CORSReflect}, perAnalysis: (*fileState).checkCORS}

var CORSReflect = rule("PY-CORS-001", rampart.FamilyCORS, rampart.High, rampart.Firm, "CWE-942", "API8:2023", "",
	"Request Origin reflected in Access-Control-Allow-Origin",
	"the Origin header is echoed into Access-Control-Allow-Origin (with credentials)",
	"An after_request hook or view copies the request's Origin into Access-Control-Allow-Origin without "+
		"an allowlist, and allows credentials; or flask-cors runs with supports_credentials=True and any "+
		"origin. Any website can then read authenticated responses in the victim's browser.",
	"Compare the Origin with an allowlist of trusted origins before echoing it, or configure flask-cors with "+
		"an explicit `origins=[…]` list.")

func (f *fileState) checkCORS(a *analysis) {
	creds := false
	for _, h := range a.headers {
		if h.name == "access-control-allow-credentials" && strings.EqualFold(h.value, "true") {
			creds = true
		}
	}
	for _, h := range a.headers {
		if h.name != "access-control-allow-origin" || !h.v.has(lReq) || h.v.cnst {
			continue
		}
		c := f.add(CORSReflect, h.node, a, "the request's Origin is copied into Access-Control-Allow-Origin without an allowlist")
		if creds {
			c.msg += ", with Access-Control-Allow-Credentials: true: any site reads authenticated responses"
		} else {
			c.sev = rampart.Medium
		}
		c.key = "reflect"
	}
}

func (f *fileState) corsConfig(call pyast.ID) {
	t := f.t
	creds, ok := t.Bool(t.Kwarg(call, "supports_credentials"))
	if !ok || !creds {
		return
	}
	origins := t.Kwarg(call, "origins")
	if origins < 0 {
		origins = t.Kwarg(call, "origin")
	}
	any := origins < 0
	if list, ok := t.StringList(origins); ok {
		for _, o := range list {
			if o == "*" || o == ".*" || o == "^.*$" {
				any = true
			}
		}
	}
	if any {
		f.add(CORSReflect, call, nil, "flask-cors with supports_credentials=True and any origin reflects every Origin with credentials allowed").key = "flask-cors"
	}
}
