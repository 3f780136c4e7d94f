package calendar_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"studyhall/collections"
	"studyhall/testkit"
)

// tokenAnswer is the answer of the token routes.
type tokenAnswer struct {
	URL       string `json:"url"`
	WebcalURL string `json:"webcalUrl"`
}

// TestFeedToken: GET /api/calendar/token answers the same link every
// time, on the app's public URL and as webcal://; POST makes a new one,
// which GET then answers; both want a signed-in user.
func TestFeedToken(t *testing.T) {
	t.Parallel()
	_, srv := newCalendarApp(t)
	token := testkit.Tokens[testkit.Student]
	call := func(method string) tokenAnswer {
		t.Helper()
		var a tokenAnswer
		if status := testkit.ApiRequest(t, srv.URL, method, "/api/calendar/token", token, nil, &a); status != http.StatusOK {
			t.Fatalf("%s /api/calendar/token: %d", method, status)
		}
		return a
	}
	first, again := call(http.MethodGet), call(http.MethodGet)
	if first != again {
		t.Errorf("GET twice: %v then %v, want the same link", first, again)
	}
	if !strings.HasPrefix(first.URL, srv.URL+"/api/calendar/") || !strings.HasSuffix(first.URL, ".ics") {
		t.Errorf("url %q, want %s/api/calendar/{token}.ics", first.URL, srv.URL)
	}
	if first.WebcalURL != "webcal://"+strings.TrimPrefix(first.URL, "http://") {
		t.Errorf("webcalUrl %q for url %q", first.WebcalURL, first.URL)
	}
	renewed := call(http.MethodPost)
	if renewed.URL == first.URL {
		t.Error("POST answered the old link")
	}
	if now := call(http.MethodGet); now != renewed {
		t.Errorf("GET after POST: %v, want %v", now, renewed)
	}

	for _, method := range []string{http.MethodGet, http.MethodPost} {
		status, header, body := sendAPI(t, method, srv.URL+"/api/calendar/token", "")
		checkError(t, method+" as a guest", status, header, body, http.StatusUnauthorized, "")
	}
}

// TestFeedTokenFirstUse: a user without a calendar key (made outside the
// records API) gets one on first use; many first uses at once agree on
// one link, and it works.
func TestFeedTokenFirstUse(t *testing.T) {
	t.Parallel()
	app, srv := newCalendarApp(t)
	user := testkit.InsertUsers(t, app, "calkeyless", 1)[0]
	record, err := app.FindRecordById(collections.Users, user.Id)
	if err != nil {
		t.Fatal(err)
	}
	if key := record.GetString(collections.UserCalendarKey); key != "" {
		t.Fatalf("the inserted user already has a key %q", key)
	}

	const n = 20
	urls := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			var a tokenAnswer
			if status := testkit.ApiRequest(t, srv.URL, http.MethodGet, "/api/calendar/token", user.Token, nil, &a); status != http.StatusOK {
				t.Errorf("first use %d: %d", i, status)
			}
			urls[i] = a.URL
		})
	}
	wg.Wait()
	for i, url := range urls {
		if url != urls[0] {
			t.Fatalf("first uses disagree: %q and %q (call %d)", urls[0], url, i)
		}
	}
	if status, _, body := fetch(t, urls[0], "", nil); status != http.StatusOK {
		t.Errorf("the link: %d %s", status, body)
	}
}

// TestCalendarKeyHidden: nobody reads a calendar key through the records
// API, the user included, and a user cannot set their own (which could
// bring a revoked link back).
func TestCalendarKeyHidden(t *testing.T) {
	t.Parallel()
	app, srv := newCalendarApp(t)
	url := feedURL(t, srv, testkit.Tokens[testkit.Student])
	var own map[string]any
	if status := testkit.ApiRequest(t, srv.URL, http.MethodGet, testkit.RecordsURL(collections.Users, testkit.IdStudent), testkit.Tokens[testkit.Student], nil, &own); status != http.StatusOK {
		t.Fatalf("view own record: %d", status)
	}
	if _, ok := own[collections.UserCalendarKey]; ok || own["name"] == nil {
		t.Errorf("the user's own record shows %s: %v", collections.UserCalendarKey, own)
	}
	before, _ := app.FindRecordById(collections.Users, testkit.IdStudent)
	testkit.ApiRequest(t, srv.URL, http.MethodPatch, testkit.RecordsURL(collections.Users, testkit.IdStudent), testkit.Tokens[testkit.Student],
		map[string]any{collections.UserCalendarKey: "chosen-by-the-user", "name": "Sam S."}, nil)
	after, _ := app.FindRecordById(collections.Users, testkit.IdStudent)
	if after.GetString(collections.UserCalendarKey) != before.GetString(collections.UserCalendarKey) || after.GetString("name") != "Sam S." {
		t.Errorf("a PATCH set the key to %q (was %q)", after.GetString(collections.UserCalendarKey), before.GetString(collections.UserCalendarKey))
	}
	if status, _, _ := fetch(t, url, "", nil); status != http.StatusOK {
		t.Errorf("the link after the PATCH: %d", status)
	}
}

// TestFeedTokenRateLimit: making new links is limited per user (429 with
// Retry-After); another user is not held back.
func TestFeedTokenRateLimit(t *testing.T) {
	t.Parallel()
	_, srv := newCalendarApp(t)
	for i := range 10 {
		if status := testkit.ApiRequest(t, srv.URL, http.MethodPost, "/api/calendar/token", testkit.Tokens[testkit.Student], nil, nil); status != http.StatusOK {
			t.Fatalf("call %d of the burst: %d", i+1, status)
		}
	}
	status, header, body := sendAPI(t, http.MethodPost, srv.URL+"/api/calendar/token", testkit.Tokens[testkit.Student])
	checkError(t, "over the limit", status, header, body, http.StatusTooManyRequests, "rate_limited")
	if header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	if status := testkit.ApiRequest(t, srv.URL, http.MethodPost, "/api/calendar/token", testkit.Tokens[testkit.OtherStudent], nil, nil); status != http.StatusOK {
		t.Errorf("another user: %d", status)
	}
}
