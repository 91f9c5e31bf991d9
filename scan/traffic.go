package scan

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/apimodel"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/identity"
	"github.com/rampart-sec/rampart/internal/inputfile"
	"github.com/rampart-sec/rampart/internal/surface"
	"github.com/rampart-sec/rampart/internal/traffic"
)

// HARIdentity says that a HAR file was recorded as an identity
// (--har-identity NAME:ROLE=FILE): the credentials it carries are that
// identity's, and its requests are surface like any --har file's.
type HARIdentity struct {
	Name, Role, File string
}

// recordings is the traffic a scan was given, read and stripped of
// credentials before any request is sent.
type recordings struct {
	recs []*traffic.Recording
	// who names the identity each recording was made as; "" for a plain
	// --har or --postman file.
	who map[*traffic.Recording]string
	// setBy is, per identity, the recorded exchange whose answer set each
	// cookie of its session.
	setBy map[string]map[string]*traffic.Exchange
}

// readRecordings reads the --har, --postman and --har-identity files. A
// --har-identity file's session becomes an identity, unless --identity
// names that identity already (then the explicit credentials win). It
// returns nil when the scan was given no recording.
func readRecordings(ctx context.Context, opt *Options, target *url.URL) (*recordings, error) {
	if len(opt.HAR)+len(opt.Postman)+len(opt.HARIdentities) == 0 {
		return nil, nil
	}
	r := &recordings{who: map[*traffic.Recording]string{}, setBy: map[string]map[string]*traffic.Exchange{}}
	read := func(flag, path string) ([]byte, error) {
		data, err := inputfile.ReadContext(ctx, path, inputfile.MaxRecord)
		switch {
		case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
			return nil, err
		case errors.Is(err, os.ErrNotExist):
			return nil, configErr("%s %s: no such file", flag, path)
		case err != nil:
			return nil, configErr("%s %v", flag, err)
		}
		return data, nil
	}
	parse := func(flag, path string) (*traffic.Recording, error) {
		data, err := read(flag, path)
		if err != nil {
			return nil, err
		}
		var rec *traffic.Recording
		if flag == "--postman" {
			rec, err = traffic.ParsePostman(path, data, traffic.PostmanOptions{Base: target})
		} else {
			rec, err = traffic.ParseHAR(path, data)
		}
		if err != nil {
			return nil, configErr("%s %w", flag, err)
		}
		return rec, nil
	}
	for _, hi := range opt.HARIdentities {
		rec, err := parse("--har-identity", hi.File)
		if err != nil {
			return nil, err
		}
		sess, setBy := traffic.SessionOrigins(rec)
		if len(sess) == 0 {
			return nil, configErr("--har-identity %s: %s carries no credentials (no Authorization, API-key header or cookie): record it while logged in as %s", hi.Name, hi.File, hi.Name)
		}
		given := -1
		for i, id := range opt.Identities {
			if id.Name == hi.Name {
				given = i
			}
		}
		switch {
		case given < 0:
			opt.Identities = append(opt.Identities, rampart.Identity{Name: hi.Name, Role: hi.Role, Headers: sess})
		case opt.Identities[given].Role != hi.Role:
			return nil, configErr("--har-identity %s: role %s, but --identity gave it role %s", hi.Name, hi.Role, opt.Identities[given].Role)
		}
		r.who[rec] = hi.Name
		r.setBy[hi.Name] = setBy
		r.recs = append(r.recs, rec)
	}
	for _, p := range opt.HAR {
		rec, err := parse("--har", p)
		if err != nil {
			return nil, err
		}
		r.recs = append(r.recs, rec)
	}
	for _, p := range opt.Postman {
		rec, err := parse("--postman", p)
		if err != nil {
			return nil, err
		}
		r.recs = append(r.recs, rec)
	}
	for _, rec := range r.recs {
		secrets := traffic.StripAll(rec, r.who[rec] != "")
		if len(secrets) > 0 && opt.Redactor != nil {
			opt.Redactor.Add("recorded credentials of "+filepath.Base(rec.File), func() []string { return secrets })
		}
	}
	return r, nil
}

// files names the recordings for the report's note on the surface.
func (r *recordings) files() string {
	var names []string
	for _, rec := range r.recs {
		names = append(names, rec.File)
	}
	return strings.Join(names, ", ")
}

// surfaceOrTraffic loads the spec or discovers one; a scan given
// recordings and no spec takes the recordings as its whole surface
// instead of discovering.
func surfaceOrTraffic(ctx context.Context, c *engine.Client, target *url.URL, opt Options, rs *recordings) (*surface.Surface, string, []string, error) {
	if rs != nil && opt.Spec == "" {
		return &surface.Surface{}, "recorded traffic " + rs.files(), nil, nil
	}
	return loadSurface(ctx, c, target, opt)
}

