package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/websocket"
)

// A Socket.IO client in Go, for the peer of the chat and lecture scenarios.
// The peer's receivers used to be socket.io-client connections in one node
// process: one JavaScript thread decoding 20,000 events/s fell behind
// itself, so the peer's latencies measured the receiving client as much as
// the server (p50 122.7 ms against studyhall's 35.6 ms in the same run
// under load). Here the peer's receivers are read exactly as studyhall's
// SSE streams are: one goroutine per connection in this process, the
// arrival time taken when a whole event has been read, before decoding.
//
// The protocol is Socket.IO 5 over Engine.IO 4, WebSocket transport only:
//
//	GET /socket.io/?EIO=4&transport=websocket   (upgrade)
//	server: 0{"sid":...,"pingInterval":...}     Engine.IO open
//	client: 40                                  connect to namespace "/"
//	server: 40{"sid":...}
//	client: 42<ack>["event",args...]            an event with an ack id
//	server: 43<ack>[...]                        its ack
//	server: 42["event",args...]                 an event
//	server: 2   client: 3                       ping, pong
//
// Each Engine.IO packet is one WebSocket text frame.

// sioConn is one Socket.IO connection.
type sioConn struct {
	ws *websocket.Conn

	writeMu sync.Mutex

	ackMu   sync.Mutex
	nextAck int
	acks    map[int]chan struct{}

	done chan struct{}
	err  error
}

// sioEvent is one event the server pushed, with the moment its frame had
// been read whole.
type sioEvent struct {
	Name string
	// Packet is the whole event, ["name",args...], undecoded
	Packet []byte
	At     time.Time
}

// dialSocketIO opens a connection to the server at addr (host:port) and
// waits for the namespace's connect, all within timeout. handle is called
// on the connection's reader goroutine for every event.
func dialSocketIO(ctx context.Context, addr string, timeout time.Duration, handle func(sioEvent)) (*sioConn, error) {
	config, err := websocket.NewConfig("ws://"+addr+"/socket.io/?EIO=4&transport=websocket", "http://"+addr)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(timeout)
	config.Dialer = &net.Dialer{Deadline: deadline}
	ws, err := config.DialContext(ctx)
	if err != nil {
		return nil, fmt.Errorf("dial socket.io: %w", err)
	}
	_ = ws.SetReadDeadline(deadline)
	fail := func(err error) (*sioConn, error) {
		ws.Close()
		return nil, err
	}
	var open string
	if err := websocket.Message.Receive(ws, &open); err != nil || !strings.HasPrefix(open, "0") {
		return fail(fmt.Errorf("engine.io open: %q %v", open, err))
	}
	if err := websocket.Message.Send(ws, "40"); err != nil {
		return fail(err)
	}
	var connect string
	if err := websocket.Message.Receive(ws, &connect); err != nil || !strings.HasPrefix(connect, "40") {
		return fail(fmt.Errorf("socket.io connect: %q %v", connect, err))
	}
	_ = ws.SetReadDeadline(time.Time{})
	c := &sioConn{ws: ws, acks: map[int]chan struct{}{}, done: make(chan struct{})}
	go c.read(handle)
	return c, nil
}

func (c *sioConn) read(handle func(sioEvent)) {
	defer close(c.done)
	var frame []byte
	for {
		frame = frame[:0]
		if err := websocket.Message.Receive(c.ws, &frame); err != nil {
			c.err = err
			c.failAcks()
			return
		}
		at := time.Now()
		switch {
		case len(frame) == 1 && frame[0] == '2': // ping
			if err := c.send("3"); err != nil {
				c.err = err
				return
			}
		case len(frame) >= 2 && frame[0] == '4' && frame[1] == '2': // event
			if name, ok := sioEventName(frame[2:]); ok && handle != nil {
				handle(sioEvent{Name: name, Packet: frame[2:], At: at})
			}
		case len(frame) >= 2 && frame[0] == '4' && frame[1] == '3': // ack
			digits := frame[2:]
			end := 0
			for end < len(digits) && digits[end] >= '0' && digits[end] <= '9' {
				end++
			}
			id, err := strconv.Atoi(string(digits[:end]))
			if err != nil {
				continue
			}
			c.ackMu.Lock()
			ch := c.acks[id]
			delete(c.acks, id)
			c.ackMu.Unlock()
			if ch != nil {
				close(ch)
			}
		}
	}
}

// sioEventName reads the name of an event packet ["name",args...]
// without decoding the rest (the bench's own event names need no
// escaping).
func sioEventName(packet []byte) (string, bool) {
	rest, ok := bytes.CutPrefix(packet, []byte(`["`))
	if !ok {
		return "", false
	}
	end := bytes.IndexByte(rest, '"')
	if end < 0 {
		return "", false
	}
	return string(rest[:end]), true
}

func (c *sioConn) failAcks() {
	c.ackMu.Lock()
	defer c.ackMu.Unlock()
	for id, ch := range c.acks {
		close(ch)
		delete(c.acks, id)
	}
}

func (c *sioConn) send(packet string) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	return websocket.Message.Send(c.ws, packet)
}

// Emit sends an event and waits for the server's ack (bounded by ctx).
func (c *sioConn) Emit(ctx context.Context, event string, args ...any) error {
	payload, err := json.Marshal(append([]any{event}, args...))
	if err != nil {
		return err
	}
	ch := make(chan struct{})
	c.ackMu.Lock()
	c.nextAck++
	id := c.nextAck
	c.acks[id] = ch
	c.ackMu.Unlock()
	if err := c.send("42" + strconv.Itoa(id) + string(payload)); err != nil {
		return err
	}
	select {
	case <-ch:
		if !c.Alive() {
			return fmt.Errorf("socket.io: connection closed before the ack: %v", c.err)
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Alive reports whether the connection is still open.
func (c *sioConn) Alive() bool {
	select {
	case <-c.done:
		return false
	default:
		return true
	}
}

// Close ends the connection and waits for its reader.
func (c *sioConn) Close() {
	c.ws.Close()
	<-c.done
}
