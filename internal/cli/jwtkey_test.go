package cli

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// --jwt-public-key and the config's jwt.public_keys reach the scan's
// options, the flag winning; a file without a key is a usage error.
func TestJWTPublicKeyOption(t *testing.T) {
	dir := t.TempDir()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&k.PublicKey)
	key := filepath.Join(dir, "public.pem")
	os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o600)
	other := filepath.Join(dir, "other.pem")
	os.WriteFile(other, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o600)
	junk := filepath.Join(dir, "junk.txt")
	os.WriteFile(junk, []byte("not a key\n"), 0o600)
	cfg := filepath.Join(dir, "rampart.yaml")
	os.WriteFile(cfg, []byte("target: http://127.0.0.1:8000\njwt:\n  public_keys: ["+key+"]\n"), 0o600)
	tests := []struct {
		name    string
		args    []string
		want    []string
		wantErr string
	}{
		{"from the config", []string{"--config", cfg}, []string{key}, ""},
		{"the flag wins", []string{"--config", cfg, "--jwt-public-key", other}, []string{other}, ""},
		{"repeatable", []string{"--jwt-public-key", key, "--jwt-public-key", other}, []string{key, other}, ""},
		{"no key in the file", []string{"--jwt-public-key", junk}, nil, "no RSA or EC public key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f scanFlags
			cmd := &cobra.Command{}
			addScanFlags(cmd.Flags(), &f)
			if err := cmd.ParseFlags(tt.args); err != nil {
				t.Fatal(err)
			}
			opt, _, _, err := buildOptions(cmd, Env{Getenv: func(string) string { return "" }}, "http://127.0.0.1:8000", &f)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want %q", err, tt.wantErr)
				}
				if code := Code(err); code != ExitUsage {
					t.Errorf("exit %d, want %d", code, ExitUsage)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(opt.JWTPublicKeys, ",") != strings.Join(tt.want, ",") {
				t.Errorf("keys %v, want %v", opt.JWTPublicKeys, tt.want)
			}
		})
	}
}
