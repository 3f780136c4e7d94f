package realtime

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/subscriptions"
)

// The SSE loop of a realtime connection, run by studyhall in place of
// PocketBase's (apis/realtime.go, realtimeConnect) through the
// OnRealtimeConnectRequest hook. It is the innermost handler and does what
// PocketBase's final handler does: register the client, send PB_CONNECT,
// end the stream after 5 idle or 30 minutes, write every message sent to
// the client through OnRealtimeMessageSend. What differs is how messages
// reach it: Send queues them on the connection instead of handing them
// over one by one through an unbuffered channel, and the loop writes
// everything queued at once and flushes once.
//
// PocketBase's loop costs, per event and per client, a five-way select, a
// hook event, five writes and a flush, and the sender blocks until the
// connection takes the message, so the fan-out needed a goroutine per busy
// client to keep a slow one from holding up the rest. A chat message to
// 1,000 subscribers paid that 1,000 times; a connection that fell behind
// (a lecture room's burst) paid it again for every event it had queued.

// streamClient is a realtime client whose messages are queued for
// serveStream. It is PocketBase's DefaultClient (id, store,
// subscriptions) with Send and Discard replaced.
type streamClient struct {
	*subscriptions.DefaultClient

	mu      sync.Mutex
	pending []subscriptions.Message
	// stop says why the loop must end ("" while it runs): the client was
	// discarded, the request ended, or a timeout passed
	stop string
	// wake holds one token while there is something the loop has not seen
	wake chan struct{}

	// subsMu orders subscription changes, so that names follows them
	subsMu sync.Mutex
	// names is a copy of the subscription names, replaced whole on every
	// change: PocketBase asks every client, for every record saved
	// anywhere, for its subscriptions under six prefixes, and the copy
	// answers "none" without a lock or an allocation
	names atomic.Pointer[subscriptionNames]

	discarded atomic.Bool
}

// subscriptionNames is a client's subscription names, as a list to walk
// and a set to look up.
type subscriptionNames struct {
	list []string
	set  map[string]struct{}
}

var _ subscriptions.Client = (*streamClient)(nil)

func newStreamClient(c *subscriptions.DefaultClient) *streamClient {
	client := &streamClient{DefaultClient: c, wake: make(chan struct{}, 1)}
	client.copyNames()
	return client
}

// copyNames refreshes names from the client's subscriptions.
func (c *streamClient) copyNames() {
	subs := c.DefaultClient.Subscriptions()
	names := &subscriptionNames{set: make(map[string]struct{}, len(subs))}
	for name := range subs {
		names.list = append(names.list, name)
		names.set[name] = struct{}{}
	}
	c.names.Store(names)
}

// Subscribe implements subscriptions.Client.
func (c *streamClient) Subscribe(subs ...string) {
	c.subsMu.Lock()
	defer c.subsMu.Unlock()
	c.DefaultClient.Subscribe(subs...)
	c.copyNames()
}

// Unsubscribe implements subscriptions.Client.
func (c *streamClient) Unsubscribe(subs ...string) {
	c.subsMu.Lock()
	defer c.subsMu.Unlock()
	c.DefaultClient.Unsubscribe(subs...)
	c.copyNames()
}

// HasSubscription implements subscriptions.Client. A client has one or
// two subscriptions as a rule (the fan-out asks for each event): a few
// string compares cost less than hashing the name.
func (c *streamClient) HasSubscription(sub string) bool {
	names := c.names.Load()
	if len(names.list) > 8 {
		_, ok := names.set[sub]
		return ok
	}
	for _, name := range names.list {
		if name == sub {
			return true
		}
	}
	return false
}

// IsDiscarded implements subscriptions.Client without a lock: the fan-out
// asks every listener for each event.
func (c *streamClient) IsDiscarded() bool {
	return c.discarded.Load()
}

// Subscriptions implements subscriptions.Client: DefaultClient's answer
// (a new map with the options parsed), or nil at no cost when no
// subscription has any of the prefixes, which is the usual answer.
func (c *streamClient) Subscriptions(prefixes ...string) map[string]subscriptions.SubscriptionOptions {
	if len(prefixes) > 0 && !c.hasPrefixed(prefixes) {
		return nil
	}
	return c.DefaultClient.Subscriptions(prefixes...)
}

