package scan

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/surface"
)

// loadSurface reads the spec the user named, or looks for one on the
// target, or learns operations by following links. It says where the
// surface came from.
func loadSurface(ctx context.Context, c *engine.Client, target *url.URL, spec string) (*surface.Surface, string, error) {
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
		get := func(ctx context.Context, u string) (int, string, []byte, error) {
			resp, err := c.Do(ctx, &engine.Request{Method: "GET", URL: u})
			if err != nil {
				return 0, "", nil, err
			}
			return resp.Status, resp.Header.Get("Content-Type"), resp.Body, nil
		}
		s, where, err := surface.Discover(ctx, target, get)
		if err != nil {
			return nil, "", fmt.Errorf("%w: no spec given and none found: %v", ErrUnreachable, err)
		}
		return s, where, nil
	}
	if strings.HasPrefix(spec, "http://") || strings.HasPrefix(spec, "https://") {
		if !c.InScope(spec) {
			return nil, "", configErr("--spec %s is not on the target's host: add its host with --scope, or download it and pass the file", spec)
		}
		data, err := fetch(ctx, spec)
		if err != nil {
			return nil, "", fmt.Errorf("%w: fetch spec: %v", ErrUnreachable, unwrapNet(err))
		}
		s, err := surface.Load(ctx, surface.Source{URL: spec, Data: data, Fetch: fetch})
		if err != nil {
			return nil, "", &ConfigError{Err: err}
		}
		return s, "spec " + spec, nil
	}
	if _, err := os.Stat(spec); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, "", configErr("--spec %s: no such file", spec)
		}
		return nil, "", configErr("--spec %s: %v", spec, err)
	}
	s, err := surface.Load(ctx, surface.Source{Path: spec, Fetch: fetch})
	if err != nil {
		return nil, "", &ConfigError{Err: err}
	}
	return s, "spec " + spec, nil
}
