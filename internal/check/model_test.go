package check

import (
	"net/url"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/apimodel"
	"github.com/rampart-sec/rampart/internal/engine"
)

// Every pass carries the scan's API model, and every unit's pass the same
// one; a pass built without one (a check's own test) gets an empty model
// of its surface rather than nil.
func TestPassCarriesTheModel(t *testing.T) {
	base, _ := url.Parse("http://127.0.0.1:1")
	c, err := engine.New(engine.Config{Base: base, Mode: rampart.Safe})
	if err != nil {
		t.Fatal(err)
	}
	ops := []*rampart.Operation{{Method: "GET", Path: "/notes/{id}"}}
	m := apimodel.New(apimodel.Config{Surface: ops, Base: base})
	p := NewPassFor(Env{Client: c, Surface: ops, Model: m}, func(rampart.Finding) {})
	u := p.ForUnit(&Check{Meta: rampart.Meta{ID: "T-001"}}, ops[0])
	if p.Model != m || u.Model != m {
		t.Error("the pass does not carry the scan's model")
	}
	empty := NewPassFor(Env{Client: c, Surface: ops}, func(rampart.Finding) {})
	if empty.Model == nil || empty.Model.Operation("GET /notes/{id}") != ops[0] {
		t.Errorf("a pass without a model: %v", empty.Model)
	}
}
