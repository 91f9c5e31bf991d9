package scan

import (
	"context"

	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/inputfile"
	"github.com/rampart-sec/rampart/internal/pubkey"
)

// maxPublicKeyFile caps a --jwt-public-key file: a PEM certificate chain
// or a JWKS of a few keys.
const maxPublicKeyFile = 256 << 10

// readPublicKeys reads the --jwt-public-key files; a file that holds no
// RSA or EC public key is an error, not a silent no-op.
func readPublicKeys(ctx context.Context, paths []string) ([]pubkey.Key, error) {
	var out []pubkey.Key
	for _, path := range paths {
		data, err := inputfile.ReadContext(ctx, path, maxPublicKeyFile)
		if err != nil {
			return nil, configErr("--jwt-public-key: %w", err)
		}
		keys := pubkey.FromFile(data)
		if len(keys) == 0 {
			return nil, configErr("--jwt-public-key %s: no RSA or EC public key in it: give a PEM file (BEGIN PUBLIC KEY, BEGIN RSA PUBLIC KEY or a certificate), the base64 key on one line, or a JWKS", path)
		}
		for i := range keys {
			keys[i].Source, keys[i].Where = pubkey.FromConfig, "--jwt-public-key "+path
		}
		out = append(out, keys...)
	}
	return out, nil
}

// publicKeys starts the scan's collection of public keys: the given ones,
// then the key files of the --source tree. Answers add theirs as they pass
// (observeKeys).
func publicKeys(ctx context.Context, opt Options) (*pubkey.Collector, error) {
	c := pubkey.NewCollector()
	given, err := readPublicKeys(ctx, opt.JWTPublicKeys)
	if err != nil {
		return nil, err
	}
	c.Add(given...)
	if opt.Source != "" {
		// An unreadable part of the tree only costs its keys.
		tree, _ := pubkey.FromDir(ctx, opt.Source)
		c.Add(tree...)
	}
	return c, nil
}

// observeKeys feeds an answer's body to the collection.
func observeKeys(c *pubkey.Collector, r *engine.Response) {
	if r.Status < 200 || r.Status > 299 {
		return
	}
	c.Observe(r.Method+" "+r.RequestURL, r.Body)
}
