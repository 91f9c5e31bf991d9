package apimodel

import (
	"fmt"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
)

// TestMemoryBounds feeds a model far more than it may keep: it keeps at
// most maxPerField values per field of an operation, maxOpFields fields per
// operation, maxValues values in all, maxOrigins origins and maxSightings
// sightings per value, and maxPeople identities.
func TestMemoryBounds(t *testing.T) {
	const nOps = 1200
	var ops []*rampart.Operation
	for i := range nOps {
		ops = append(ops, &rampart.Operation{Method: "GET", Path: fmt.Sprintf("/r%d", i)})
	}
	m := New(Config{Surface: ops})
	// One answer with 200 ids per field and 300 fields: the tree keeps
	// maxItems items, the model maxPerField values per field.
	var b strings.Builder
	b.WriteString("[")
	for i := range 200 {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"id":%d`, 1000000+i)
		for f := range 300 {
			fmt.Fprintf(&b, `,"f%d_id":%d`, f, i*1000+f)
		}
		b.WriteString("}")
	}
	b.WriteString("]")
	m.Observe(ex{path: "/r0", who: "alice", body: b.String()}.response())
	m.mu.RLock()
	for k, n := range m.fields {
		if n > maxPerField {
			t.Errorf("%v: %d values", k, n)
		}
	}
	if n := m.opFlds["GET /r0"]; n > maxOpFields {
		t.Errorf("%d fields of one operation", n)
	}
	m.mu.RUnlock()

	// Many operations, each with its own values: the total is capped.
	for i := 1; i < nOps; i++ {
		var b strings.Builder
		b.WriteString("[")
		for j := range maxItems {
			if j > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, `{"id":"k-%d-%d"}`, i, j)
		}
		b.WriteString("]")
		m.Observe(ex{path: fmt.Sprintf("/r%d", i), who: "alice", body: b.String()}.response())
	}
	if n := m.Size(); n > maxValues {
		t.Errorf("%d values kept, bound %d", n, maxValues)
	}
	if m.dropped == 0 {
		t.Error("nothing dropped: the test does not reach the bound")
	}

	// One value seen everywhere by everyone.
	for i := range 100 {
		who := fmt.Sprintf("user%d", i)
		m.Observe(ex{path: fmt.Sprintf("/r%d", i%nOps), who: who, body: `[{"id":"shared-key"}]`}.response())
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	e := m.values["shared-key"]
	if e == nil {
		// The total bound may keep it out; then its origins are moot.
		t.Log("shared-key not kept (total bound)")
	} else if len(e.origins) > maxOrigins || len(e.seen) > maxSightings {
		t.Errorf("%d origins, %d sightings", len(e.origins), len(e.seen))
	}
	if len(m.people) > maxPeople {
		t.Errorf("%d people", len(m.people))
	}
}

// TestMemoryBoundsPerValue: a value met in many answers keeps maxOrigins
// origins and maxSightings sightings.
func TestMemoryBoundsPerValue(t *testing.T) {
	var ops []*rampart.Operation
	for i := range 50 {
		ops = append(ops, &rampart.Operation{Method: "GET", Path: fmt.Sprintf("/r%d", i)})
	}
	m := New(Config{Surface: ops})
	for i := range 100 {
		m.Observe(ex{path: fmt.Sprintf("/r%d", i%50), who: fmt.Sprintf("user%d", i), body: `[{"id":"shared-key"}]`}.response())
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	e := m.values["shared-key"]
	if e == nil {
		t.Fatal("not kept")
	}
	if len(e.origins) != maxOrigins || len(e.seen) != maxSightings {
		t.Errorf("%d origins (bound %d), %d sightings (bound %d)", len(e.origins), maxOrigins, len(e.seen), maxSightings)
	}
	if len(m.people) != maxPeople {
		t.Errorf("%d people, bound %d", len(m.people), maxPeople)
	}
}
