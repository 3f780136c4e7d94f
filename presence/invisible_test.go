package presence_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/collections"
	"studyhall/presence"
	"studyhall/testkit"
)

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

// TestPresenceInvisibleIsSilent: an invisible user's heartbeats, activity
// changes and tabs send others nothing for 10 s, and their row reads the
// same to others before and after, as one who went offline when they
// turned invisible. A user already offline turns invisible without an
// event. Coming back is coming online.
func TestPresenceInvisibleIsSilent(t *testing.T) {
	t.Parallel()
	app := testkit.NewRushApp(t)
	// the subscribers are online themselves and must stay so, not away
	cfg := fastPresence
	cfg.AwayAfter = time.Minute
	presence.SetConfig(app, cfg)
	srv := testkit.StartServer(t, app)

	// two signed-in subscribers, as the web app subscribes
	observers := []*testkit.RealtimeClient{testkit.ConnectRealtime(t, srv.URL), testkit.ConnectRealtime(t, srv.URL)}
	observers[0].Subscribe(t, testkit.Tokens[testkit.OtherStudent], "presence/*")
	observers[1].Subscribe(t, testkit.Tokens[testkit.Instructor], "presence/*")
	readers := []string{testkit.OtherStudent, testkit.Instructor}
	put := func(actor string, body map[string]any) {
		t.Helper()
		if status := testkit.ApiRequest(t, srv.URL, http.MethodPut, "/api/presence/status", testkit.Tokens[actor], body, nil); status != http.StatusOK {
			t.Fatalf("status %v as %s: %d", body, actor, status)
		}
	}
	beat := func(actor string, body map[string]any) {
		t.Helper()
		if status := testkit.ApiRequest(t, srv.URL, http.MethodPost, "/api/presence/heartbeat", testkit.Tokens[actor], body, nil); status != http.StatusOK {
			t.Fatalf("heartbeat as %s: %d", actor, status)
		}
	}

	// already offline, then invisible: no event at all
	beat(testkit.OtherInstructor, map[string]any{"active": true})
	for _, o := range observers {
		waitPresence(t, o, testkit.IdOtherInstructor, presence.Online, 2*time.Second)
		waitPresence(t, o, testkit.IdOtherInstructor, presence.Offline, 2*time.Second)
	}
	for _, o := range observers {
		drainEvents(o, 200*time.Millisecond) // the subscribers' own presence
	}
	before := presenceRowAs(t, srv.URL, testkit.OtherStudent, testkit.IdOtherInstructor)
	put(testkit.OtherInstructor, map[string]any{"status": "invisible", "activity": "Hiding"})
	for _, o := range observers {
		o.ExpectNoEvent(t, 500*time.Millisecond)
	}
	if after := presenceRowAs(t, srv.URL, testkit.OtherStudent, testkit.IdOtherInstructor); !reflect.DeepEqual(before, after) {
		t.Errorf("an offline user turning invisible changed their row\nbefore %v\n after %v", before, after)
	}

	// online, then invisible: one offline event, like going offline
	tab := testkit.ConnectRealtime(t, srv.URL)
	tab.Subscribe(t, testkit.Tokens[testkit.Student], "presence/*")
	for _, o := range observers {
		waitPresence(t, o, testkit.IdStudent, presence.Online, 2*time.Second)
	}
	time.Sleep(time.Second) // so that the moment they hide is not the moment they came
	hid := time.Now()
	put(testkit.Student, map[string]any{"status": "invisible", "activity": "Secret plan"})
	for _, o := range observers {
		rec := waitPresence(t, o, testkit.IdStudent, presence.Offline, 2*time.Second)
		if _, leaked := rec["activity"]; leaked {
			t.Errorf("the offline event carries the activity: %v", rec)
		}
		if lastSeen, err := types.ParseDateTime(rec["lastSeen"]); err != nil || lastSeen.Time().Before(hid.Add(-50*time.Millisecond)) {
			t.Errorf("lastSeen %v, want the moment they turned invisible (%s)", rec["lastSeen"], hid.UTC())
		}
	}
	snapshot := map[string]map[string]any{}
	for _, r := range readers {
		snapshot[r] = presenceRowAs(t, srv.URL, r, testkit.IdStudent)
	}

	// 10 s of heartbeats, activity changes and a second tab
	deadline := time.Now().Add(10 * time.Second)
	for i := 0; time.Now().Before(deadline); i++ {
		switch i % 4 {
		case 0:
			beat(testkit.Student, map[string]any{"active": true, "activity": fmt.Sprintf("Reading %d", i)})
		case 1:
			put(testkit.Student, map[string]any{"status": "invisible", "activity": fmt.Sprintf("Writing %d", i)})
		case 2:
			beat(testkit.Student, map[string]any{"active": false})
		case 3:
			second := testkit.ConnectRealtime(t, srv.URL)
			second.Subscribe(t, testkit.Tokens[testkit.Student], "presence/*")
			time.Sleep(100 * time.Millisecond)
			second.Close()
		}
		time.Sleep(500 * time.Millisecond)
	}
	for _, o := range observers {
		o.ExpectNoEvent(t, 2*cfg.OfflineAfter)
	}
	for _, r := range readers {
		if after := presenceRowAs(t, srv.URL, r, testkit.IdStudent); !reflect.DeepEqual(snapshot[r], after) {
			t.Errorf("the invisible user's row changed for %s\nbefore %v\n after %v", r, snapshot[r], after)
		}
	}
	var own map[string]any
	testkit.ApiRequest(t, srv.URL, http.MethodPut, "/api/presence/status", testkit.Tokens[testkit.Student], map[string]any{"status": "invisible"}, &own)
	if own["manualStatus"] != presence.ManualInvisible || own["activity"] == nil {
		t.Errorf("the user's own row: %v", own)
	}

	// back: online again, with a fresh lastSeen
	put(testkit.Student, map[string]any{"status": "online"})
	for i, o := range observers {
		rec := waitPresence(t, o, testkit.IdStudent, presence.Online, 2*time.Second)
		if rec["lastSeen"] == snapshot[readers[i]]["lastSeen"] {
			t.Errorf("back online with the lastSeen of the moment they hid: %v", rec["lastSeen"])
		}
	}
}

// TestPresenceStatusRateLimit: a burst of status changes gets 429
// rate_limited with Retry-After, while another user goes on.
func TestPresenceStatusRateLimit(t *testing.T) {
	t.Parallel()
	app := testkit.NewRushApp(t)
	srv := testkit.StartServer(t, app)

	send := func(actor string) (*http.Response, map[string]any) {
		req, _ := http.NewRequest(http.MethodPut, srv.URL+"/api/presence/status", strings.NewReader(`{"status":"busy"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", testkit.Tokens[actor])
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var body map[string]any
		json.NewDecoder(res.Body).Decode(&body)
		return res, body
	}
	var limited *http.Response
	var limitedBody map[string]any
	for range 30 {
		if res, body := send(testkit.Student); res.StatusCode == http.StatusTooManyRequests {
			limited, limitedBody = res, body
			break
		}
	}
	if limited == nil {
		t.Fatal("30 status changes at once were all accepted")
	}
	if retry, err := strconv.Atoi(limited.Header.Get("Retry-After")); err != nil || retry < 1 {
		t.Errorf("Retry-After %q", limited.Header.Get("Retry-After"))
	}
	if data, _ := limitedBody["data"].(map[string]any); data["code"] != "rate_limited" {
		t.Errorf("429 body %v", limitedBody)
	}
	if res, _ := send(testkit.OtherStudent); res.StatusCode != http.StatusOK {
		t.Errorf("another user: %d", res.StatusCode)
	}
}
