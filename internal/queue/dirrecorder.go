package queue

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/baseline"
)

// DirRecorder keeps each target's reports as JSON files in a folder of its
// own, for a worker used without rampart serve: DIR/TARGET/JOB.json, the
// diff taken against the target's previous report. The scan id is the
// job's id, so a job run again after its report was written replaces the
// file instead of adding a scan.
type DirRecorder struct{ Dir string }

// Record writes rep and compares it with the target's previous report.
func (d DirRecorder) Record(ctx context.Context, run Run, rep *rampart.Report) (Result, error) {
	dir := filepath.Join(d.Dir, folderName(run.Target))
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return Result{}, fmt.Errorf("reports folder: %w", err)
	}
	name := fmt.Sprintf("%012d.json", run.JobID)
	prev, err := previous(dir, name)
	if err != nil {
		return Result{}, err
	}
	var base *rampart.Report
	if prev != "" {
		if base, err = baseline.Read(ctx, filepath.Join(dir, prev)); err != nil {
			return Result{}, fmt.Errorf("previous report of %s: %w", run.Target, err)
		}
	}
	data, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return Result{}, err
	}
	// Written whole, then renamed: a reader never sees half a report.
	tmp, err := os.CreateTemp(dir, ".report-*")
	if err != nil {
		return Result{}, fmt.Errorf("reports folder: %w", err)
	}
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), filepath.Join(dir, name))
	}
	if err != nil {
		os.Remove(tmp.Name())
		return Result{}, fmt.Errorf("write the report of %s: %w", run.Target, err)
	}
	diff := baseline.Compare(rep.Findings, nil, base)
	return Result{ScanID: run.JobID, New: len(diff.New), Fixed: len(diff.Fixed), Unchanged: len(diff.Unchanged)}, nil
}

// previous is the newest report file before name (names sort by job id).
func previous(dir, name string) (string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", fmt.Errorf("reports folder: %w", err)
	}
	var names []string
	for _, e := range entries {
		if n := e.Name(); e.Type().IsRegular() && strings.HasSuffix(n, ".json") && n < name {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return "", nil
	}
	return slices.Max(names), nil
}

// folderName is a target's name as a folder: its safe characters, and a
// hash of the whole name so that "a/b" and "a_b" stay apart.
func folderName(target string) string {
	var b strings.Builder
	for _, r := range target {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
		if b.Len() >= 64 {
			break
		}
	}
	sum := sha256.Sum256([]byte(target))
	return b.String() + "-" + hex.EncodeToString(sum[:4])
}
