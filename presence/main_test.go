package presence_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"studyhall/collections"
	"studyhall/presence"
	"studyhall/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// fastPresence shortens presence's limits so that a test sees offline and
// away in well under a second.
var fastPresence = presence.Config{
	OfflineAfter: 400 * time.Millisecond,
	AwayAfter:    1200 * time.Millisecond,
	SweepEvery:   50 * time.Millisecond,
}

// waitPresence reads c's events until one says userId's presence is
// status, and fails the test if none does within timeout. It returns the
// record as the subscriber saw it.
func waitPresence(t *testing.T, c *testkit.RealtimeClient, userId, status string, timeout time.Duration) map[string]any {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var seen []string
	for time.Now().Before(deadline) {
		ev, ok := c.NextEvent(time.Until(deadline))
		if !ok {
			break
		}
		var data testkit.RecordEvent
		if json.Unmarshal(ev.Data, &data) != nil || data.Record["user"] != userId {
			continue
		}
		seen = append(seen, data.Record["status"].(string))
		if data.Record["status"] == status {
			return data.Record
		}
	}
	t.Fatalf("presence of %s never became %q within %s (saw %v)", userId, status, timeout, seen)
	return nil
}

// expectNoPresenceChange fails if, within d, c sees userId's presence
// become anything but status.
func expectNoPresenceChange(t *testing.T, c *testkit.RealtimeClient, userId, status string, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		ev, ok := c.NextEvent(time.Until(deadline))
		if !ok {
			return
		}
		var data testkit.RecordEvent
		if json.Unmarshal(ev.Data, &data) == nil && data.Record["user"] == userId && data.Record["status"] != status {
			t.Fatalf("presence of %s flashed %q", userId, data.Record["status"])
		}
	}
}

// presenceRowAs is userId's presence row as actor reads it over REST.
func presenceRowAs(t *testing.T, baseURL, actor, userId string) map[string]any {
	t.Helper()
	var body struct {
		Items []map[string]any `json:"items"`
	}
	path := testkit.RecordsURL(collections.Presence) + "?filter=" + url.QueryEscape("user = '"+userId+"'")
	if status := testkit.ApiRequest(t, baseURL, http.MethodGet, path, testkit.Tokens[actor], nil, &body); status != http.StatusOK || len(body.Items) != 1 {
		t.Fatalf("presence of %s as %s: %d %v", userId, actor, status, body.Items)
	}
	return body.Items[0]
}

// drainEvents reads and drops c's events for d.
func drainEvents(c *testkit.RealtimeClient, d time.Duration) {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if _, ok := c.NextEvent(time.Until(deadline)); !ok {
			return
		}
	}
}
