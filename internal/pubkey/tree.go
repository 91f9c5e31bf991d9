package pubkey

import (
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Bounds of a tree walk.
const (
	maxFileSize  = 16 << 10 // a key file is small; larger files are skipped
	maxTreeFiles = 2000     // files read at most
	maxTreeKeys  = 8
)

// skipDirs are folders that hold other people's keys (test vectors of
// dependencies) or nothing of the application's.
var skipDirs = map[string]bool{".git": true, "node_modules": true, "__pycache__": true, ".venv": true, "venv": true,
	"site-packages": true, "dist-packages": true, ".tox": true, ".mypy_cache": true}

// keyFileExt are the extensions a public key file has, besides none at all
// (Tiredful's lib/tiredful_public).
var keyFileExt = map[string]bool{"": true, ".pem": true, ".pub": true, ".key": true, ".crt": true, ".cer": true,
	".txt": true, ".jwk": true, ".jwks": true, ".json": true}

// FromDir returns the public keys of the key files in a source tree: PEM
// files, files whose content is base64 DER, JWK and JWKS files. Only
// regular files are read (symbolic links are never followed), each up to
// 16 KiB, at most 2000 of them. Where is the path relative to dir.
func FromDir(ctx context.Context, dir string) ([]Key, error) {
	var out []Key
	seen := map[string]bool{}
	read := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if d != nil && d.IsDir() && path != dir {
				return fs.SkipDir // unreadable folder: the rest still counts
			}
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if d.IsDir() {
			if path != dir && skipDirs[d.Name()] {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !keyFileExt[strings.ToLower(filepath.Ext(d.Name()))] {
			return nil
		}
		if read >= maxTreeFiles || len(out) >= maxTreeKeys {
			return fs.SkipAll
		}
		data, ok := readSmall(path)
		if !ok {
			return nil
		}
		read++
		rel, _ := filepath.Rel(dir, path)
		for _, k := range FromFile(data) {
			if der := k.DER(); !seen[string(der)] {
				seen[string(der)] = true
				k.Source, k.Where = FromTree, filepath.ToSlash(rel)
				out = append(out, k)
			}
		}
		return nil
	})
	return out, err
}

// readSmall reads a regular file of at most maxFileSize bytes.
func readSmall(path string) ([]byte, bool) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() > maxFileSize {
		return nil, false
	}
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil || len(data) > maxFileSize {
		return nil, false
	}
	return data, true
}

// FromFile returns the public keys a key file holds: PEM blocks, base64
// DER, or a JWK or JWK Set.
func FromFile(data []byte) []Key {
	keys := Find(data)
	if t := strings.TrimSpace(string(data)); strings.HasPrefix(t, "{") {
		keys = append(keys, ParseJWKS([]byte(t))...)
	}
	return keys
}
