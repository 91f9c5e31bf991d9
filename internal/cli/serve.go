package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/rampart-sec/rampart/internal/server"
	"github.com/rampart-sec/rampart/internal/store"
)

type serveFlags struct {
	listen        string
	data          string
	db            string
	createKey     string
	secureCookies bool
}

// dbEnv holds the database URL when --db is not given: a URL with a
// password is better kept out of argv.
const dbEnv = "RAMPART_DB"

func newServe(env Env) *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Keep every report and show the history: REST API and dashboard",
		Long: `Serve a dashboard and a REST API over every uploaded report: targets with
their latest grade and coverage, a score trend per target, each scan's
findings with their evidence, and what changed since the previous scan (new,
fixed, unchanged).

With no flag it stores everything in SQLite in the data directory
($XDG_DATA_HOME/rampart, or ~/.local/share/rampart) and listens on
127.0.0.1:8780. For a team, point it at PostgreSQL or CockroachDB with
$RAMPART_DB (or --db) set to a postgres:// URL; the schema is migrated at
start.

Every route but /healthz needs an API key, scoped read, upload or admin. On
its first start, with no key yet, serve prints an admin key: it is shown
once, and stored only as a hash. Make more with --create-key NAME:SCOPE (it
prints the key and exits) or POST /api/v1/keys. In a browser, log in with a
key at /login.

Examples:
  rampart serve
  rampart serve --listen 0.0.0.0:8780 --secure-cookies   # behind an HTTPS proxy
  RAMPART_DB=postgres://rampart@db.internal:5432/rampart rampart serve
  rampart serve --create-key ci:upload
  RAMPART_UPLOAD_KEY=... rampart scan http://127.0.0.1:8801 --upload http://127.0.0.1:8780`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runServe(cmd.Context(), env, &f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.listen, "listen", "127.0.0.1:8780", "address to listen on (host:port)")
	fl.StringVar(&f.data, "data", "", "data directory of the SQLite database (default $XDG_DATA_HOME/rampart or ~/.local/share/rampart)")
	fl.StringVar(&f.db, "db", "", "postgres:// or postgresql:// URL of a PostgreSQL or CockroachDB database, or sqlite:PATH, instead of the SQLite file in --data (default $"+dbEnv+")")
	fl.StringVar(&f.createKey, "create-key", "", "create an API key NAME:SCOPE (scope read, upload or admin), print it once and exit")
	fl.BoolVar(&f.secureCookies, "secure-cookies", false, "mark the session cookie Secure: set it when browsers reach the server over HTTPS")
	return cmd
}

func runServe(ctx context.Context, env Env, f *serveFlags) error {
	dsn := f.db
	if dsn == "" && env.Getenv != nil {
		dsn = env.Getenv(dbEnv)
	}
	if dsn != "" && f.data != "" {
		return usageErr("--data is for SQLite; with --db (or %s) the database is PostgreSQL", dbEnv)
	}
	var name, scope string
	if f.createKey != "" {
		var ok bool
		name, scope, ok = strings.Cut(f.createKey, ":")
		if !ok || !store.ValidName(name) || !store.ValidScope(scope) {
			return usageErr("--create-key: want NAME:SCOPE, NAME of letters, digits, '.', '_', ':' or '-', SCOPE read, upload or admin (e.g. ci:upload)")
		}
	}
	st, err := store.OpenWith(ctx, dsn, store.Options{DataDir: f.data})
	if err != nil {
		if dsn == "" {
			return &ExitError{Code: ExitCannotRun, Err: err}
		}
		return &ExitError{Code: ExitCannotRun, Err: fmt.Errorf("%w (check %s or --db)", err, dbEnv)}
	}
	defer st.Close()
	if f.createKey != "" {
		_, secret, err := st.CreateKey(ctx, name, scope)
		if errors.Is(err, store.ErrExists) {
			return usageErr("--create-key: a key named %q exists: pick another name, or delete it first (DELETE /api/v1/keys/%s)", name, name)
		}
		if err != nil {
			return &ExitError{Code: ExitCannotRun, Err: err}
		}
		fmt.Fprintf(env.Stderr, "rampart: created key %q (scope %s); it is shown this once:\n", name, scope)
		fmt.Fprintln(env.Stdout, secret)
		return nil
	}
	if err := firstAdminKey(ctx, env, st); err != nil {
		return &ExitError{Code: ExitCannotRun, Err: err}
	}

	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		return &ExitError{Code: ExitCannotRun, Err: fmt.Errorf("--listen %s: %w", f.listen, err)}
	}
	host, _, _ := net.SplitHostPort(ln.Addr().String())
	if !loopbackHost(host) && !f.secureCookies {
		fmt.Fprintln(env.Stderr, "rampart: warning: listening beyond this machine without --secure-cookies: put an HTTPS proxy in front and set it, or keys and sessions travel in clear")
	}
	log := slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv := &http.Server{
		Handler:           server.New(st, server.Options{Rules: allRuleMetas(), SecureCookies: f.secureCookies, Log: log}).Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute, // an upload of a large report on a slow link
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	where := "SQLite in " + dataDir(f.data)
	if st.Dialect() == store.Postgres {
		where = "PostgreSQL/CockroachDB"
	}
	fmt.Fprintf(env.Stderr, "rampart: serving http://%s (%s); Ctrl-C stops\n", ln.Addr(), where)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return &ExitError{Code: ExitCannotRun, Err: fmt.Errorf("serve: %w", err)}
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv.Shutdown(shutdown)
	fmt.Fprintln(env.Stderr, "rampart: stopped")
	return nil
}

func dataDir(flag string) string {
	if flag != "" {
		return filepath.Clean(flag)
	}
	d, err := store.DefaultDataDir()
	if err != nil {
		return "the data directory"
	}
	return d
}

// firstAdminKey makes an admin key when the database has none, and prints
// it: the only way into a fresh server.
func firstAdminKey(ctx context.Context, env Env, st *store.Store) error {
	keys, err := st.Keys(ctx)
	if err != nil {
		return err
	}
	if len(keys) > 0 {
		return nil
	}
	_, secret, err := st.CreateKey(ctx, "admin", store.ScopeAdmin)
	if errors.Is(err, store.ErrExists) {
		return nil // another server started at the same moment and made it
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stderr, "rampart: first start: an admin API key was created; it is shown this once, store it now:")
	fmt.Fprintln(env.Stdout, secret)
	return nil
}
