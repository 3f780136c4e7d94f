package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/subscriptions"

	"studyhall/realtime"
)

// Where the chat scenario's server time goes, in-process: the topic
// fan-out of realtime/topics.go (walking the clients, per-client queues,
// one goroutine hop, PocketBase's client channel) for 1,000 subscribers of
// one topic, with the consumer of each client channel either only
// counting (the dispatcher alone) or writing each message as an SSE frame
// to a loopback TCP connection and flushing it, as PocketBase's realtime
// handler does for every message (the dispatcher plus the writes). Run:
//
//	go test ./bench -run '^$' -bench TopicFanout -benchtime 200x
//
// ns/op is the wall time from publishing a message until all N have it;
// ns/delivery divides it by N, cpu-ns/delivery is the process's CPU time
// per delivery (with the SSE writes it includes the loopback readers).

func BenchmarkTopicFanout(b *testing.B) {
	for _, n := range []int{100, 1000} {
		for _, write := range []bool{false, true} {
			name := fmt.Sprintf("N=%d/dispatch-only", n)
			if write {
				name = fmt.Sprintf("N=%d/dispatch+SSE-write", n)
			}
			b.Run(name, func(b *testing.B) { benchTopicFanout(b, n, write) })
		}
	}
}

func benchTopicFanout(b *testing.B, n int, write bool) {
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: b.TempDir()})
	fanout := realtime.Get(app)
	const topic = "chat/benchroom"

	var received atomic.Int64
	var wg sync.WaitGroup
	clients := make([]*subscriptions.DefaultClient, n)
	var closers []io.Closer
	for i := range n {
		c := subscriptions.NewDefaultClient()
		c.Subscribe(topic)
		app.SubscriptionsBroker().Register(c)
		clients[i] = c

		var w *bufio.Writer
		if write {
			server, client := loopbackPair(b)
			closers = append(closers, server, client)
			go func() { _, _ = io.Copy(io.Discard, client) }()
			w = bufio.NewWriterSize(server, 4096)
		}
		wg.Go(func() {
			for m := range c.Channel() {
				if w != nil {
					if err := m.WriteSSE(w, c.Id()); err != nil {
						b.Error(err)
						return
					}
					if err := w.Flush(); err != nil {
						b.Error(err)
						return
					}
				}
				received.Add(1)
			}
		})
	}
	defer func() {
		for _, c := range clients {
			c.Discard()
		}
		wg.Wait()
		for _, c := range closers {
			c.Close()
		}
	}()

	payload := map[string]any{"action": "create", "record": map[string]any{
		"id": "abcdefghijklmno", "room": "benchroom", "sender": "senderid1234567",
		"body":    "a chat message of a realistic length, about eighty characters long....",
		"created": "2026-11-25 12:00:00.000Z", "updated": "2026-11-25 12:00:00.000Z",
	}}
	b.ReportAllocs()
	cpuBefore := processCPU(b)
	b.ResetTimer()
	for i := range b.N {
		fanout.PublishTopic(topic, payload)
		want := int64(i+1) * int64(n)
		deadline := time.Now().Add(10 * time.Second)
		for received.Load() < want {
			if time.Now().After(deadline) {
				b.Fatalf("only %d of %d delivered", received.Load(), want)
			}
			time.Sleep(20 * time.Microsecond)
		}
	}
	b.StopTimer()
	deliveries := float64(b.N) * float64(n)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/deliveries, "ns/delivery")
	b.ReportMetric(float64((processCPU(b)-cpuBefore).Nanoseconds())/deliveries, "cpu-ns/delivery")
}

// processCPU is the user+system CPU time of this test process so far,
// the loopback readers of the SSE variant included.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Skip("no getrusage:", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loopbackPair returns both ends of one TCP connection on 127.0.0.1.
func loopbackPair(b *testing.B) (net.Conn, net.Conn) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			close(accepted)
			return
		}
		accepted <- c
	}()
	client, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	server, ok := <-accepted
	if !ok {
		b.Fatal("accept failed")
	}
	return server, client
}
