package redact

import "reflect"

// Walk redacts, in place, every string reachable from v through exported
// fields, slices, arrays, maps (keys and values), pointers and interfaces.
// v must be a pointer (a *rampart.Report). Reflection rather than a list of
// fields, so that a field added to the report later is covered without
// anyone remembering to: the report is the scanner's one output.
func (s *Set) Walk(v any) {
	if s.Empty() || v == nil {
		return
	}
	w := walker{set: s, seen: map[uintptr]bool{}}
	w.walk(reflect.ValueOf(v))
}

type walker struct {
	set  *Set
	seen map[uintptr]bool // pointers already walked: cycles end
}

func (w *walker) walk(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() || w.seen[v.Pointer()] {
			return
		}
		w.seen[v.Pointer()] = true
		w.walk(v.Elem())
	case reflect.Interface:
		if v.IsNil() {
			return
		}
		e := v.Elem()
		if !v.CanSet() {
			w.walk(e) // a pointer inside can still be redacted through
			return
		}
		c := reflect.New(e.Type()).Elem()
		c.Set(e)
		w.walk(c)
		v.Set(c)
	case reflect.Struct:
		for i := range v.NumField() {
			// Unexported fields are not output (and cannot be set).
			if f := v.Field(i); f.CanSet() {
				w.walk(f)
			}
		}
	case reflect.Slice:
		if v.IsNil() {
			return
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			if v.CanSet() {
				if r := w.set.String(string(v.Bytes())); r != string(v.Bytes()) {
					v.SetBytes([]byte(r))
				}
			}
			return
		}
		for i := range v.Len() {
			w.walk(v.Index(i))
		}
	case reflect.Array:
		for i := range v.Len() {
			w.walk(v.Index(i))
		}
	case reflect.Map:
		if v.IsNil() || !v.CanSet() {
			return
		}
		for _, k := range v.MapKeys() {
			val := reflect.New(v.Type().Elem()).Elem()
			val.Set(v.MapIndex(k))
			w.walk(val)
			nk := reflect.New(k.Type()).Elem()
			nk.Set(k)
			w.walk(nk)
			if !nk.Equal(k) {
				v.SetMapIndex(k, reflect.Value{})
			}
			v.SetMapIndex(nk, val)
		}
	case reflect.String:
		if v.CanSet() {
			if r := w.set.String(v.String()); r != v.String() {
				v.SetString(r)
			}
		}
	}
}
