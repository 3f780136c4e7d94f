package calendar_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	ics "github.com/arran4/golang-ical"
	"github.com/pocketbase/pocketbase/tests"

	"studyhall/testkit"
)

// newCalendarApp is a test app with the live session fixtures, served on
// a real loopback server whose URL is the app's public URL (the links in
// events and the feed URL are made on it).
func newCalendarApp(t *testing.T) (*tests.TestApp, *httptest.Server) {
	t.Helper()
	app := testkit.NewRushApp(t)
	testkit.SeedLiveSessions(t, app)
	srv := testkit.StartServer(t, app)
	app.Settings().Meta.AppURL = srv.URL
	return app, srv
}

// fetch sends a GET to url with an optional Authorization token and extra
// headers, and returns the answer.
func fetch(t *testing.T, url, token string, headers map[string]string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(raw)
}

// sendAPI sends a bodiless request with an optional token and returns
// the answer.
func sendAPI(t *testing.T, method, url, token string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(raw)
}

// parseICS parses an iCalendar answer with the library, after checking it
// is one.
func parseICS(t *testing.T, header http.Header, body string) *ics.Calendar {
	t.Helper()
	if ct := header.Get("Content-Type"); ct != "text/calendar; charset=utf-8" {
		t.Fatalf("content type %q, want text/calendar; charset=utf-8", ct)
	}
	cal, err := ics.ParseCalendar(strings.NewReader(body))
	if err != nil {
		t.Fatalf("the answer does not parse: %v\n%s", err, body)
	}
	return cal
}

// eventsByUID are a calendar's events by UID.
func eventsByUID(cal *ics.Calendar) map[string]*ics.VEvent {
	out := map[string]*ics.VEvent{}
	for _, ev := range cal.Events() {
		out[ev.Id()] = ev
	}
	return out
}

// prop is an event property's value, "" when it has none.
func prop(ev *ics.VEvent, name ics.ComponentProperty) string {
	if p := ev.GetProperty(name); p != nil {
		return p.Value
	}
	return ""
}

// apiError is PocketBase's error shape.
type apiError struct {
	Status  int            `json:"status"`
	Message string         `json:"message"`
	Data    map[string]any `json:"data"`
}

// checkError fails unless the answer is PocketBase's error shape with the
// given status and, when code is set, data.code.
func checkError(t *testing.T, what string, status int, header http.Header, body string, wantStatus int, code string) {
	t.Helper()
	var e apiError
	if status != wantStatus || !strings.HasPrefix(header.Get("Content-Type"), "application/json") || json.Unmarshal([]byte(body), &e) != nil ||
		e.Status != wantStatus || !strings.HasSuffix(e.Message, ".") || e.Data == nil {
		t.Errorf("%s: %d %s %s; want a %d in PocketBase's error shape", what, status, header.Get("Content-Type"), body, wantStatus)
		return
	}
	if code != "" && e.Data["code"] != code {
		t.Errorf("%s: data %v, want code %q", what, e.Data, code)
	}
}

// sessionUID is the UID a session's event carries.
func sessionUID(id string) string { return "live-session-" + id + "@studyhall" }

// slotUID is the UID a slot's event carries.
func slotUID(id string) string { return "office-hours-" + id + "@studyhall" }
