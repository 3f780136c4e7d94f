package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// The realtime protocol as PocketBase (apis/realtime.go) and its JS SDK
// speak it:
//
//  1. GET /api/realtime opens a text/event-stream. The server registers a
//     client and writes a first event named PB_CONNECT whose data is
//     {"clientId":"..."}. Every event is written as
//     "id:<clientId>\nevent:<name>\ndata:<json>\n\n".
//  2. POST /api/realtime {"clientId": "...", "subscriptions": [...]} with
//     the user's token in Authorization sets the client's topics (it
//     replaces the previous set) and binds the client to that auth; the
//     answer is 204. The POST must come from the same IP as the GET.
//  3. A record topic is "<collection>/*" or "<collection>/<id>"; each
//     event is named after the topic and carries
//     {"action":"create"|"update"|"delete","record":{...}}. The server
//     checks the collection's list (or view) rule for each client before
//     sending it anything.
//
// The server ends an idle stream after 5 minutes and any stream after 30.

const (
	realtimePath = "/api/realtime"
	// connectEventName is the first event of every stream.
	connectEventName = "PB_CONNECT"
	// maxEventSize bounds one SSE line; record events are a few hundred
	// bytes, but an expanded record may be large.
	maxEventSize = 8 << 20
	// eventBuffer decouples the reader from a slow consumer; when it is
	// full the reader blocks and TCP pushes back on the server, as it
	// would with a slow browser.
	eventBuffer = 256
)

// Event is one server-sent event.
type Event struct {
	Id   string
	Name string
	Data []byte
	// At is when the event's terminating blank line was read, before
	// decoding or queueing, so that a slow consumer does not inflate a
	// measured delivery latency.
	At time.Time
}

// RealtimeConn is one realtime connection, opened as the JS SDK opens it.
type RealtimeConn struct {
	// ClientId is the id the server gave the connection in PB_CONNECT.
	ClientId string
	// Events delivers every event after PB_CONNECT and is closed when the
	// stream ends (see Err).
	Events <-chan Event

	client *Client
	cancel context.CancelFunc
	done   chan struct{}
	err    error
	once   sync.Once
}

// DialRealtime opens GET /api/realtime and waits up to timeout for
// PB_CONNECT. The stream lives until ctx is done or Close is called.
func (c *Client) DialRealtime(ctx context.Context, timeout time.Duration) (*RealtimeConn, error) {
	streamCtx, cancel := context.WithCancel(ctx)
	// the handshake deadline cancels the whole stream, which also unblocks
	// a read that waits for PB_CONNECT
	handshake := time.AfterFunc(timeout, cancel)

	req, err := http.NewRequestWithContext(streamCtx, http.MethodGet, c.BaseURL+realtimePath, nil)
	if err != nil {
		cancel()
		return nil, err
	}
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Cache-Control", "no-cache")

	resp, err := c.HTTP.Do(req)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("GET %s: %w", realtimePath, err)
	}
	fail := func(err error) (*RealtimeConn, error) {
		cancel()
		resp.Body.Close()
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fail(&APIError{Method: http.MethodGet, Path: realtimePath, Status: resp.StatusCode, Body: string(body)})
	}

	reader := newSSEReader(resp.Body)
	first, err := reader.Next()
	if !handshake.Stop() {
		return fail(fmt.Errorf("no %s within %s", connectEventName, timeout))
	}
	if err != nil {
		return fail(fmt.Errorf("read %s: %w", connectEventName, err))
	}
	if first.Name != connectEventName {
		return fail(fmt.Errorf("first event is %q, want %s", first.Name, connectEventName))
	}
	var connect struct {
		ClientId string `json:"clientId"`
	}
	if err := json.Unmarshal(first.Data, &connect); err != nil || connect.ClientId == "" {
		return fail(fmt.Errorf("bad %s data %q", connectEventName, first.Data))
	}

	events := make(chan Event, eventBuffer)
	conn := &RealtimeConn{
		ClientId: connect.ClientId,
		Events:   events,
		client:   c,
		cancel:   cancel,
		done:     make(chan struct{}),
	}
	go conn.read(streamCtx, reader, resp.Body, events)
	return conn, nil
}