// addTraffic reads the recordings' in-scope requests into operations: the
// spec's operations win, the recordings add those it lacks and examples to
// those it has. It returns the exchanges the model is to learn from.
func addTraffic(rep *rampart.Report, surf *surface.Surface, rs *recordings, c *engine.Client, base *url.URL) []traffic.Use {
	if rs == nil {
		return nil
	}
	for _, rec := range rs.recs {
		rep.InputWarnings = append(rep.InputWarnings, rec.Warnings...)
	}
	built := traffic.Build(rs.recs, base, c.InScope)
	rep.InputWarnings = append(rep.InputWarnings, built.Warnings...)
	spec := len(surf.Operations)
	var added int
	surf.Operations, added = mergeTraffic(surf.Operations, built.Operations)
	msg := fmt.Sprintf("recorded traffic: %d requests in scope, %d operations", len(built.Uses), len(built.Operations))
	if spec > 0 {
		msg += fmt.Sprintf(" (%d not in the spec)", added)
	}
	rep.Notes = append(rep.Notes, msg)
	return built.Uses
}

// mergeTraffic adds the recorded operations the surface lacks; one it has
// (the same route, whatever its parameters are called) gives it examples
// instead. It returns the surface and how many it added.
func mergeTraffic(ops, recorded []*rampart.Operation) ([]*rampart.Operation, int) {
	// Only the spec's templates may claim a recorded word as their
	// parameter: two recorded routes (/reports/summary beside
	// /reports/{collection}) stay two.
	spec := ops[:len(ops):len(ops)]
	have := map[string]*rampart.Operation{}
	for _, op := range ops {
		have[routeKey(op.Method, op.Path)] = op
	}
	added := 0
	for _, op := range recorded {
		if known := matchOperation(have, spec, op); known != nil {
			addExamples(known, op)
			continue
		}
		have[routeKey(op.Method, op.Path)] = op
		ops = append(ops, op)
		added++
	}
	return ops, added
}

// matchOperation finds the surface's operation a recorded one is: the
// same template up to parameter names, or a template whose parameter
// stands where the recording had a word it could not tell from a route
// (/users/alice for /users/{username}).
func matchOperation(have map[string]*rampart.Operation, ops []*rampart.Operation, op *rampart.Operation) *rampart.Operation {
	if known := have[routeKey(op.Method, op.Path)]; known != nil {
		return known
	}
	segs := strings.Split(strings.TrimSuffix(op.Path, "/"), "/")
	for _, k := range ops {
		if k.Method != op.Method {
			continue
		}
		ks := strings.Split(strings.TrimSuffix(k.Path, "/"), "/")
		if len(ks) != len(segs) {
			continue
		}
		ok := true
		for i := range ks {
			if ks[i] != segs[i] && !templateParam.MatchString(ks[i]) {
				ok = false
				break
			}
		}
		if ok {
			return k
		}
	}
	return nil
}

// addExamples gives the spec's operation the recorded values it has no
// example for: path parameters by position, the others by name.
func addExamples(known, rec *rampart.Operation) {
	var recPath []rampart.Param
	for _, p := range rec.Params {
		if p.In == "path" {
			recPath = append(recPath, p)
		}
	}
	ks := strings.Split(known.Path, "/")
	rs := strings.Split(rec.Path, "/")
	for i := range known.Params {
		p := &known.Params[i]
		if p.Example != nil {
			continue
		}
		if p.In == "path" {
			for j := range ks {
				if j < len(rs) && ks[j] == "{"+p.Name+"}" {
					if rp := rec.Param("path", strings.Trim(rs[j], "{}")); rp != nil {
						p.Example = rp.Example
					}
				}
			}
			continue
		}
		if rp := rec.Param(p.In, p.Name); rp != nil {
			p.Example = rp.Example
		}
	}
	if known.Body != nil && rec.Body != nil && known.Body.Example == nil && known.Body.ContentType == rec.Body.ContentType {
		known.Body.Example = rec.Body.Example
	}
}

// observeTraffic hands the model the recorded answers, so that checks use
// the ids the recording showed. An exchange is the recording identity's
// when it carried credentials, anonymous's when it carried none; one a
// plain recording made with credentials that were stripped is nobody's
// Rampart knows, and is left out rather than credited to the wrong
// caller.
func observeTraffic(mdl *apimodel.Model, rs *recordings, uses []traffic.Use) {
	for _, u := range uses {
		x := u.Exchange
		if x.Status < 200 || x.Status > 299 || strings.Contains(x.URL.Path, "{") {
			continue
		}
		who := ""
		if x.Credentialed {
			who = rs.who[u.Recording]
			if who == "" {
				continue
			}
		}
		req := &engine.Request{Method: x.Method, URL: x.URL.String(), Header: x.Header, Body: x.Body, Identity: who}
		mdl.Observe(&engine.Response{
			Request: req, Method: x.Method, RequestURL: req.URL, URL: req.URL,
			Status: x.Status, Header: x.RespHeader, Body: x.RespBody,
		})
	}
}

// markCookieOrigins tells each identity made from a recording which
// operation set the cookies of its session, so that a flaw of a cookie is
// reported where the cookie comes from, as for a login flow's.
func markCookieOrigins(ids []*identity.Identity, rs *recordings, uses []traffic.Use) {
	if rs == nil {
		return
	}
	opOf := map[*traffic.Exchange]*rampart.Operation{}
	for _, u := range uses {
		opOf[u.Exchange] = u.Op
	}
	for _, id := range ids {
		for cookie, x := range rs.setBy[id.Name] {
			op := opOf[x]
			if op == nil {
				continue
			}
			if id.CookieOrigins == nil {
				id.CookieOrigins = map[string]rampart.Location{}
			}
			id.CookieOrigins[cookie] = rampart.Location{Method: op.Method, Path: op.Path}
		}
	}
}
