package check

import "testing"

func TestSameAnswer(t *testing.T) {
	tests := []struct {
		name string
		x, y Answer
		want bool
	}{
		{"identical", Answer{200, []byte(`{"a":1,"b":[1,2]}`)}, Answer{200, []byte(`{"a":1,"b":[1,2]}`)}, true},
		{"a timestamp differs", Answer{200, []byte(`{"a":1,"b":2,"c":3,"d":4,"e":5,"t":"10:01"}`)}, Answer{200, []byte(`{"a":1,"b":2,"c":3,"d":4,"e":5,"t":"10:02"}`)}, true},
		{"another user's record", Answer{200, []byte(`{"user":"alice","id":1}`)}, Answer{200, []byte(`{"user":"bob","id":2}`)}, false},
		{"another status", Answer{200, []byte(`{"a":1}`)}, Answer{201, []byte(`{"a":1}`)}, false},
		{"refusals are never the same answer", Answer{401, []byte(`{"error":"x"}`)}, Answer{401, []byte(`{"error":"x"}`)}, false},
		{"empty bodies", Answer{200, nil}, Answer{200, nil}, false},
	}
	for _, tt := range tests {
		if got := SameAnswer(tt.x, tt.y); got != tt.want {
			t.Errorf("%s: got %v", tt.name, got)
		}
	}
}