func (r *RealtimeConn) read(ctx context.Context, reader *sseReader, body io.ReadCloser, events chan<- Event) {
	defer close(r.done)
	defer close(events)
	defer body.Close()
	for {
		ev, err := reader.Next()
		if err != nil {
			if ctx.Err() != nil {
				err = nil // closed on purpose
			} else if errors.Is(err, io.EOF) {
				err = errors.New("server closed the stream")
			}
			r.err = err
			return
		}
		select {
		case events <- ev:
		case <-ctx.Done():
			return
		}
	}
}

// Subscribe sets the connection's topics, authorized as the holder of token
// (a user's token, or "" for a guest). Like the JS SDK it sends the full
// list each time: the server replaces, it does not add.
func (r *RealtimeConn) Subscribe(ctx context.Context, token string, topics ...string) error {
	if topics == nil {
		topics = []string{}
	}
	return r.client.Do(ctx, http.MethodPost, realtimePath, token, map[string]any{
		"clientId":      r.ClientId,
		"subscriptions": topics,
	}, nil)
}

// Alive reports whether the stream is still open.
func (r *RealtimeConn) Alive() bool {
	select {
	case <-r.done:
		return false
	default:
		return true
	}
}

// Err says why the stream ended on its own; nil while it is open and after
// Close.
func (r *RealtimeConn) Err() error {
	select {
	case <-r.done:
		return r.err
	default:
		return nil
	}
}

// Close ends the stream and waits for its reader to stop. Events not yet
// consumed are dropped.
func (r *RealtimeConn) Close() {
	r.once.Do(func() {
		r.cancel()
		// drain so a reader blocked on a full channel can observe ctx
		for range r.Events {
		}
		<-r.done
	})
}

// ---------------------------------------------------------------------------

// sseReader parses a text/event-stream as the HTML standard defines it:
// "field:value" lines (one optional space after the colon), comment lines
// starting with ":", multi-line data joined with "\n", and an event
// dispatched at a blank line. Lines end in LF or CRLF (PocketBase writes
// LF); a lone CR is not treated as a line end.
type sseReader struct {
	sc *bufio.Scanner
}

func newSSEReader(r io.Reader) *sseReader {
	sc := bufio.NewScanner(r)
	// a small first buffer that grows on demand: the presence scenario
	// holds 10,000 streams, whose events are a few hundred bytes
	sc.Buffer(make([]byte, 0, 4<<10), maxEventSize)
	return &sseReader{sc: sc}
}

// Next returns the next event with data. It returns io.EOF when the stream
// ends cleanly between events.
func (r *sseReader) Next() (Event, error) {
	var (
		ev      Event
		data    []byte
		hasData bool
	)
	for r.sc.Scan() {
		line := r.sc.Bytes()
		if len(line) == 0 {
			if !hasData {
				// a blank line after no data dispatches nothing
				ev = Event{}
				continue
			}
			ev.Data = bytes.TrimSuffix(data, []byte("\n"))
			ev.At = time.Now()
			return ev, nil
		}
		if line[0] == ':' {
			continue // a comment, e.g. a keep-alive
		}
		field, value, _ := bytes.Cut(line, []byte(":"))
		value = bytes.TrimPrefix(value, []byte(" "))
		switch string(field) {
		case "event":
			ev.Name = string(value)
		case "id":
			ev.Id = string(value)
		case "data":
			// copied: the scanner reuses its buffer
			data = append(data, value...)
			data = append(data, '\n')
			hasData = true
		}
	}
	if err := r.sc.Err(); err != nil {
		return Event{}, err
	}
	if hasData || ev.Name != "" {
		return Event{}, io.ErrUnexpectedEOF
	}
	return Event{}, io.EOF
}
