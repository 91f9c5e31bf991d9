package codescan

import "testing"

// A function's environment comes back empty for the next function; large
// ones and more than keptEnvs are not kept.
func TestEnvReuse(t *testing.T) {
	f := &fileState{}
	env := f.newEnv(2)
	env["a"], env["b"] = val{cnst: true}, val{cnst: true}
	f.freeEnv(env)
	again := f.newEnv(3)
	if len(again) != 0 {
		t.Fatalf("a reused environment holds %d names, want none", len(again))
	}
	again["x"] = val{}
	if _, ok := env["x"]; !ok {
		t.Error("the freed map was not the one given back")
	}
	big := f.newEnv(0)
	for _, n := range []string{"a", "b", "c", "d", "e", "f", "g", "h", "i"} {
		big[n] = val{}
	}
	f.freeEnv(big)
	if len(f.envs) != 0 {
		t.Errorf("an environment of %d names was kept", len(big))
	}
	for range keptEnvs + 2 {
		f.freeEnv(map[string]val{})
	}
	if len(f.envs) != keptEnvs {
		t.Errorf("%d environments kept, want at most %d", len(f.envs), keptEnvs)
	}
	if m := f.newEnv(smallEnv + 1); len(f.envs) != keptEnvs || m == nil {
		t.Error("a function with more parameters than a group holds took a kept environment")
	}
}
