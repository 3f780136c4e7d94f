package main

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// subscriberSet is N realtime connections opened as N browsers would
// (connect, PB_CONNECT, subscribe with the user's token), each drained by
// its own consumer goroutine. The scenarios after fanout share it.
type subscriberSet struct {
	conns     []*RealtimeConn
	consumers sync.WaitGroup
	// Connect is the distribution of per-connection setup times (dial
	// until the subscribe answered) and Took the whole setup.
	Connect Summary
	Took    time.Duration
}

// subscriberSpec says who the i-th subscriber is and what it listens to.
type subscriberSpec struct {
	// N is the number of connections.
	N int
	// Token is the i-th connection's auth token ("" for a guest).
	Token func(i int) string
	// Topics are the i-th connection's subscriptions.
	Topics func(i int) []string
	// Handle receives every event of the i-th connection after
	// PB_CONNECT, on that connection's own goroutine: state indexed by i
	// needs no lock. It may be nil.
	Handle func(i int, ev Event)
}

// openSubscribers opens spec.N connections, at most env.Config.Workers at
// a time. The streams live on ctx; Close ends them. On error every stream
// opened so far is closed again.
func openSubscribers(ctx context.Context, env *Env, label string, spec subscriberSpec) (*subscriberSet, error) {
	set := &subscriberSet{conns: make([]*RealtimeConn, spec.N)}
	start := time.Now()
	times := make([]time.Duration, spec.N)
	var mu sync.Mutex
	err := forEach(ctx, spec.N, env.Config.Workers, func(workerCtx context.Context, i int) error {
		t0 := time.Now()
		conn, err := env.Client.DialRealtime(ctx, env.Config.DialTimeout)
		if err != nil {
			return fmt.Errorf("%s: connection %d: %w", label, i, err)
		}
		mu.Lock()
		set.conns[i] = conn
		mu.Unlock()
		set.consumers.Go(func() {
			for ev := range conn.Events {
				if spec.Handle != nil {
					spec.Handle(i, ev)
				}
			}
		})
		if err := conn.Subscribe(workerCtx, spec.Token(i), spec.Topics(i)...); err != nil {
			return fmt.Errorf("%s: connection %d subscribe: %w", label, i, err)
		}
		times[i] = time.Since(t0)
		return nil
	})
	if err != nil {
		set.Close(env)
		return nil, err
	}
	set.Took = time.Since(start)
	set.Connect = Summarize(times)
	log.Printf("%s: %d connections subscribed in %s (per connection p50 %s, p99 %s)",
		label, spec.N, set.Took.Round(time.Millisecond), formatMillis(set.Connect.P50), formatMillis(set.Connect.P99))
	return set, nil
}

// Resubscribe replaces the topics of every connection, at most
// env.Config.Workers at a time.
func (s *subscriberSet) Resubscribe(ctx context.Context, env *Env, token func(i int) string, topics func(i int) []string) error {
	return forEach(ctx, len(s.conns), env.Config.Workers, func(ctx context.Context, i int) error {
		if err := s.conns[i].Subscribe(ctx, token(i), topics(i)...); err != nil {
			return fmt.Errorf("connection %d resubscribe: %w", i, err)
		}
		return nil
	})
}

// Held counts the streams still open and returns why the first closed one
// ended.
func (s *subscriberSet) Held() (int, error) {
	held := 0
	var firstErr error
	for _, c := range s.conns {
		switch {
		case c == nil:
		case c.Alive():
			held++
		case firstErr == nil:
			firstErr = c.Err()
		}
	}
	return held, firstErr
}

// Finish ends a measurement: it counts the streams still open, logs why
// the first closed one ended, if one did, and closes the set (see Close).
func (s *subscriberSet) Finish(env *Env, label string) (held int) {
	held, streamErr := s.Held()
	if streamErr != nil {
		log.Printf("%s: a stream ended early: %v", label, streamErr)
	}
	s.Close(env)
	return held
}

// Close ends every stream and waits for the consumers, so that state
// written by Handle may be read afterwards. It is safe to call twice.
func (s *subscriberSet) Close(env *Env) {
	_ = forEach(context.Background(), len(s.conns), env.Config.Workers, func(_ context.Context, i int) error {
		if c := s.conns[i]; c != nil {
			c.Close()
		}
		return nil
	})
	s.consumers.Wait()
}

// waitUntil polls done every 10 ms until it is true, deadline passes or
// ctx ends; it reports whether done became true.
func waitUntil(ctx context.Context, deadline time.Time, done func() bool) (bool, error) {
	for !done() {
		if time.Now().After(deadline) {
			return false, nil
		}
		if err := sleepUntil(ctx, time.Now().Add(10*time.Millisecond)); err != nil {
			return false, err
		}
	}
	return true, nil
}

