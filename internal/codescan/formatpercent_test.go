package codescan

import (
	"fmt"
	"strings"
	"testing"
)

// formatPercentByBytes is formatPercent as it was before it cut the
// literal runs out of the format instead of copying them byte by byte; the
// two must agree.
func formatPercentByBytes(f, args val) val {
	out := val{ev: -1, built: true, cnst: f.cnst && args.cnst}
	next := 0
	argFor := func(name string) val {
		if elems := args.elements(); name == "" && elems != nil {
			if next < len(elems) {
				v := elems[next]
				next++
				return v
			}
			return newVal()
		}
		return taintOf(args)
	}
	for _, p := range f.str {
		if p.hole {
			out.str = append(out.str, p)
			continue
		}
		s := p.lit
		var lit strings.Builder
		for i := 0; i < len(s); i++ {
			if s[i] != '%' || i+1 >= len(s) {
				lit.WriteByte(s[i])
				continue
			}
			if s[i+1] == '%' {
				lit.WriteByte('%')
				i++
				continue
			}
			j := i + 1
			name := ""
			if s[j] == '(' {
				k := strings.IndexByte(s[j:], ')')
				if k < 0 {
					lit.WriteByte(s[i])
					continue
				}
				name = s[j+1 : j+k]
				j += k + 1
			}
			for j < len(s) && strings.IndexByte("#0- +123456789.*lh", s[j]) >= 0 {
				j++
			}
			if j >= len(s) || strings.IndexByte("sdirfgeExXocaub", s[j]) < 0 {
				lit.WriteByte(s[i])
				continue
			}
			if lit.Len() > 0 {
				out.str = append(out.str, part{lit: lit.String()})
				lit.Reset()
			}
			v := argFor(name)
			if v.exc {
				v.l |= lExc
			}
			hv := v
			out.str = append(out.str, part{hole: true, v: &hv})
			out.l |= v.l &^ lWhole
			out.p |= v.p
			i = j
		}
		if lit.Len() > 0 {
			out.str = append(out.str, part{lit: lit.String()})
		}
	}
	return out
}

// shape renders a formatted value's parts: literal text, and each hole
// with the labels and parameters it carries.
func shape(v val) string {
	var b strings.Builder
	for _, p := range v.str {
		if p.hole {
			fmt.Fprintf(&b, "{hole l=%d p=%d}", p.v.l, p.v.p)
		} else {
			fmt.Fprintf(&b, "%q", p.lit)
		}
	}
	fmt.Fprintf(&b, " l=%d p=%d cnst=%v", v.l, v.p, v.cnst)
	return b.String()
}

func formatPercentCases(format string) (f val, args []val) {
	f = litVal(format)
	tuple := constVal()
	tuple.setElements([]val{{ev: -1, l: lReq | lInj}, {ev: -1, p: 2}})
	return f, []val{{ev: -1, l: lReq}, tuple, newVal()}
}

func TestFormatPercent(t *testing.T) {
	for _, format := range []string{
		"", "plain", "%s", "a %s b", "%s%s%s", "100%", "100%%", "%% %s %%", "%(name)s and %(other)d",
		"%(unclosed", "%5.2f|%-3d|%#x", "%q is not a conversion", "%", "%%%", "%%%%s", "x %(n)", "%(a)s%%%(b)s",
	} {
		f, argsList := formatPercentCases(format)
		for _, args := range argsList {
			if got, want := shape(formatPercent(f, args)), shape(formatPercentByBytes(f, args)); got != want {
				t.Errorf("%q %% %+v:\n got %s\nwant %s", format, args, got, want)
			}
		}
	}
}

func FuzzFormatPercent(f *testing.F) {
	for _, s := range []string{"a %s b", "100%%", "%(name)s", "%5.2f%%%d", "%(x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, format string) {
		fv, argsList := formatPercentCases(format)
		for _, args := range argsList {
			if got, want := shape(formatPercent(fv, args)), shape(formatPercentByBytes(fv, args)); got != want {
				t.Fatalf("%q:\n got %s\nwant %s", format, got, want)
			}
		}
	})
}
