package tbtest

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"syscall"
	"testing"
	"time"
)

// An app that is down while another package holds the lock is waited for;
// one that is down with the lock free fails at once.
func TestReachableWaitsForTheLockHolder(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TB_STATE_DIR", dir)
	// A port that refuses: listen, note the address, close.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()

	start := time.Now()
	if err := reachable(dir, "x.lock", "http://"+addr+"/"); err == nil {
		t.Fatal("a refusing port with no lock file was reachable")
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("no lock holder, yet it waited %v", d)
	}

	f, err := os.OpenFile(lockPath(dir, "x.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	if !lockBusy(dir, "x.lock") {
		t.Fatal("a held lock is not busy")
	}
	// The holder "restarts" the app on that address and then lets go.
	started := make(chan *httptest.Server, 1)
	go func() {
		defer close(started)
		time.Sleep(time.Second)
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
		l, err := net.Listen("tcp", addr)
		if err != nil {
			return
		}
		srv.Listener = l
		srv.Start()
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		started <- srv
	}()
	if err := reachable(dir, "x.lock", "http://"+addr+"/"); err != nil {
		t.Fatalf("app restarted by the lock holder: %v", err)
	}
	if srv := <-started; srv != nil {
		defer srv.Close()
	}
	if lockBusy(dir, "x.lock") {
		t.Fatal("a released lock is busy")
	}
}