// hasPrefixed reports whether a subscription has one of the prefixes as
// DefaultClient matches them: strings.HasPrefix(name+"?", prefix).
func (c *streamClient) hasPrefixed(prefixes []string) bool {
	for _, name := range c.names.Load().list {
		for _, prefix := range prefixes {
			if strings.HasPrefix(name, prefix) ||
				(len(prefix) == len(name)+1 && prefix[len(name)] == '?' && strings.HasPrefix(prefix, name)) {
				return true
			}
		}
	}
	return false
}

// Send implements subscriptions.Client: it queues m and never blocks.
// Messages sent to a discarded client are dropped, as PocketBase drops
// them.
func (c *streamClient) Send(m subscriptions.Message) {
	c.push(m)
}

// push queues messages in order, in one step, and wakes the loop.
func (c *streamClient) push(messages ...subscriptions.Message) {
	c.mu.Lock()
	if c.stop != "" {
		c.mu.Unlock()
		return
	}
	c.pending = append(c.pending, messages...)
	c.mu.Unlock()
	c.signal()
}

func (c *streamClient) signal() {
	select {
	case c.wake <- struct{}{}:
	default: // already woken: the loop takes everything queued
	}
}

// Discard implements subscriptions.Client and ends the loop.
func (c *streamClient) Discard() {
	c.DefaultClient.Discard()
	c.discarded.Store(true)
	c.end("closed client")
}

// end makes the loop stop for reason (the first reason given wins).
func (c *streamClient) end(reason string) {
	c.mu.Lock()
	if c.stop == "" {
		c.stop = reason
	}
	c.pending = nil
	c.mu.Unlock()
	c.signal()
}

// take swaps the queued messages for spare (emptied), so that the two
// slices are reused and a steady stream allocates nothing; stop is
// non-empty when the loop must end.
func (c *streamClient) take(spare []subscriptions.Message) (batch []subscriptions.Message, stop string) {
	clear(spare)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stop != "" {
		return spare[:0], c.stop
	}
	batch = c.pending
	c.pending = spare[:0]
	return batch, ""
}

// bindStreams makes serveStream the loop of every realtime connection.
func bindStreams(app core.App) {
	app.OnRealtimeConnectRequest().Bind(&hook.Handler[*core.RealtimeConnectRequestEvent]{
		Func: serveStream,
		// innermost: every other handler runs its part before e.Next() now
		// and its part after it once the connection has closed, as around
		// PocketBase's own loop, which this one replaces
		Priority: 1 << 30,
	})
}

// serveStream is PocketBase's realtimeConnect loop (v0.39.11) with queued
// sends written in batches. It does not call e.Next(): it is the loop.
func serveStream(e *core.RealtimeConnectRequestEvent) error {
	base, ok := e.Client.(*subscriptions.DefaultClient)
	if !ok {
		return e.Next() // another handler chose the client: PocketBase's loop
	}
	client := newStreamClient(base)
	e.Client = client

	e.App.SubscriptionsBroker().Register(client)
	defer e.App.SubscriptionsBroker().Unregister(client.Id())
	e.App.Logger().Debug("Realtime connection established", slog.String("clientId", client.Id()))

	// the stream is the rest of the connection: its end is the
	// connection's close, as the SSE recommendation sets it up, rather
	// than a chunked body (net/http formats a chunk header, allocating,
	// for every write)
	e.Response.Header().Set("Transfer-Encoding", "identity")

	w := &sseWriter{e: e, id: client.Id()}
	err := w.write(subscriptions.Message{Name: "PB_CONNECT", Data: []byte(`{"clientId":"` + client.Id() + `"}`)})
	if err == nil {
		err = w.flush()
	}
	if err != nil {
		e.App.Logger().Debug("Realtime connection closed (failed to deliver PB_CONNECT)",
			slog.String("clientId", client.Id()), slog.String("error", err.Error()))
		return nil
	}

	// the timers and the request's end stop the loop through its queue,
	// so that it waits on one channel only
	maxTimer := time.AfterFunc(e.MaxTimeout, func() { client.end("max timeout") })
	defer maxTimer.Stop()
	idleTimer := time.AfterFunc(e.IdleTimeout, func() { client.end("idle timeout") })
	defer idleTimer.Stop()
	stopCancel := context.AfterFunc(e.Request.Context(), func() { client.end("cancelled request") })
	defer stopCancel()

	var batch []subscriptions.Message
	for range client.wake {
		var stop string
		batch, stop = client.take(batch)
		if stop != "" {
			e.App.Logger().Debug("Realtime connection closed ("+stop+")", slog.String("clientId", client.Id()))
			return nil
		}
		if len(batch) == 0 {
			continue // a wake whose messages went out with the previous batch
		}
		for i := 0; err == nil && i < len(batch); i++ {
			err = w.write(batch[i])
		}
		if err == nil {
			err = w.flush()
		}
		if err != nil {
			e.App.Logger().Debug("Realtime connection closed (failed to deliver message)",
				slog.String("clientId", client.Id()), slog.String("error", err.Error()))
			return nil
		}
		idleTimer.Reset(e.IdleTimeout)
	}
	return nil
}

