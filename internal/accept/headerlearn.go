package accept

import (
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/surface"
)

// Bounds of header learning: a few headers per operation, a few values
// each ("true", "True", "1" for a yes/no), then the API is taken at its word.
const (
	maxHeadersPerOp = 4
	maxHeaderTries  = 3
	maxGlobal       = 8
)

// Header is a header the API asked for on an operation, and the value
// the learner's requests carry.
type Header struct {
	Name  string
	Value string
	// Privileged: the name says it grants privilege (see Privileged).
	// Such a header is learned but neither put in the learner's requests
	// (Request) nor added to others (Carry) unless the sender is an
	// admin: a user's request with it is the test of BFLA-006, and no
	// other check's proof may depend on it.
	Privileged bool
	// Confirmed: an answer to a request carrying Value no longer
	// complained about the header.
	Confirmed bool
}

type hdrState struct {
	value      string
	cands      []string
	tries      int
	privileged bool
	confirmed  bool
}

// Headers lists the headers the API asked for on op, in name order.
func (l *Learner) Headers(op *rampart.Operation) []Header {
	st := l.state(op)
	st.mu.Lock()
	defer st.mu.Unlock()
	var out []Header
	for _, n := range sortedKeys(st.hdrs) {
		h := st.hdrs[n]
		if h.value == "" {
			continue
		}
		out = append(out, Header{Name: n, Value: h.value, Privileged: h.privileged, Confirmed: h.confirmed})
	}
	return out
}

// Global lists the headers every request of the API carries (confirmed
// on one operation, see Carry), by name.
func (l *Learner) Global() map[string]string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return maps.Clone(l.global)
}

// HasHeaders reports whether any answer of the scan asked for a header.
func (l *Learner) HasHeaders() bool { return l.anyHdr.Load() }

// Carry adds to h the headers every request for op should carry: those
// the API asked for on op, and those it confirmed on any operation
// (an API that wants X-Api-Version on one route wants it on all), never
// over a value h already has, and privileged ones only when privileged
// is set (the sender holds the privilege anyway). It returns the names it
// added.
func (l *Learner) Carry(op *rampart.Operation, h http.Header, privileged bool) []string {
	if !l.HasHeaders() || h == nil {
		return nil
	}
	var added []string
	set := func(n, v string) {
		if v == "" || len(h.Values(n)) > 0 || !Learnable(n) || (!privileged && Privileged(n)) {
			return
		}
		if freshName(n) {
			v = l.fresh()
		}
		h.Set(n, v)
		added = append(added, n)
	}
	if op != nil {
		for _, x := range l.Headers(op) {
			set(x.Name, x.Value)
		}
	}
	l.mu.Lock()
	global := make([][2]string, 0, len(l.global))
	for _, n := range sortedKeys(l.global) {
		global = append(global, [2]string{n, l.global[n]})
	}
	l.mu.Unlock()
	for _, g := range global {
		set(g[0], g[1])
	}
	return added
}

// Observe reads the answer to any request for op (not only the learner's
// own) for headers it says are missing or wrong, and remembers a value to
// try. sent is the header the request carried. It returns the names of
// the headers whose value changed: a request sent again with Carry (or
// built with Request) differs.
func (l *Learner) Observe(op *rampart.Operation, sent http.Header, resp *engine.Response) []string {
	if op == nil || resp == nil {
		return nil
	}
	st := l.state(op)
	st.mu.Lock()
	defer st.mu.Unlock()
	if resp.Status < 500 && resp.Status != http.StatusTooManyRequests {
		st.answered = true
	}
	l.takenSent(st, op, resp)
	if !MayNameHeader(resp.Body) && !l.HasHeaders() {
		return nil
	}
	changed, _ := l.headersFrom(st, op, sent, resp)
	return changed
}

// Answered reports whether any request for op got an answer Observe read
// (not a 5xx or 429): when none named a header, the API asks for none there.
func (l *Learner) Answered(op *rampart.Operation) bool {
	st := l.state(op)
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.answered
}

// ComplainsOf reports whether an answer says header name is missing or
// wrong, or that a header it carried is wrong without naming it.
func ComplainsOf(body []byte, name string) bool {
	for _, p := range HeaderProblems(body) {
		if p.Name == "" || strings.EqualFold(p.Name, name) || normName(p.Name) == normName(name) {
			return true
		}
	}
	return false
}

