package hooks

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// TestEpochCacheKeepsOnlyWhatNoChangeOvertook: a load that read the
// database before a change was committed must not keep it after it.
func TestEpochCacheKeepsOnlyWhatNoChangeOvertook(t *testing.T) {
	c := newEpochCache[*fullSession](10)
	entry := &fullSession{seated: map[string]struct{}{"u1": {}}}
	later := time.Now().Add(time.Minute)
	lookup := func(key string) *fullSession {
		got, _ := c.get(key, time.Now())
		return got
	}

	epoch := c.currentEpoch()
	c.drop("s1") // a change committed while the load was reading
	c.put("s1", entry, later, epoch)
	if lookup("s1") != nil {
		t.Fatal("a load overtaken by a change was kept")
	}

	c.put("s1", entry, later, c.currentEpoch())
	if got := lookup("s1"); got != entry || !got.has("u1") || got.has("u2") {
		t.Fatalf("a load with no change since: lookup %v", got)
	}
	c.drop("s1")
	if lookup("s1") != nil {
		t.Fatal("a change left the entry")
	}

	c.put("s2", entry, time.Now().Add(-time.Second), c.currentEpoch())
	if lookup("s2") != nil {
		t.Fatal("an expired entry was used")
	}

	// dropIf takes what matches, and only that
	other := &fullSession{}
	c.put("s3", entry, later, c.currentEpoch())
	c.put("s4", other, later, c.currentEpoch())
	c.dropIf(func(s *fullSession) bool { return s == entry })
	if lookup("s3") != nil || lookup("s4") != other {
		t.Fatalf("dropIf: s3 %v, s4 %v", lookup("s3"), lookup("s4"))
	}

	// never more than its size
	for i := range 25 {
		c.put(fmt.Sprint("n", i), other, later, c.currentEpoch())
	}
	if n := len(c.entries); n > 10 {
		t.Fatalf("%d entries, size 10", n)
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
