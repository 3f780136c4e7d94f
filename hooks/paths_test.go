package hooks_test

import (
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"studyhall/testkit"
	"studyhall/webapp"
)

// serveForReal runs app the way `studyhall serve` does, through
// apis.Serve on a loopback port (the server's handler wrapped as in
// production), until the test ends. It returns the base URL.
func serveForReal(t testing.TB, app *tests.TestApp) string {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		e.Listener = listener
		e.InstallerFunc = nil
		return e.Next()
	})
	done := make(chan error, 1)
	go func() {
		done <- apis.Serve(app, apis.ServeConfig{HttpAddr: listener.Addr().String()})
	}()
	t.Cleanup(func() {
		app.Cleanup() // terminates the app, which shuts the server down
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	base := "http://" + listener.Addr().String()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		res, err := http.Get(base + "/api/health")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return base
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server did not start: %v", err)
		}
	}
}

// noRedirects is a client that shows a redirect instead of following it.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// TestAPIPathsAnswerJSON404 serves the app as `studyhall serve` does, the
// web app's index fallback included: an unknown path under /api/ or /_/
// answers PocketBase's JSON 404 to every method, as does an /api/ path
// that is not clean (an empty or ".." id) instead of a redirect, while a
// client-side route of the web app still gets index.html.
func TestAPIPathsAnswerJSON404(t *testing.T) {
	t.Parallel()
	app := testkit.NewTestApp(t)
	public := t.TempDir()
	const index = "<!doctype html><title>studyhall web app</title>"
	if err := os.WriteFile(filepath.Join(public, "index.html"), []byte(index), 0o644); err != nil {
		t.Fatal(err)
	}
	webapp.Register(app, public, true)
	base := serveForReal(t, app)

	send := func(method, path string) (int, http.Header, []byte) {
		t.Helper()
		req, err := http.NewRequest(method, base+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", testkit.Tokens[testkit.Student])
		res, err := noRedirects.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		return res.StatusCode, res.Header, raw
	}

	methods := []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch}
	unknown := []string{
		"/api/nonexistent",
		"/api/live-sessions/x/attendee",
		"/api/",
		"/api",
		"/_/nope",
		"/_/nope/deeper",
	}
	unclean := []string{
		"/api/live-sessions//join",
		"/api/live-sessions/../join",
		"/api/live-sessions/%2E%2E/join",
		"/api/live-sessions/%2e%2e/join",
		"/api/live-sessions/./join",
		"/api//notifications/unread-count",
		"/api/notifications/x/../read",
		"/api/..",
	}
	for _, path := range append(unknown, unclean...) {
		for _, method := range methods {
			status, header, raw := send(method, path)
			checkAPIError(t, method+" "+path, status, header, raw, http.StatusNotFound)
		}
		if status, _, _ := send(http.MethodHead, path); status != http.StatusNotFound {
			t.Errorf("HEAD %s: status %d, want 404", path, status)
		}
	}

	// the web app keeps its client-side routes and files
	for _, path := range []string{"/", "/some/client/route", "/apix", "/_x"} {
		status, header, raw := send(http.MethodGet, path)
		if status != http.StatusOK || !strings.HasPrefix(header.Get("Content-Type"), "text/html") || string(raw) != index {
			t.Errorf("GET %s: status %d, %s, %.100q; want the web app's index.html", path, status, header.Get("Content-Type"), raw)
		}
	}
	// a known route still answers
	if status, _, raw := send(http.MethodGet, "/api/notifications/unread-count"); status != http.StatusOK {
		t.Errorf("GET /api/notifications/unread-count: status %d: %s", status, raw)
	}
}
