package testkit

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
)

// Realtime test helpers: a real HTTP server for a test app and a client of
// PocketBase's realtime protocol over a real SSE connection, as the JS SDK
// speaks it. Any domain with realtime claims can reuse them:
//
//	srv := startServer(t, app)
//	c := connectRealtime(t, srv.URL)
//	c.subscribe(t, tokens[student], "notifications/*")
//	ev := c.expectEvent(t, "notifications/*", 2*time.Second)
//	c.expectNoEvent(t, 300*time.Millisecond)

// StartServer serves app on a real loopback HTTP server, with the router
// built the way `studyhall serve` builds it: PocketBase's routes plus every
// OnServe binding (tests/api.go does the same for ApiScenario). The server
// and its open connections are closed when the test ends.
func StartServer(t testing.TB, app *tests.TestApp) *httptest.Server {
	t.Helper()
	router, err := apis.NewRouter(app)
	if err != nil {
		t.Fatal(err)
	}
	var mux http.Handler
	serveEvent := &core.ServeEvent{App: app, Router: router}
	err = app.OnServe().Trigger(serveEvent, func(e *core.ServeEvent) error {
		built, err := e.Router.BuildMux()
		mux = built
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
	})
	return srv
}

// ApiRequest sends a JSON request to srv with an optional Authorization
// token and decodes the JSON answer into out (when not nil). It returns
// the status code.
func ApiRequest(t testing.TB, baseURL, method, path, token string, body any, out any) int {
	t.Helper()
	var reader io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		reader = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, baseURL+path, reader)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: decode %q: %v", method, path, raw, err)
		}
	}
	return res.StatusCode
}

// sseEvent is one server-sent event.
type sseEvent struct {
	Id   string
	Name string
	Data []byte
}

// RecordEvent is the data of a PocketBase record event.
type RecordEvent struct {
	Action string         `json:"action"`
	Record map[string]any `json:"record"`
}

// RealtimeClient is one realtime connection: GET /api/realtime streams
// events, POST /api/realtime sets its subscriptions.
type RealtimeClient struct {
	baseURL  string
	ClientId string
	events   chan sseEvent
	cancel   context.CancelFunc
}

// realtimeTransport keeps many SSE connections to one host open at once
// (benchmarks open a thousand).
var realtimeTransport = &http.Transport{MaxIdleConnsPerHost: 2000}

// ConnectRealtime opens a realtime connection to the server at baseURL and
// waits for PB_CONNECT. The connection is closed when the test ends.
func ConnectRealtime(t testing.TB, baseURL string) *RealtimeClient {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+"/api/realtime", nil)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	res, err := (&http.Client{Transport: realtimeTransport}).Do(req)
	if err != nil {
		cancel()
		t.Fatalf("realtime connect: %v", err)
	}
	c := &RealtimeClient{baseURL: baseURL, events: make(chan sseEvent, 1024), cancel: cancel}
	t.Cleanup(cancel)
	go c.read(res.Body)

	select {
	case ev := <-c.events:
		if ev.Name != "PB_CONNECT" {
			t.Fatalf("realtime connect: first event %q, want PB_CONNECT", ev.Name)
		}
		var connect struct {
			ClientId string `json:"clientId"`
		}
		if err := json.Unmarshal(ev.Data, &connect); err != nil || connect.ClientId == "" {
			t.Fatalf("realtime connect: bad PB_CONNECT data %q", ev.Data)
		}
		c.ClientId = connect.ClientId
	case <-time.After(5 * time.Second):
		t.Fatal("realtime connect: no PB_CONNECT within 5s")
	}
	return c
}

// read parses the SSE stream into events until the connection closes.
func (c *RealtimeClient) read(body io.ReadCloser) {
	defer body.Close()
	defer close(c.events)
	reader := bufio.NewReaderSize(body, 64<<10)
	var ev sseEvent
	for {
		line, err := reader.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		switch {
		case line == "":
			if ev.Name != "" || len(ev.Data) > 0 {
				c.events <- ev
			}
			ev = sseEvent{}
		case strings.HasPrefix(line, "id:"):
			ev.Id = strings.TrimPrefix(line, "id:")
		case strings.HasPrefix(line, "event:"):
			ev.Name = strings.TrimPrefix(line, "event:")
		case strings.HasPrefix(line, "data:"):
			ev.Data = append(ev.Data, strings.TrimPrefix(line, "data:")...)
		}
	}
}

// Subscribe replaces the connection's subscriptions, authenticated with
// token (empty for a guest), and fails the test unless PocketBase answers
// 204.
func (c *RealtimeClient) Subscribe(t testing.TB, token string, subscriptions ...string) {
	t.Helper()
	body := map[string]any{"clientId": c.ClientId, "subscriptions": subscriptions}
	if status := ApiRequest(t, c.baseURL, http.MethodPost, "/api/realtime", token, body, nil); status != http.StatusNoContent {
		t.Fatalf("realtime subscribe: status %d", status)
	}
}

// Close ends the connection.
func (c *RealtimeClient) Close() {
	c.cancel()
}

// NextEvent waits up to timeout for the next event.
func (c *RealtimeClient) NextEvent(timeout time.Duration) (sseEvent, bool) {
	select {
	case ev, ok := <-c.events:
		return ev, ok
	case <-time.After(timeout):
		return sseEvent{}, false
	}
}

// ExpectEvent waits up to timeout for the next event, fails the test
// unless it is a record event named name, and returns its data.
func (c *RealtimeClient) ExpectEvent(t testing.TB, name string, timeout time.Duration) RecordEvent {
	t.Helper()
	ev, ok := c.NextEvent(timeout)
	if !ok {
		t.Fatalf("no %q event within %s", name, timeout)
	}
	if ev.Name != name {
		t.Fatalf("event %q (%s), want %q", ev.Name, ev.Data, name)
	}
	var data RecordEvent
	if err := json.Unmarshal(ev.Data, &data); err != nil {
		t.Fatalf("event %q: bad data %q: %v", name, ev.Data, err)
	}
	return data
}

// ExpectNoEvent fails the test if any event arrives within d.
func (c *RealtimeClient) ExpectNoEvent(t testing.TB, d time.Duration) {
	t.Helper()
	if ev, ok := c.NextEvent(d); ok {
		t.Fatalf("unexpected event %q: %s", ev.Name, ev.Data)
	}
}
