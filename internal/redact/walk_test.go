package redact

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
)

const planted = "tok/planted+secret=0123456789"

// plant fills every string reachable from v (exported fields, one element
// in each slice, one entry in each map, every pointer allocated) with text
// that holds the secret, and returns the paths it filled.
func plant(v reflect.Value, path string, depth int) []string {
	if depth > 12 {
		return nil
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		return plant(v.Elem(), path, depth+1)
	case reflect.Struct:
		var out []string
		for i := range v.NumField() {
			if f := v.Field(i); f.CanSet() {
				out = append(out, plant(f, path+"."+v.Type().Field(i).Name, depth+1)...)
			}
		}
		return out
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		return plant(v.Index(0), path+"[0]", depth+1)
	case reflect.Array:
		var out []string
		for i := range v.Len() {
			out = append(out, plant(v.Index(i), path+"[i]", depth+1)...)
		}
		return out
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		k := reflect.New(v.Type().Key()).Elem()
		keys := plant(k, path+"{key}", depth+1)
		val := reflect.New(v.Type().Elem()).Elem()
		vals := plant(val, path+"{value}", depth+1)
		v.SetMapIndex(k, val)
		return append(keys, vals...)
	case reflect.Interface:
		s := reflect.New(reflect.TypeFor[string]()).Elem()
		s.SetString("echo " + planted)
		v.Set(s)
		return []string{path + "(any)"}
	case reflect.String:
		v.SetString("the API said: " + planted + " (end)")
		return []string{path}
	}
	return nil
}

// leftovers returns the paths of strings that still hold the secret.
func leftovers(v reflect.Value, path string, out *[]string) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			leftovers(v.Elem(), path, out)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				leftovers(v.Field(i), path+"."+v.Type().Field(i).Name, out)
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			leftovers(v.Index(i), path+"[i]", out)
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			leftovers(k, path+"{key}", out)
			leftovers(v.MapIndex(k), path+"{value}", out)
		}
	case reflect.String:
		if strings.Contains(v.String(), planted) || strings.Contains(v.String(), "planted+secret") {
			*out = append(*out, path)
		}
	}
}

// TestWalkCleansEveryStringOfTheReport plants the secret in every string
// field of a report, so a field added to rampart.Report (or to anything it
// holds) later is covered by this test without editing it.
func TestWalkCleansEveryStringOfTheReport(t *testing.T) {
	rep := &rampart.Report{}
	paths := plant(reflect.ValueOf(rep), "Report", 0)
	// A sanity floor: the report has dozens of string fields; planting
	// must have reached them, or this test proves nothing.
	if len(paths) < 40 {
		t.Fatalf("planted only %d strings: %v", len(paths), paths)
	}
	for _, p := range []string{"Report.Findings[0].Message", "Report.Findings[0].Evidence[0].Response", "Report.Findings[0].Related[0].Curl",
		"Report.Errors[0].Error", "Report.Skipped[0].Reason", "Report.Notes[0]", "Report.Fingerprint.Evidence[0]"} {
		if !contains(paths, p) {
			t.Errorf("nothing planted at %s", p)
		}
	}
	New(planted).Walk(rep)
	var left []string
	leftovers(reflect.ValueOf(rep), "Report", &left)
	if len(left) > 0 {
		t.Errorf("secret left in %d of %d fields: %v", len(left), len(paths), left)
	}
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "planted+secret") {
		t.Errorf("secret in the JSON of the report: %s", b)
	}
	if !strings.Contains(rep.Findings[0].Message, "the API said: "+Marker+" (end)") {
		t.Errorf("message %q: want the text around the secret kept", rep.Findings[0].Message)
	}
}

// TestWalkKinds covers the kinds the report does not use yet: maps (keys
// too), interfaces, byte slices, arrays, cycles, unexported fields.
func TestWalkKinds(t *testing.T) {
	type node struct {
		Name   string
		Next   *node
		Any    any
		Map    map[string][]string
		Bytes  []byte
		Array  [2]string
		hidden string
	}
	n := &node{
		Name:   "x " + planted,
		Any:    planted,
		Map:    map[string][]string{planted: {planted}},
		Bytes:  []byte(planted),
		Array:  [2]string{"a", planted},
		hidden: planted,
	}
	n.Next = n
	New(planted).Walk(n)
	n.Next = nil // the walk ended on the cycle; this check would not
	var left []string
	leftovers(reflect.ValueOf(*n), "node", &left)
	if len(left) > 0 {
		t.Errorf("left in %v", left)
	}
	if string(n.Bytes) != Marker || n.Map[Marker][0] != Marker || n.Any != Marker {
		t.Errorf("walked node: %+v", n)
	}
	if n.hidden != planted {
		t.Error("unexported field changed: the walk cannot set it, and must not try")
	}
	var nilSet *Set
	nilSet.Walk(n) // no secrets: no panic, nothing done
}
