package epochcache

import (
	"fmt"
	"testing"
	"time"
)

// seats stands for what a cache keeps: the users seated in a full session.
type seats struct{ seated map[string]struct{} }

func (s *seats) has(userId string) bool { _, ok := s.seated[userId]; return ok }

// TestEpochCacheKeepsOnlyWhatNoChangeOvertook: a load that read the
// database before a change was committed must not keep it after it.
func TestEpochCacheKeepsOnlyWhatNoChangeOvertook(t *testing.T) {
	c := New[*seats](10)
	entry := &seats{seated: map[string]struct{}{"u1": {}}}
	later := time.Now().Add(time.Minute)
	lookup := func(key string) *seats {
		got, _ := c.Get(key, time.Now())
		return got
	}

	epoch := c.CurrentEpoch()
	c.Drop("s1") // a change committed while the load was reading
	c.Put("s1", entry, later, epoch)
	if lookup("s1") != nil {
		t.Fatal("a load overtaken by a change was kept")
	}

	c.Put("s1", entry, later, c.CurrentEpoch())
	if got := lookup("s1"); got != entry || !got.has("u1") || got.has("u2") {
		t.Fatalf("a load with no change since: lookup %v", got)
	}
	c.Drop("s1")
	if lookup("s1") != nil {
		t.Fatal("a change left the entry")
	}

	c.Put("s2", entry, time.Now().Add(-time.Second), c.CurrentEpoch())
	if lookup("s2") != nil {
		t.Fatal("an expired entry was used")
	}

	// dropIf takes what matches, and only that
	other := &seats{}
	c.Put("s3", entry, later, c.CurrentEpoch())
	c.Put("s4", other, later, c.CurrentEpoch())
	c.DropIf(func(s *seats) bool { return s == entry })
	if lookup("s3") != nil || lookup("s4") != other {
		t.Fatalf("dropIf: s3 %v, s4 %v", lookup("s3"), lookup("s4"))
	}

	// never more than its size
	for i := range 25 {
		c.Put(fmt.Sprint("n", i), other, later, c.CurrentEpoch())
	}
	if n := len(c.entries); n > 10 {
		t.Fatalf("%d entries, size 10", n)
	}
}