// goalCell says whether a measured value met a goal: "met" or "NOT met".
func goalCell(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

// cpuDelta returns the server CPU used since before, or -1 if unknown.
func cpuDelta(env *Env, before time.Duration) time.Duration {
	now := serverCPU(env)
	if now < 0 || before < 0 {
		return -1
	}
	return now - before
}

// serverCPU is the server's CPU time so far, or -1 if unknown.
func serverCPU(env *Env) time.Duration {
	cpu, err := env.Server.CPU()
	if err != nil {
		return -1
	}
	return cpu
}

// formatCPU prints a CPU time in milliseconds, "n/a" when unknown.
func formatCPU(d time.Duration) string {
	if d < 0 {
		return "n/a"
	}
	return formatMillis(d)
}

// ---------------------------------------------------------------------------

// deliveries counts what n subscribers received of m numbered items
// (messages, status changes, admits): every arrival is kept, so that
// duplicates are counted, and the first of each (subscriber, item) pair
// gives its latency.
type deliveries struct {
	m        int
	arrivals [][]arrival
	seen     [][]bool
	firsts   atomic.Int64
}

type arrival struct {
	seq int
	at  time.Time
}

func newDeliveries(n, m int) *deliveries {
	d := &deliveries{m: m, arrivals: make([][]arrival, n), seen: make([][]bool, n)}
	for i := range d.seen {
		d.seen[i] = make([]bool, m)
	}
	return d
}

// Add records that subscriber i received item seq at at. Only subscriber
// i's goroutine may call it for i. Items out of range are ignored.
func (d *deliveries) Add(i, seq int, at time.Time) {
	if seq < 0 || seq >= d.m {
		return
	}
	d.arrivals[i] = append(d.arrivals[i], arrival{seq: seq, at: at})
	if !d.seen[i][seq] {
		d.seen[i][seq] = true
		d.firsts.Add(1)
	}
}

// TaggedHandler is a subscriberSpec.Handle that records the events of
// topic whose record body is "<tag>#<seq>" (see eventSeq) as item seq.
func (d *deliveries) TaggedHandler(topic, tag string) func(i int, ev Event) {
	return func(i int, ev Event) {
		if ev.Name != topic {
			return
		}
		if seq, ok := eventSeq(ev.Data, tag); ok {
			d.Add(i, seq, ev.At)
		}
	}
}

// eventSeq reads the sequence number of a create event of the case tag:
// the data is {"action":"create","record":{...,"body":"<tag>#<seq>"}}, for
// a record subscription (fanout, chat) and for the chat topic alike. It
// looks for the two fields in the raw JSON rather than decoding it: at
// 50,000 events/s (the lecture room) decoding every event cost the bench
// a core of its own, on the machine the server shares with it. The bodies
// it looks for are its own ("<tag>#<digits>", nothing to escape).
func eventSeq(data []byte, tag string) (int, bool) {
	if !bytes.Contains(data, []byte(`"action":"create"`)) {
		return 0, false
	}
	marker := `"body":"` + tag + "#"
	at := bytes.Index(data, []byte(marker))
	if at < 0 {
		return 0, false
	}
	rest := data[at+len(marker):]
	end := bytes.IndexByte(rest, '"')
	if end <= 0 {
		return 0, false
	}
	seq, err := strconv.Atoi(string(rest[:end]))
	return seq, err == nil
}

// Firsts is how many (subscriber, item) pairs have arrived at least once.
func (d *deliveries) Firsts() int64 {
	return d.firsts.Load()
}

// Count reads the result once the consumers have stopped: the latency of
// every first delivery (arrival minus sent[seq]), the expected pairs that
// never arrived and the surplus arrivals (duplicates, and arrivals of
// pairs that were not expected). expected(i, seq) says whether subscriber
// i should receive item seq.
func (d *deliveries) Count(sent []time.Time, expected func(i, seq int) bool) (latencies []time.Duration, missing, dups int) {
	counts := make([]int, d.m)
	for i, list := range d.arrivals {
		clear(counts)
		for _, a := range list {
			counts[a.seq]++
			if counts[a.seq] == 1 && expected(i, a.seq) {
				latencies = append(latencies, a.at.Sub(sent[a.seq]))
			}
		}
		for seq, c := range counts {
			switch {
			case !expected(i, seq):
				dups += c
			case c == 0:
				missing++
			default:
				dups += c - 1
			}
		}
	}
	return latencies, missing, dups
}

// CountItem is Count for the one item seq, sent at sent: the latency of
// every first delivery to an expected subscriber, the expected subscribers
// that never got it, and the surplus arrivals (repeats, or arrivals at
// subscribers that should not have had it).
func (d *deliveries) CountItem(seq int, sent time.Time, expected func(i int) bool) (latencies []time.Duration, missing, dups int) {
	for i, list := range d.arrivals {
		c := 0
		for _, a := range list {
			if a.seq != seq {
				continue
			}
			c++
			if c == 1 && expected(i) {
				latencies = append(latencies, a.at.Sub(sent))
			}
		}
		switch {
		case !expected(i):
			dups += c
		case c == 0:
			missing++
		default:
			dups += c - 1
		}
	}
	return latencies, missing, dups
}
