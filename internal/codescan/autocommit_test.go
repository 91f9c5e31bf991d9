package codescan

import (
	"strings"
	"testing"
)

func TestMentionsAutocommit(t *testing.T) {
	long := strings.Repeat("x = 1\n", 500)
	tests := []struct {
		src  string
		want bool
	}{
		{"conn.autocommit = True\n", true},
		{"conn.autocommit=True", true},
		{"conn.set_isolation_level(psycopg2.extensions.ISOLATION_LEVEL_AUTOCOMMIT)", true},
		{`engine = create_engine(url, isolation_level="AUTOCOMMIT")`, true},
		{`engine = create_engine(url, isolation_level = 'autocommit')`, true},
		{"conn.AutoCommit = True", true},
		{long + "conn.autocommit = True\n" + long, true},
		{"conn.autocommit = False\n", false},
		{"# autocommit stays off here\n", false},
		{"autocommit", false},
		{"", false},
		{long, false},
	}
	for _, tt := range tests {
		if got := mentionsAutocommit([]byte(tt.src)); got != tt.want {
			t.Errorf("mentionsAutocommit(%.60q) = %v, want %v", tt.src, got, tt.want)
		}
	}
}
