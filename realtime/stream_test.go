package realtime_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/subscriptions"

	"studyhall/realtime"
	"studyhall/testkit"
)

// The realtime loop of realtime/stream.go, over real SSE connections to
// the whole studyhall app.

func TestMain(m *testing.M) { testkit.Main(m) }

// seqOf reads {"seq":n} (or {"wrapped":{"seq":n}}) from an event's data.
func seqOf(t *testing.T, data []byte) int {
	t.Helper()
	var v struct {
		Seq     *int `json:"seq"`
		Wrapped *struct {
			Seq int `json:"seq"`
		} `json:"wrapped"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("bad event data %q: %v", data, err)
	}
	switch {
	case v.Seq != nil:
		return *v.Seq
	case v.Wrapped != nil:
		return v.Wrapped.Seq
	}
	t.Fatalf("no seq in %q", data)
	return -1
}

// expectSeqs reads len(want) events named name and checks their order.
func expectSeqs(t *testing.T, c *testkit.RealtimeClient, name string, want []int) {
	t.Helper()
	for i, w := range want {
		ev, ok := c.NextEvent(5 * time.Second)
		if !ok {
			t.Fatalf("client %s: event %d of %d (seq %d) never came", c.ClientId, i+1, len(want), w)
		}
		if ev.Name != name {
			t.Fatalf("client %s: event %q, want %q", c.ClientId, ev.Name, name)
		}
		if got := seqOf(t, ev.Data); got != w {
			t.Fatalf("client %s: event %d has seq %d, want %d", c.ClientId, i+1, got, w)
		}
	}
}

func seqs(from, to int) []int {
	s := make([]int, 0, to-from)
	for i := from; i < to; i++ {
		s = append(s, i)
	}
	return s
}

// A burst is written in batches; every subscriber gets every event once,
// in publish order, and those sent to a client directly (PocketBase's own
// broadcasts go through Client.Send) too.
func TestStreamDeliversBurstsInOrder(t *testing.T) {
	t.Parallel()
	app := testkit.NewRushApp(t)
	srv := testkit.StartServer(t, app)

	const topic, events, listeners = "test/burst", 500, 12
	clients := make([]*testkit.RealtimeClient, listeners)
	for i := range clients {
		clients[i] = testkit.ConnectRealtime(t, srv.URL)
		clients[i].Subscribe(t, testkit.Tokens[testkit.Student], topic)
	}
	bystander := testkit.ConnectRealtime(t, srv.URL)
	bystander.Subscribe(t, testkit.Tokens[testkit.Student], "test/other")

	fanout := realtime.Get(app)
	for seq := range events {
		fanout.PublishTopic(topic, map[string]any{"seq": seq})
	}
	var wg sync.WaitGroup
	for _, c := range clients {
		wg.Go(func() { expectSeqs(t, c, topic, seqs(0, events)) })
	}
	wg.Wait()

	// the same through Client.Send, from two senders at once: each
	// sender's messages in its order
	for _, c := range clients[:2] {
		client, err := app.SubscriptionsBroker().ClientById(c.ClientId)
		if err != nil {
			t.Fatal(err)
		}
		for seq := range 100 {
			client.Send(subscriptions.Message{Name: "direct", Data: fmt.Appendf(nil, `{"seq":%d}`, seq)})
		}
		expectSeqs(t, c, "direct", seqs(0, 100))
	}

	for _, c := range clients {
		c.ExpectNoEvent(t, 50*time.Millisecond)
	}
	bystander.ExpectNoEvent(t, 10*time.Millisecond)
}

// Handlers of OnRealtimeMessageSend still see every message, may change
// it or drop it, in order.
func TestStreamKeepsMessageSendHook(t *testing.T) {
	t.Parallel()
	app := testkit.NewRushApp(t)
	const topic = "test/hooked"
	app.OnRealtimeMessageSend().Bind(&hook.Handler[*core.RealtimeMessageEvent]{
		Func: func(e *core.RealtimeMessageEvent) error {
			if e.Message.Name != topic {
				return e.Next()
			}
			var v struct{ Seq int }
			if err := json.Unmarshal(e.Message.Data, &v); err != nil {
				return err
			}
			if v.Seq%5 == 4 {
				return nil // dropped
			}
			e.Message.Data = fmt.Appendf(nil, `{"wrapped":%s}`, e.Message.Data)
			return e.Next()
		},
	})
	srv := testkit.StartServer(t, app)
	c := testkit.ConnectRealtime(t, srv.URL)
	c.Subscribe(t, testkit.Tokens[testkit.Student], topic)

	var want []int
	for seq := range 200 {
		realtime.Get(app).PublishTopic(topic, map[string]any{"seq": seq})
		if seq%5 != 4 {
			want = append(want, seq)
		}
	}
	for range want {
		ev, ok := c.NextEvent(5 * time.Second)
		if !ok {
			t.Fatal("missing event")
		}
		if string(ev.Data[:11]) != `{"wrapped":` {
			t.Fatalf("event not seen by the hook: %s", ev.Data)
		}
		if got := seqOf(t, ev.Data); got != want[0] {
			t.Fatalf("seq %d, want %d", got, want[0])
		}
		want = want[1:]
	}
	c.ExpectNoEvent(t, 50*time.Millisecond)
}

// The stream ends as PocketBase's does: after the idle timeout a handler
// set, and when the client goes away; either way the client leaves the
// broker.
func TestStreamEndsAndUnregisters(t *testing.T) {
	t.Parallel()
	app := testkit.NewRushApp(t)
	var connects atomic.Int32
	app.OnRealtimeConnectRequest().BindFunc(func(e *core.RealtimeConnectRequestEvent) error {
		if connects.Add(1) == 1 { // the first connection is the idle one
			e.IdleTimeout = 300 * time.Millisecond
		}
		return e.Next()
	})
	srv := testkit.StartServer(t, app)

	testkit.ConnectRealtime(t, srv.URL) // idle
	busy := testkit.ConnectRealtime(t, srv.URL)
	busy.Subscribe(t, "", "test/ping")

	// the busy one keeps its stream by receiving events; the idle one is
	// ended
	deadline := time.Now().Add(5 * time.Second)
	for app.SubscriptionsBroker().TotalClients() != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("%d clients after the idle timeout, want 1", app.SubscriptionsBroker().TotalClients())
		}
		realtime.Get(app).PublishTopic("test/ping", map[string]any{"seq": 0})
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := app.SubscriptionsBroker().ClientById(busy.ClientId); err != nil {
		t.Fatalf("the busy client was dropped: %v", err)
	}

	busy.Close()
	for app.SubscriptionsBroker().TotalClients() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d clients after the last closed, want 0", app.SubscriptionsBroker().TotalClients())
		}
		time.Sleep(20 * time.Millisecond)
	}
	status := testkit.ApiRequest(t, srv.URL, http.MethodPost, "/api/realtime", "", map[string]any{"clientId": busy.ClientId, "subscriptions": []string{"x"}}, nil)
	if status != http.StatusNotFound {
		t.Fatalf("subscribe for a closed client: %d, want 404", status)
	}
}

// The stream is the rest of the connection, not a chunked body: what a
// client reads after the headers is the SSE frames themselves.
func TestStreamIsNotChunked(t *testing.T) {
	t.Parallel()
	app := testkit.NewRushApp(t)
	srv := testkit.StartServer(t, app)

	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(conn, "GET /api/realtime HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n")
	reader := bufio.NewReader(conn)
	res, err := http.ReadResponse(reader, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.TransferEncoding) > 0 || res.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("transfer encoding %v, content type %q", res.TransferEncoding, res.Header.Get("Content-Type"))
	}
	first, err := reader.ReadString('\n')
	if err != nil || !strings.HasPrefix(first, "id:") {
		t.Fatalf("body starts with %q (%v), want the PB_CONNECT frame", first, err)
	}
}