// sseWriter writes messages as SSE frames to one connection, buffered
// until flush.
type sseWriter struct {
	e  *core.RealtimeConnectRequestEvent
	id string // the client's
	// buf is a frame buffer from framePool between a write and the
	// flush, nil otherwise
	buf *[]byte
}

// framePool holds the frame buffers of connections between two flushes,
// so that an idle connection keeps none.
var framePool = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledFrames bounds the buffers given back to framePool: an unusually
// large batch is left to the GC.
const maxPooledFrames = 64 << 10

// write sends m as PocketBase does, "id:<clientId>\nevent:<name>\ndata:<data>\n\n",
// through the OnRealtimeMessageSend hook when anything is bound to it (the
// handlers see and may change or drop each message, as with PocketBase's
// loop), else straight into the frame buffer.
func (w *sseWriter) write(m subscriptions.Message) error {
	if w.e.App.OnRealtimeMessageSend().Length() > 0 {
		return w.writeThroughHook(m)
	}
	if w.buf == nil {
		w.buf = framePool.Get().(*[]byte)
	}
	*w.buf = appendFrame(*w.buf, w.id, m)
	return nil
}

func (w *sseWriter) writeThroughHook(m subscriptions.Message) error {
	// a handler may write to the response itself: what is buffered goes
	// first
	if err := w.writeBuffered(); err != nil {
		return err
	}
	event := new(core.RealtimeMessageEvent)
	event.RequestEvent = w.e.RequestEvent
	event.Client = w.e.Client
	event.Message = &m
	return w.e.App.OnRealtimeMessageSend().Trigger(event, func(me *core.RealtimeMessageEvent) error {
		return me.Message.WriteSSE(me.Response, me.Client.Id())
	})
}

// writeBuffered writes the buffered frames to the response and gives the
// buffer back.
func (w *sseWriter) writeBuffered() error {
	if w.buf == nil {
		return nil
	}
	_, err := w.e.Response.Write(*w.buf)
	if cap(*w.buf) <= maxPooledFrames {
		*w.buf = (*w.buf)[:0]
		framePool.Put(w.buf)
	}
	w.buf = nil
	return err
}

// flush writes the buffered frames and flushes the response once.
func (w *sseWriter) flush() error {
	if err := w.writeBuffered(); err != nil {
		return err
	}
	return http.NewResponseController(w.e.Response).Flush()
}

// appendFrame appends m as one SSE frame.
func appendFrame(buf []byte, clientId string, m subscriptions.Message) []byte {
	buf = append(buf, "id:"...)
	buf = append(buf, clientId...)
	buf = append(buf, "\nevent:"...)
	buf = append(buf, m.Name...)
	buf = append(buf, "\ndata:"...)
	buf = append(buf, m.Data...)
	return append(buf, "\n\n"...)
}
