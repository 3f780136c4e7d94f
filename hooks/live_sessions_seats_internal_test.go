package hooks

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// TestFullSessionsKeepOnlyWhatNoChangeOvertook: a load that read the seats
// before a change was committed must not keep them after it.
func TestFullSessionsKeepOnlyWhatNoChangeOvertook(t *testing.T) {
	f := newFullSessions()
	entry := &fullSession{seated: map[string]struct{}{"u1": {}}, expires: time.Now().Add(time.Minute)}

	epoch := f.epoch
	f.forget("s1") // a change committed while the load was reading
	f.keep("s1", entry, epoch)
	if f.lookup("s1") != nil {
		t.Fatal("a load overtaken by a change was kept")
	}

	f.keep("s1", entry, f.epoch)
	if got := f.lookup("s1"); got != entry || !got.has("u1") || got.has("u2") {
		t.Fatalf("a load with no change since: lookup %v", got)
	}
	f.forget("s1")
	if f.lookup("s1") != nil {
		t.Fatal("a change left the entry")
	}

	expired := &fullSession{expires: time.Now().Add(-time.Second)}
	f.keep("s2", expired, f.epoch)
	if f.lookup("s2") != nil {
		t.Fatal("an expired entry was used")
	}
}

// TestFullSessionsLogRefusalsOncePerRun sums the refusals per session into
// one line each, and starts again from zero.
func TestFullSessionsLogRefusalsOncePerRun(t *testing.T) {
	f := newFullSessions()
	for range 900 {
		f.refuse("s1")
	}
	f.refuse("s2")
	var out bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&out, nil))

	f.logRefusals(logger)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines, want one per session:\n%s", len(lines), out.String())
	}
	for _, want := range []string{"session=s1 refused=900", "session=s2 refused=1"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no %q in:\n%s", want, out.String())
		}
	}

	out.Reset()
	f.logRefusals(logger)
	if out.Len() != 0 {
		t.Fatalf("a second run with no refusals logged:\n%s", out.String())
	}
}
