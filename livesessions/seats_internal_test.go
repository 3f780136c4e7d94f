package livesessions

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

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
