package testkit

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
)

// ServeAs sends one request as actor through the routes of a scenario's
// serve event, for a tests.ApiScenario BeforeTestFunc whose setup is a
// call to another route (a heartbeat, a read mark), and fails the test
// unless it answers want. body is JSON, or "" for none.
func ServeAs(t testing.TB, e *core.ServeEvent, actor, method, url, body string, want int) {
	t.Helper()
	mux, err := e.Router.BuildMux()
	if err != nil {
		t.Fatal(err)
	}
	var reader io.Reader
	if body != "" {
		reader = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, url, reader)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range AuthHeader(actor) {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	if rec.Code != want {
		t.Fatalf("%s %s as %s: %d %s, want %d", method, url, actor, rec.Code, rec.Body, want)
	}
}
