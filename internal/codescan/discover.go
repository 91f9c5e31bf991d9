package codescan

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// source is a file found by discover.
type source struct {
	abs  string // path to open
	rel  string // path inside the scanned directory
	path string // path to report: dir joined with the relative path
	kind string // py, sql, env
	size int64
}

var (
	skipDirs = map[string]bool{"__pycache__": true, "node_modules": true, "site-packages": true,
		"dist-packages": true, ".git": true, ".hg": true, ".svn": true, ".tox": true, ".nox": true,
		".venv": true, "venv": true, ".mypy_cache": true, ".pytest_cache": true, ".ruff_cache": true}
	envFileRe = regexp.MustCompile(`^(\.env|\.flaskenv|.*\.env|Dockerfile.*|docker-compose.*\.ya?ml|compose\.ya?ml)$`)
)

// systemDirs are never walked, whatever a symbolic link or DIR says: their
// files are the kernel's and the devices', not source, and reading them can
// hang (a FIFO, a tty) or never end (/proc/kcore, /dev/zero).
var systemDirs = []string{"/proc", "/sys", "/dev"}

// maxLinkNotes bounds the notes for skipped symbolic links; past it they
// are counted.
const maxLinkNotes = 20

// walkResult is what discover found.
type walkResult struct {
	py, others []source
	notes      []File
	// moreLinks counts the links skipped past the first maxLinkNotes.
	moreLinks int
}

// discover walks dir without ever leaving it: a symbolic link whose target
// is outside dir is skipped with a note unless opt.FollowSymlinks, and
// /proc, /sys and /dev are never entered. A directory reached twice (a
// link back to one already walked) is walked once, and a file reached
// through a link is scanned only if it was not scanned under its own name.
// Only regular files are listed; a FIFO, a device or a socket with a
// source file's name is noted and skipped.
func discover(dir string, opt Options) walkResult {
	var w walkResult
	rootReal, err := filepath.Abs(dir)
	if err == nil {
		if r, err := filepath.EvalSymlinks(rootReal); err == nil {
			rootReal = r
		}
	}
	visited := map[string]bool{rootReal: true}
	// Files reached through a symbolic link are added at the end, unless
	// the file itself was scanned under its own name.
	var linked []source
	var linkedReal []string
	links := 0
	skipLink := func(rel, reason string) {
		links++
		if links > maxLinkNotes {
			w.moreLinks++
			return
		}
		w.notes = append(w.notes, File{Path: report(dir, rel), Status: FileSkipped, Reason: reason})
	}
	var walk func(abs, rel, real string)
	walk = func(abs, rel, real string) {
		entries, err := os.ReadDir(abs)
		if err != nil {
			w.notes = append(w.notes, File{Path: report(dir, rel), Status: FileError, Reason: err.Error()})
			return
		}
		if rel != "" {
			if _, err := os.Stat(filepath.Join(abs, "pyvenv.cfg")); err == nil {
				w.notes = append(w.notes, File{Path: report(dir, rel), Status: FileSkipped, Reason: "virtual environment"})
				return
			}
		}
		for _, e := range entries {
			name := e.Name()
			childAbs := filepath.Join(abs, name)
			childRel := name
			if rel != "" {
				childRel = rel + "/" + name
			}
			if excluded(opt.Exclude, childRel) {
				continue
			}
			// The entry says what it is: only directories, links and the
			// files the analysis reads need a stat (a stat of every entry
			// was most of the walk of a large tree).
			if typ := e.Type(); typ&fs.ModeSymlink == 0 && !typ.IsDir() && sourceKind(name) == "" {
				continue
			}
			info, err := e.Info()
			if err != nil {
				w.notes = append(w.notes, File{Path: report(dir, childRel), Status: FileError, Reason: err.Error()})
				continue
			}
			childReal := filepath.Join(real, name)
			if info.Mode()&fs.ModeSymlink != 0 {
				target, err := filepath.EvalSymlinks(childAbs)
				if err != nil {
					skipLink(childRel, "broken or looping symbolic link")
					continue
				}
				if target, err = filepath.Abs(target); err != nil {
					skipLink(childRel, "broken symbolic link")
					continue
				}
				if under(target, systemDirs...) {
					skipLink(childRel, fmt.Sprintf("symbolic link into %s: never followed", systemDir(target)))
					continue
				}
				if !under(target, rootReal) && !opt.FollowSymlinks {
					skipLink(childRel, "symbolic link to a path outside the scanned directory (--follow-symlinks follows it)")
					continue
				}
				if info, err = os.Stat(childAbs); err != nil {
					skipLink(childRel, "broken symbolic link")
					continue
				}
				childReal = target
			}
			if info.IsDir() {
				if skipDirs[name] || strings.HasPrefix(name, ".") {
					continue
				}
				if under(childReal, systemDirs...) {
					w.notes = append(w.notes, File{Path: report(dir, childRel), Status: FileSkipped, Reason: systemDir(childReal) + " is never scanned"})
					continue
				}
				if visited[childReal] {
					w.notes = append(w.notes, File{Path: report(dir, childRel), Status: FileSkipped, Reason: "symbolic link loop (directory already scanned)"})
					continue
				}
				visited[childReal] = true
				walk(childAbs, childRel, childReal)
				continue
			}
			kind := sourceKind(name)
			if kind == "" {
				continue
			}
			if !info.Mode().IsRegular() {
				w.notes = append(w.notes, File{Path: report(dir, childRel), Status: FileSkipped, Reason: "not a regular file (" + modeName(info.Mode()) + ")"})
				continue
			}
			s := source{abs: childAbs, rel: childRel, path: report(dir, childRel), size: info.Size(), kind: kind}
			switch kind {
			case "py":
				if childReal != filepath.Join(real, name) {
					linked, linkedReal = append(linked, s), append(linkedReal, childReal)
					continue
				}
				visited[childReal] = true
				w.py = append(w.py, s)
			case "sql":
				if info.Size() <= opt.MaxFileSize {
					w.others = append(w.others, s)
				}
			case "env":
				if info.Size() <= maxEnvFile {
					w.others = append(w.others, s)
				}
			}
		}
	}
	walk(dir, "", rootReal)
	for i, s := range linked {
		if !visited[linkedReal[i]] {
			visited[linkedReal[i]] = true
			w.py = append(w.py, s)
		}
	}
	return w
}