// headersFrom learns from one answer; st.mu is held. complained reports
// whether the answer named a header problem at all.
func (l *Learner) headersFrom(st *opState, op *rampart.Operation, sent http.Header, resp *engine.Response) (changed []string, complained bool) {
	if resp.Status >= 500 || resp.Status == http.StatusTooManyRequests {
		return nil, false
	}
	if sent == nil {
		sent = http.Header{}
	}
	problems := HeaderProblems(resp.Body)
	if len(problems) == 0 {
		// The answer moved away from the complaint: the values the
		// request carried are the ones the API wants.
		for n, h := range st.hdrs {
			if h.value != "" && !h.confirmed && sent.Get(n) == h.value {
				h.confirmed = true
				// A version or tenant header goes with every request of
				// the API; a yes/no flag (X-Debug) only where asked for.
				if !h.privileged && !booleanName(n) {
					l.confirmGlobal(n, h.value)
				}
			}
		}
		return nil, false
	}
	for _, p := range problems {
		name := p.Name
		if name == "" {
			// "Invalid header value": about the header being tried, when
			// the request carried it.
			name = st.trying
			if name == "" || sent.Get(name) == "" {
				continue
			}
		}
		if prm := paramCI(op, "header", name); prm != nil {
			name = prm.Name
		} else {
			name = http.CanonicalHeaderKey(name)
		}
		if !Learnable(name) {
			continue
		}
		if st.hdrs == nil {
			st.hdrs = map[string]*hdrState{}
		}
		h := st.hdrs[name]
		if h == nil {
			if len(st.hdrs) >= maxHeadersPerOp {
				continue
			}
			h = &hdrState{privileged: Privileged(name), cands: headerCandidates(op, name, p.Allowed)}
			st.hdrs[name] = h
			l.anyHdr.Store(true)
		} else if len(p.Allowed) > 0 {
			// The answer now says what it wants: those first.
			h.cands = append(append(slices.Clip(h.cands[:h.tries]), p.Allowed...), h.cands[h.tries:]...)
			h.cands = dedupeStrings(h.cands)
		}
		cur := sent.Get(name)
		if h.value != "" && cur == "" {
			// Known already (a request sent at the same time taught it): a
			// request that carries it differs.
			changed = append(changed, name)
			continue
		}
		if h.value != "" && cur != h.value {
			continue // the check chose its own value: nothing new
		}
		for h.tries < len(h.cands) && h.tries < maxHeaderTries {
			c := h.cands[h.tries]
			h.tries++
			if c != cur && len(c) <= maxValueLen {
				h.value, h.confirmed = c, false
				key := "header:" + name
				if _, known := st.fixes[key]; known || len(st.fixes) < maxFixes {
					st.fixes[key] = fix{v: c}
				}
				st.trying = name
				changed = append(changed, name)
				break
			}
		}
	}
	return changed, true
}

func (l *Learner) confirmGlobal(name, value string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.global == nil {
		l.global = map[string]string{}
	}
	if _, ok := l.global[name]; ok || len(l.global) < maxGlobal {
		l.global[name] = value
	}
}

// headerCandidates are the values to try for a header, best first: the
// spec's example, default and enum when it declares the header, the
// values the answer names, then what the name asks for (true, True, 1 for
// a yes/no; admin for a role), else a synthesised value.
func headerCandidates(op *rampart.Operation, name string, allowed []string) []string {
	var out []string
	if prm := paramCI(op, "header", name); prm != nil {
		if prm.Example != nil {
			out = append(out, surface.Format(prm.Example))
		}
		if s := prm.Schema; s != nil {
			if s.Example != nil {
				out = append(out, surface.Format(s.Example))
			}
			if s.Default != nil {
				out = append(out, surface.Format(s.Default))
			}
			for _, e := range s.Enum {
				out = append(out, surface.Format(e))
			}
		}
	}
	out = append(out, allowed...)
	switch {
	case booleanName(name):
		out = append(out, "true", "True", "1")
	case Privileged(name):
		out = append(out, "admin", "administrator", "root")
	case len(out) == 0:
		var s *rampart.Schema
		if prm := paramCI(op, "header", name); prm != nil {
			s = prm.Schema
		}
		out = append(out, surface.Format(surface.Value(s, name)), "1")
	}
	return dedupeStrings(out)
}

func dedupeStrings(in []string) []string {
	seen := map[string]bool{}
	out := in[:0:0]
	for _, s := range in {
		if s == "" || seen[s] {
			continue
		}
		seen[s] = true
		out = append(out, s)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
