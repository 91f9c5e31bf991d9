package scan

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/inputfile"
	"github.com/rampart-sec/rampart/internal/surface"
)

// loadSurface reads the spec the user named, or looks for one on the
// target, or learns operations by following links. It says where the
// surface came from, and what went wrong on the way that the report should
// mention.
func loadSurface(ctx context.Context, c *engine.Client, target *url.URL, opt Options) (*surface.Surface, string, []string, error) {
	spec := opt.Spec
	fetch := func(ctx context.Context, u string) ([]byte, error) {
		resp, err := c.Do(ctx, &engine.Request{Method: "GET", URL: u})
		if err != nil {
			return nil, err
		}
		if resp.Status != 200 {
			return nil, fmt.Errorf("GET %s: status %d", u, resp.Status)
		}
		if resp.Truncated {
			return nil, fmt.Errorf("GET %s: larger than --max-body", u)
		}
		return resp.Body, nil
	}
	if spec == "" {
		get := func(ctx context.Context, u string) (int, http.Header, []byte, error) {
			resp, err := c.Do(ctx, &engine.Request{Method: "GET", URL: u})
			if err != nil {
				return 0, nil, nil, err
			}
			return resp.Status, resp.Header, resp.Body, nil
		}
		d, err := surface.Discover(ctx, target, get)
		switch {
		case errors.Is(err, surface.ErrNothingLearned):
			return nil, "", nil, fmt.Errorf("%w: give --spec (a file or a URL), or --source", err)
		case err != nil:
			return nil, "", nil, fmt.Errorf("%w: no spec given and none found: %v", ErrUnreachable, err)
		}
		return d.Surface, d.Where, d.Notes, nil
	}
	if strings.HasPrefix(spec, "http://") || strings.HasPrefix(spec, "https://") {
		if !c.InScope(spec) {
			return nil, "", nil, configErr("--spec %s is not on the target's host: add its host with --scope, or download it and pass the file", spec)
		}
		data, err := fetch(ctx, spec)
		if err != nil {
			return nil, "", nil, fmt.Errorf("%w: fetch spec: %v", ErrUnreachable, unwrapNet(err))
		}
		s, err := surface.Load(ctx, surface.Source{URL: spec, Data: data, Fetch: fetch, Strict: opt.StrictSpec})
		if err != nil {
			return nil, "", nil, specErr(err)
		}
		return s, "spec " + spec, nil, nil
	}
	if _, err := inputfile.Stat(spec, inputfile.MaxSpec); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, "", nil, configErr("--spec %s: no such file", spec)
		}
		return nil, "", nil, configErr("--spec %v", err)
	}
	s, err := surface.Load(ctx, surface.Source{Path: spec, Fetch: fetch, RefsOutside: opt.SpecRefsOutside, Strict: opt.StrictSpec})
	if err != nil {
		return nil, "", nil, specErr(err)
	}
	return s, "spec " + spec, nil, nil
}

// specWarnings puts what Rampart repaired in the spec into the report, and
// says so at once: a scan of a sloppy spec must say it read it differently.
func specWarnings(rep *rampart.Report, opt Options, s *surface.Surface, target *url.URL) {
	ws := s.Warnings
	if w, ok := s.ServerWarning(target); ok {
		ws = append(ws, w)
	}
	if len(ws) == 0 {
		return
	}
	rep.InputWarnings = append(rep.InputWarnings, ws...)
	problems := "problems"
	if len(ws) == 1 {
		problems = "problem"
	}
	note(rep, opt, fmt.Sprintf("the spec had %d %s Rampart repaired or worked around; see input warnings (--strict-spec refuses such a spec)", len(ws), problems))
}

// specErr is the error for a --spec that does not load; the caller's
// context error passes through untouched, so an interrupt stays one.
func specErr(err error) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	if errors.Is(err, surface.ErrStrict) {
		return configErr("%v (refused by --strict-spec; without it Rampart repairs this and says so in the report)", err)
	}
	if errors.Is(err, surface.ErrRefOutside) {
		return configErr("%v: pass --spec-refs-outside to let the spec's $refs read files outside its folder", err)
	}
	return &ConfigError{Err: err}
}

// note adds msg to the report's notes and shows it at once.
func note(rep *rampart.Report, opt Options, msg string) {
	rep.Notes = append(rep.Notes, msg)
	if opt.OnNote != nil {
		opt.OnNote(msg)
	}
}