// maxEnvFile is the size above which a .env or Dockerfile is not read.
const maxEnvFile = 1 << 20

// sourceKind says which files the analysis reads: Python, SQL schemas and
// environment files (Dockerfile, .env, compose files).
func sourceKind(name string) string {
	switch {
	case strings.HasSuffix(name, ".py"):
		return "py"
	case strings.HasSuffix(name, ".sql"):
		return "sql"
	case envFileRe.MatchString(name):
		return "env"
	}
	return ""
}

// under reports whether path is one of roots or inside one (paths are
// absolute and clean).
func under(path string, roots ...string) bool {
	for _, r := range roots {
		if path == r || strings.HasPrefix(path, r+string(filepath.Separator)) || r == string(filepath.Separator) {
			return true
		}
	}
	return false
}

func systemDir(path string) string {
	for _, d := range systemDirs {
		if under(path, d) {
			return d
		}
	}
	return path
}

func modeName(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0, m&fs.ModeCharDevice != 0:
		return "a device"
	}
	return "not a file"
}

func report(dir, rel string) string {
	if rel == "" {
		return filepath.ToSlash(filepath.Clean(dir))
	}
	return filepath.ToSlash(filepath.Join(dir, filepath.FromSlash(rel)))
}

// CheckExclude refuses an --exclude glob that filepath.Match cannot use
// (an unclosed '['): it would exclude nothing, silently.
func CheckExclude(glob string) error {
	if strings.TrimSpace(glob) == "" {
		return fmt.Errorf("--exclude: empty glob")
	}
	if _, err := filepath.Match(glob, ""); err != nil {
		return fmt.Errorf("--exclude %q: not a valid glob (%v): write it as 'tests/*' or '*_test.py', with [ ] closed", glob, err)
	}
	return nil
}

func excluded(globs []string, rel string) bool {
	for _, g := range globs {
		if ok, _ := filepath.Match(g, rel); ok {
			return true
		}
		if ok, _ := filepath.Match(g, filepath.Base(rel)); ok {
			return true
		}
		if strings.HasPrefix(rel, strings.TrimSuffix(g, "/*")+"/") && strings.HasSuffix(g, "/*") {
			return true
		}
	}
	return false
}
