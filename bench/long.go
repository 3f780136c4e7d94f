package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"studyhall/collections"
)

// The long scenario (issue 15): SPEC's "1,000 signed-in connections held
// for 2 hours with heartbeats: no drops, no memory growth trend". Each
// connection is a different user, subscribed as the web app's shell is
// (presence/* and notifications/*), beating POST /api/presence/heartbeat
// every 60 s. Every -long-change-every one user changes its status, so
// that presence events flow to everyone throughout. Like the JS SDK, a
// connection reconnects and subscribes again when its stream ends:
// PocketBase ends a stream after 5 idle minutes and any stream after
// 30 minutes, so a 2-hour run reconnects every connection a few times by
// design. Those ends are counted as scheduled reconnects; any other end,
// and any failed reconnect, is a drop.
func init() {
	registerScenario(Scenario{
		Name:    "long",
		Summary: "1,000 signed-in connections held for -long-duration with heartbeats: drops, memory trend, goroutines",
		Run:     runLong,
	})
}

var (
	longN           = flag.Int("long-n", 1000, "long: signed-in realtime connections held")
	longDuration    = flag.Duration("long-duration", 10*time.Minute, "long: how long the connections are held")
	longSampleEvery = flag.Duration("long-sample", 15*time.Second, "long: interval of the server memory, CPU and goroutine samples")
	longChangeEvery = flag.Duration("long-change-every", 30*time.Second, "long: one user changes its presence status this often")
	longMaxGrowth   = flag.Float64("long-max-growth", 64, "long: largest live-heap growth over the second half, in KiB/min, that counts as no trend")
)

// Heartbeat and timeouts as the web app and PocketBase have them.
const (
	longHeartbeatEvery = 60 * time.Second
	// PocketBase's realtime handler (apis/realtime.go) ends a stream that
	// sent nothing for 5 minutes and any stream after 30 minutes.
	pbRealtimeIdle = 5 * time.Minute
	pbRealtimeMax  = 30 * time.Minute
	// scheduledSlack tolerates the distance between the server's timer and
	// the bench's clock when a stream end is classified.
	scheduledSlack = 10 * time.Second
	// longReconnectDelay is the JS SDK's first reconnect delay.
	longReconnectDelay = 200 * time.Millisecond
	// longMinJudged is the shortest hold whose memory trend is judged.
	longMinJudged = 5 * time.Minute
	// longGoroutineSlack is how many more server goroutines than before
	// the first connection may remain after the last one closed.
	longGoroutineSlack = 50
)

func runLong(ctx context.Context, env *Env) ([]*Table, error) {
	n, hold := *longN, *longDuration
	if n < 2 || hold < time.Minute || *longSampleEvery < time.Second || *longChangeEvery < time.Second {
		return nil, errors.New("-long-n must be at least 2, -long-duration at least 1m, -long-sample and -long-change-every at least 1s")
	}
	c := env.Client
	users, err := env.Users(ctx, n)
	if err != nil {
		return nil, err
	}
	// the pool's tokens last 2 hours from their creation; these outlive
	// the hold, as the web app's refreshed tokens would
	tokens := make([]string, n)
	tokenLife := hold + 30*time.Minute
	if err := forEach(ctx, n, env.Config.Workers, func(ctx context.Context, i int) error {
		var err error
		tokens[i], err = c.Impersonate(ctx, collections.Users, users[i].Id, tokenLife)
		return err
	}); err != nil {
		return nil, fmt.Errorf("tokens: %w", err)
	}

	if err := sleepUntil(ctx, time.Now().Add(2*time.Second)); err != nil {
		return nil, err
	}
	before := takeLongSample(ctx, env, 0)
	log.Printf("long: before connecting: %s", before)

	// --- connect: an idle topic first, then all switch to the shell's
	// topics (see presence.go: subscribing straight to presence/* would
	// make the login storm the measurement)
	changes := int(hold / *longChangeEvery)
	tag := fmt.Sprintf("bench-long-%d", time.Now().UnixNano())
	run := &longRun{
		env:     env,
		tokens:  tokens,
		users:   users,
		tag:     tag,
		recv:    newDeliveries(n, changes),
		conns:   make([]*longConn, n),
		changer: make(map[string]bool),
	}
	connCtx, stopConns := context.WithCancel(ctx)
	defer stopConns()
	run.connCtx = connCtx
	connectStart := time.Now()
	if err := forEach(ctx, n, env.Config.Workers, func(ctx context.Context, i int) error {
		lc := &longConn{run: run, i: i}
		run.conns[i] = lc
		if err := lc.connect(ctx); err != nil {
			return fmt.Errorf("long: connection %d: %w", i, err)
		}
		run.wg.Go(func() { lc.hold(connCtx) })
		return nil
	}); err != nil {
		stopConns()
		run.wg.Wait()
		return nil, err
	}
	run.full.Store(true)
	if err := forEach(ctx, n, env.Config.Workers, func(ctx context.Context, i int) error {
		return run.conns[i].subscribe(ctx)
	}); err != nil {
		stopConns()
		run.wg.Wait()
		return nil, err
	}
	log.Printf("long: %d connections subscribed in %s", n, time.Since(connectStart).Round(time.Millisecond))

	// --- hold: heartbeats, presence changes, samples
	if err := sleepUntil(ctx, time.Now().Add(5*time.Second)); err != nil {
		return nil, err
	}
	holdStart := time.Now()
	holdEnd := holdStart.Add(hold)
	var load sync.WaitGroup
	loadCtx, stopLoad := context.WithDeadline(ctx, holdEnd)
	defer stopLoad()
	for i := range n {
		load.Go(func() { run.beat(loadCtx, i, holdStart) })
	}
	load.Go(func() { run.change(loadCtx, holdStart, changes) })

	samples := []longSample{takeLongSample(ctx, env, 0)}
	samples[0].open, samples[0].reconnects, samples[0].beats = run.counts()
	log.Printf("long: holding %d connections for %s", n, hold)
	for next := holdStart.Add(*longSampleEvery); !next.After(holdEnd); next = next.Add(*longSampleEvery) {
		if err := sleepUntil(ctx, next); err != nil {
			stopLoad()
			load.Wait()
			stopConns()
			run.wg.Wait()
			return nil, err
		}
		s := takeLongSample(ctx, env, time.Since(holdStart))
		s.open, s.reconnects, s.beats = run.counts()
		samples = append(samples, s)
		if len(samples)%max(1, int(time.Minute / *longSampleEvery)) == 0 {
			log.Printf("long: %s", s)
		}
	}
	stopLoad()
	load.Wait()
	// the last change's deliveries
	if err := sleepUntil(ctx, time.Now().Add(graceAfterComplete+2*time.Second)); err != nil {
		return nil, err
	}
	atEnd := samples[len(samples)-1]

	// --- close everything, then see what the server keeps
	openAtEnd, _, _ := run.counts()
	stopConns()
	run.wg.Wait()
	closedAt := time.Now()
	if err := sleepUntil(ctx, time.Now().Add(5*time.Second)); err != nil {
		return nil, err
	}
	afterClose := takeLongSample(ctx, env, time.Since(holdStart))
	log.Printf("long: 5 s after closing every connection: %s", afterClose)

	return run.report(samples, before, atEnd, afterClose, openAtEnd, closedAt.Sub(holdStart), hold)
}

// ---------------------------------------------------------------------------

// longRun is the state of one long run, shared by its connections.
type longRun struct {
	env    *Env
	users  []User
	tokens []string
	tag    string
	conns  []*longConn
	wg     sync.WaitGroup
	// connCtx is the life of every stream; cancelling it closes them.
	connCtx context.Context
	// full is set once every connection is connected: from then on a
	// (re)subscribe asks for the shell's topics instead of the idle one.
	full atomic.Bool

	// presence changes: sent[seq] is set before change seq's PUT
	recv     *deliveries
	sentMu   sync.Mutex
	sent     []time.Time
	changer  map[string]bool // user ids that have changed status
	putTimes []time.Duration
	putFails atomic.Int64

	beats     atomic.Int64
	beatFails atomic.Int64
	beatMu    sync.Mutex
	beatTimes []time.Duration
	firstFail atomic.Value

	// presence events that match no change: offline or away ones are
	// flaps (a connected, beating user shown as gone)
	flaps  atomic.Int64
	others atomic.Int64
}

// longConn is one user's realtime connection, reconnected like the JS
// SDK's when its stream ends.
type longConn struct {
	run *longRun
	i   int

	mu   sync.Mutex
	conn *RealtimeConn
	// streams is the history of this connection's streams; the last one
	// is the current.
	streams []longStream

	scheduled int // reconnects after a stream end the server schedules
	drops     int // other stream ends
	failures  int // failed reconnect attempts
	lastErr   string
}

// longStream is one stream of a connection: opened, subscribed to the
// shell's topics, ended (zero while open).
type longStream struct {
	opened, subscribed, ended time.Time
	lastEvent                 time.Time
}

func (r *longRun) topics() []string {
	if !r.full.Load() {
		return []string{presenceIdleTopic}
	}
	return []string{collections.Presence + "/*", collections.Notifications + "/*"}
}

// connect opens a stream, which lives until the run closes every stream,
// and subscribes it; ctx bounds the subscribe request.
func (lc *longConn) connect(ctx context.Context) error {
	conn, err := lc.run.env.Client.DialRealtime(lc.run.connCtx, lc.run.env.Config.DialTimeout)
	if err != nil {
		return err
	}
	lc.mu.Lock()
	lc.conn = conn
	lc.streams = append(lc.streams, longStream{opened: time.Now()})
	lc.mu.Unlock()
	if err := lc.subscribe(ctx); err != nil {
		conn.Close()
		return err
	}
	return nil
}

// subscribe sends the run's current topics for the current stream.
func (lc *longConn) subscribe(ctx context.Context) error {
	lc.mu.Lock()
	conn := lc.conn
	lc.mu.Unlock()
	full := lc.run.full.Load()
	if err := conn.Subscribe(ctx, lc.run.tokens[lc.i], lc.run.topics()...); err != nil {
		return err
	}
	if full {
		lc.mu.Lock()
		if lc.conn == conn && lc.streams[len(lc.streams)-1].subscribed.IsZero() {
			lc.streams[len(lc.streams)-1].subscribed = time.Now()
		}
		lc.mu.Unlock()
	}
	return nil
}

// hold reads the connection's events until ctx ends, reconnecting when
// the stream ends.
func (lc *longConn) hold(ctx context.Context) {
	for {
		lc.mu.Lock()
		conn := lc.conn
		lc.mu.Unlock()
		for ev := range conn.Events {
			lc.handle(ev)
		}
		now := time.Now()
		if ctx.Err() != nil {
			conn.Close()
			return
		}
		lc.mu.Lock()
		st := &lc.streams[len(lc.streams)-1]
		st.ended = now
		idleSince := st.lastEvent
		if idleSince.IsZero() {
			idleSince = st.opened
		}
		switch {
		case now.Sub(st.opened) >= pbRealtimeMax-scheduledSlack,
			now.Sub(idleSince) >= pbRealtimeIdle-scheduledSlack:
			lc.scheduled++
		default:
			lc.drops++
			lc.lastErr = fmt.Sprintf("stream of %s ended: %v", now.Sub(st.opened).Round(time.Second), conn.Err())
			log.Printf("long: connection %d dropped: %s", lc.i, lc.lastErr)
		}
		lc.mu.Unlock()
		conn.Close()

		// reconnect as the SDK does: after a short delay, growing on
		// failures
		delay := longReconnectDelay
		for {
			if sleepUntil(ctx, time.Now().Add(delay)) != nil {
				return
			}
			err := lc.connect(ctx)
			if err == nil {
				break
			}
			if ctx.Err() != nil {
				return
			}
			lc.mu.Lock()
			lc.failures++
			lc.lastErr = "reconnect: " + err.Error()
			lc.mu.Unlock()
			log.Printf("long: connection %d reconnect failed: %v", lc.i, err)
			delay = min(2*delay, 5*time.Second)
		}
	}
}

// handle records one event on the connection's own goroutine.
func (lc *longConn) handle(ev Event) {
	lc.mu.Lock()
	lc.streams[len(lc.streams)-1].lastEvent = ev.At
	lc.mu.Unlock()
	if ev.Name != collections.Presence+"/*" {
		return
	}
	var msg struct {
		Record struct {
			User     string `json:"user"`
			Status   string `json:"status"`
			Activity string `json:"activity"`
		} `json:"record"`
	}
	if json.Unmarshal(ev.Data, &msg) != nil {
		lc.run.others.Add(1)
		return
	}
	evTag, seqText, ok := strings.Cut(msg.Record.Activity, "#")
	seq, err := strconv.Atoi(seqText)
	if ok && evTag == lc.run.tag && err == nil && msg.Record.Status == presenceStatusOf(seq) {
		lc.run.recv.Add(lc.i, seq, ev.At)
		return
	}
	if msg.Record.Status == "offline" || msg.Record.Status == "away" {
		lc.run.flaps.Add(1)
		log.Printf("long: connection %d saw user %s %s", lc.i, msg.Record.User, msg.Record.Status)
		return
	}
	lc.run.others.Add(1)
}

// expected reports whether the connection should have received a change
// sent at sent: its stream was subscribed before and stayed open for the
// drain after it.
func (lc *longConn) expected(sent time.Time, drain time.Duration) bool {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	for _, st := range lc.streams {
		if !st.subscribed.IsZero() && st.subscribed.Before(sent) &&
			(st.ended.IsZero() || st.ended.After(sent.Add(drain))) {
			return true
		}
	}
	return false
}

// beat sends user i's heartbeat every 60 s from a random phase, each in
// its own goroutine (as setInterval does, a slow answer does not delay
// the next beat).
func (r *longRun) beat(ctx context.Context, i int, start time.Time) {
	var wg sync.WaitGroup
	defer wg.Wait()
	next := start.Add(rand.N(longHeartbeatEvery))
	for sleepUntil(ctx, next) == nil {
		next = next.Add(longHeartbeatEvery)
		wg.Go(func() {
			var row struct {
				Status string `json:"status"`
			}
			t0 := time.Now()
			err := r.env.Client.Do(context.WithoutCancel(ctx), http.MethodPost, "/api/presence/heartbeat", r.tokens[i],
				map[string]any{"active": true}, &row)
			took := time.Since(t0)
			r.beats.Add(1)
			if err == nil && (row.Status == "offline" || row.Status == "away") {
				err = fmt.Errorf("heartbeat answered status %q for a connected, active user", row.Status)
			}
			if err != nil {
				r.beatFails.Add(1)
				r.firstFail.CompareAndSwap(nil, err.Error())
				return
			}
			r.beatMu.Lock()
			r.beatTimes = append(r.beatTimes, took)
			r.beatMu.Unlock()
		})
	}
}

// change makes user seq/2 busy (even seq) and online again (odd seq),
// one change every -long-change-every, each with the activity
// "<tag>#<seq>".
func (r *longRun) change(ctx context.Context, start time.Time, changes int) {
	r.sent = make([]time.Time, changes)
	for seq := range changes {
		// half a period late, so that changes sit between two samples
		at := start.Add(time.Duration(seq)**longChangeEvery + *longChangeEvery/2)
		if sleepUntil(ctx, at) != nil {
			return
		}
		u := (seq / 2) % len(r.users)
		r.sentMu.Lock()
		r.sent[seq] = time.Now()
		r.changer[r.users[u].Id] = true
		r.sentMu.Unlock()
		t0 := time.Now()
		err := r.env.Client.Do(ctx, http.MethodPut, "/api/presence/status", r.tokens[u],
			map[string]any{"status": presenceStatusOf(seq), "activity": r.tag + "#" + strconv.Itoa(seq)}, nil)
		r.sentMu.Lock()
		r.putTimes = append(r.putTimes, time.Since(t0))
		r.sentMu.Unlock()
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			r.putFails.Add(1)
			r.firstFail.CompareAndSwap(nil, err.Error())
		}
	}
}

// counts are the open streams, the reconnects so far and the heartbeats
// sent so far.
func (r *longRun) counts() (open, reconnects int, beats int64) {
	for _, lc := range r.conns {
		if lc == nil {
			continue
		}
		lc.mu.Lock()
		if lc.conn != nil && lc.conn.Alive() {
			open++
		}
		reconnects += lc.scheduled + lc.drops
		lc.mu.Unlock()
	}
	return open, reconnects, r.beats.Load()
}

// report counts the run and builds its tables.
func (r *longRun) report(samples []longSample, before, atEnd, afterClose longSample, openAtEnd int, closedAfter, hold time.Duration) ([]*Table, error) {
	env, n := r.env, len(r.conns)
	drain := env.Config.Drain

	// --- deliveries of the presence changes
	var (
		latencies                          []time.Duration
		expected, missing, dups, reconnect int
		changes                            int
	)
	for seq, sent := range r.sent {
		if sent.IsZero() {
			continue
		}
		changes++
		for i, lc := range r.conns {
			count := 0
			var first time.Time
			for _, a := range r.recv.arrivals[i] {
				if a.seq == seq {
					count++
					if count == 1 {
						first = a.at
					}
				}
			}
			if !lc.expected(sent, drain) {
				reconnect++ // reconnecting around the change: not counted
				continue
			}
			expected++
			switch count {
			case 0:
				missing++
			default:
				latencies = append(latencies, first.Sub(sent))
				dups += count - 1
			}
		}
	}
	lat := Summarize(latencies)

	// --- connections
	var scheduled, drops, failures int
	lastErr := ""
	for _, lc := range r.conns {
		scheduled += lc.scheduled
		drops += lc.drops
		failures += lc.failures
		if lc.lastErr != "" && lastErr == "" {
			lastErr = lc.lastErr
		}
	}
	beats := Summarize(r.beatTimes)
	puts := Summarize(r.putTimes)

	// --- memory and goroutine trends over the second half of the hold
	half := samples[len(samples)/2:]
	kib := func(v int64) float64 {
		if v < 0 {
			return -1
		}
		return float64(v) / 1024
	}
	rssSlope, rssSE := fitSamples(half, func(s longSample) float64 { return kib(s.rss) })
	outSlope, outSE := fitSamples(half, func(s longSample) float64 { return kib(s.outsideGo()) })
	heapSlope, heapSE := fitSamples(half, func(s longSample) float64 { return kib(s.liveHeap) })
	gorSlope, _ := fitSamples(half, func(s longSample) float64 { return float64(s.goroutines) })
	// a trend is a growth both material (above the limit) and
	// significant (the fit's slope more than two standard errors above 0)
	// (a short hold's second half still holds the first round of
	// heartbeats and the first requests' allocations: no verdict)
	judged := hold >= longMinJudged
	heapTrend := judged && heapSlope > *longMaxGrowth && heapSlope-2*heapSE > 0
	goroutinesBack := before.goroutines >= 0 && afterClose.goroutines >= 0 &&
		afterClose.goroutines <= before.goroutines+longGoroutineSlack

	// --- verdicts
	if drops > 0 || failures > 0 {
		env.Fail("long: %d dropped streams and %d failed reconnects (last: %s)", drops, failures, lastErr)
	}
	if openAtEnd < n {
		env.Fail("long: %d/%d connections open at the end", openAtEnd, n)
	}
	if missing > 0 || dups > 0 {
		env.Fail("long: presence changes: %d missing, %d duplicate deliveries of %d expected", missing, dups, expected)
	}
	if f := r.flaps.Load(); f > 0 {
		env.Fail("long: %d presence events showed a connected user offline or away", f)
	}
	if o := r.others.Load(); o > 0 {
		env.Fail("long: %d presence events matched no change", o)
	}
	if f := r.beatFails.Load() + r.putFails.Load(); f > 0 {
		env.Fail("long: %d heartbeats and %d status changes failed (first: %v)", r.beatFails.Load(), r.putFails.Load(), r.firstFail.Load())
	}
	if heapTrend {
		env.Fail("long: live heap grows %.1f KiB/min over the second half (limit %.0f)", heapSlope, *longMaxGrowth)
	}
	if !goroutinesBack && before.goroutines >= 0 {
		env.Fail("long: %d server goroutines 5 s after every connection closed, %d before the first opened", afterClose.goroutines, before.goroutines)
	}

	heapVerdict := goalCell(!heapTrend) + fmt.Sprintf(" (no significant growth above %.0f KiB/min)", *longMaxGrowth)
	if !judged {
		heapVerdict = fmt.Sprintf("not judged: a hold under %s is too short", longMinJudged)
	}
	summary := &Table{
		Title:  fmt.Sprintf("long: %d signed-in connections held for %s", n, hold),
		Header: []string{"measure", "value", "goal"},
	}
	summary.Add("connections open at the end", fmt.Sprintf("%d/%d", openAtEnd, n), goalCell(openAtEnd == n))
	summary.Add("drops (stream ends the server did not schedule) / failed reconnects", fmt.Sprintf("%d / %d", drops, failures), goalCell(drops == 0 && failures == 0))
	summary.Add("scheduled reconnects (PocketBase's 30 min cap, 5 min idle)", strconv.Itoa(scheduled), "—")
	summary.Add("heartbeats: sent, failed, p50 / p99 / max", fmt.Sprintf("%d, %d, %s / %s / %s", r.beats.Load(), r.beatFails.Load(),
		formatMillis(beats.P50), formatMillis(beats.P99), formatMillis(beats.Max)), goalCell(r.beatFails.Load() == 0))
	summary.Add("presence changes: sent, PUT p99", fmt.Sprintf("%d, %s", changes, formatMillis(puts.P99)), goalCell(r.putFails.Load() == 0))
	summary.Add("presence deliveries: delivered/expected, missing, dup", fmt.Sprintf("%d/%d, %d, %d (%d pairs around a reconnect not counted)", lat.Count, expected, missing, dups, reconnect),
		goalCell(missing == 0 && dups == 0))
	summary.Add("presence delivery p50 / p99 / max", fmt.Sprintf("%s / %s / %s", formatMillis(lat.P50), formatMillis(lat.P99), formatMillis(lat.Max)), goalCell(lat.Max < presenceGoal))
	summary.Add("presence events showing a connected user offline or away", strconv.FormatInt(r.flaps.Load(), 10), goalCell(r.flaps.Load() == 0))
	summary.Add("server RSS: before connecting → start of hold → end", fmt.Sprintf("%s → %s → %s", formatMiB(before.rss), formatMiB(samples[0].rss), formatMiB(atEnd.rss)), "—")
	summary.Add("server RSS trend, second half (linear fit ± 2 SE)", fmt.Sprintf("%+.1f ± %.1f KiB/min", rssSlope, 2*rssSE), "reported")
	summary.Add("of which outside the Go runtime (SQLite's caches): end, trend", fmt.Sprintf("%s, %+.1f ± %.1f KiB/min", formatMiB(atEnd.outsideGo()), outSlope, 2*outSE), "reported")
	summary.Add("data.db / auxiliary.db (with WAL): start of hold → end", fmt.Sprintf("%s / %s → %s / %s", formatMiB(samples[0].dataDB), formatMiB(samples[0].auxDB), formatMiB(atEnd.dataDB), formatMiB(atEnd.auxDB)), "—")
	summary.Add("live heap after GC: start of hold → end", fmt.Sprintf("%s → %s", formatMiB(samples[0].liveHeap), formatMiB(atEnd.liveHeap)), "—")
	summary.Add("live heap trend, second half (linear fit ± 2 SE)", fmt.Sprintf("%+.1f ± %.1f KiB/min", heapSlope, 2*heapSE), heapVerdict)
	summary.Add("server goroutines: before connecting → start of hold → end of hold → 5 s after closing all",
		fmt.Sprintf("%s → %s → %s → %s (second-half trend %+.2f/min)", countCell(before.goroutines), countCell(samples[0].goroutines),
			countCell(atEnd.goroutines), countCell(afterClose.goroutines), gorSlope),
		goalCell(goroutinesBack)+fmt.Sprintf(" (back within %d of before)", longGoroutineSlack))
	summary.Add("server OS threads: start of hold → end", fmt.Sprintf("%s → %s", countCell(samples[0].threads), countCell(atEnd.threads)), "—")
	summary.Add("server CPU over the hold", fmt.Sprintf("%s (%.1f%% of one core)", formatCPUSeconds(atEnd.cpu-samples[0].cpu),
		100*(atEnd.cpu-samples[0].cpu).Seconds()/hold.Seconds()), "—")
	summary.Notes = []string{
		fmt.Sprintf("each connection is a different user (token by impersonation, valid %s), subscribed to `presence/*` and `notifications/*` as the web app's shell is, and sends `POST /api/presence/heartbeat` `{\"active\":true}` every 60 s from a random phase", hold+30*time.Minute),
		fmt.Sprintf("every %s one user sends `PUT /api/presence/status` (busy, then online again, each with a distinct activity): an event every connection must receive exactly once, unless it was reconnecting then (its stream opened after the PUT or ended within %s of it)", *longChangeEvery, drain),
		fmt.Sprintf("a stream end counts as scheduled when the stream had lived 30 min (PocketBase's cap) or had been idle 5 min (± %s); the bench then reconnects after %s and subscribes again, as the JS SDK does; any other end, or a failed reconnect, is a drop", scheduledSlack, longReconnectDelay),
		"live heap: `HeapAlloc` right after a forced GC (`/debug/pprof/heap?gc=1&debug=1`), goroutines from `/debug/pprof/goroutine?debug=1`, on the pprof listener the bench gives the server (STUDYHALL_PPROF on a free loopback port); RSS and threads from `/proc/<pid>/status`",
		fmt.Sprintf("trend: least-squares line through the samples (every %s) of the second half of the hold, in KiB per minute, ± two standard errors of its slope. The verdict is on the live heap: a growth above -long-max-growth (%.0f KiB/min, %.1f MiB over 2 hours) that is also significant (slope − 2 SE > 0) fails the run. RSS is reported, not judged: it follows the heap's GC cycles (the heap grows to twice the live heap between collections, and the runtime returns freed pages to the OS only gradually) and SQLite's page caches, which fill up to their bound as the databases grow", *longSampleEvery, *longMaxGrowth, *longMaxGrowth*120/1024),
	}

	series := &Table{
		Title: "long: the server over time",
		Header: []string{"t", "RSS", "Go runtime", "outside Go", "live heap", "data.db", "auxiliary.db", "goroutines", "threads",
			"CPU (since last row)", "connections open", "reconnects so far", "heartbeats so far"},
	}
	addRow := func(label string, s longSample, cpu, open, reconnects, beats string) {
		series.Add(label, formatMiB(s.rss), formatMiB(s.goRuntime), formatMiB(s.outsideGo()), formatMiB(s.liveHeap),
			formatMiB(s.dataDB), formatMiB(s.auxDB), countCell(s.goroutines), countCell(s.threads), cpu, open, reconnects, beats)
	}
	every := max(1, len(samples)/12)
	for k := 0; k < len(samples); k += every {
		s := samples[k]
		cpu := "—"
		if k > 0 {
			p := samples[k-every]
			cpu = fmt.Sprintf("%.1f%%", 100*(s.cpu-p.cpu).Seconds()/(s.at-p.at).Seconds())
		}
		addRow(s.at.Round(time.Second).String(), s, cpu, strconv.Itoa(s.open), strconv.Itoa(s.reconnects), strconv.FormatInt(s.beats, 10))
	}
	if last := len(samples) - 1; last%every != 0 {
		s := samples[last]
		addRow(s.at.Round(time.Second).String(), s, "—", strconv.Itoa(s.open), strconv.Itoa(s.reconnects), strconv.FormatInt(s.beats, 10))
	}
	addRow(fmt.Sprintf("%s (all closed 5 s before)", closedAfter.Round(time.Second)+5*time.Second), afterClose, "—", "0", "—", "—")
	series.Notes = []string{
		"Go runtime: `Sys − HeapReleased` (what Go holds from the OS); outside Go: RSS minus that, mostly SQLite's page caches (modernc's C heap; PocketBase sets `cache_size` to 32 MB per connection, filled as the databases grow); data.db and auxiliary.db (PocketBase's request log, one row per request) with their WAL files",
		"CPU: the server's user+system time between two rows over the wall time between them (200% is both cores)",
	}
	return []*Table{summary, series}, nil
}

// countCell prints a count, "n/a" when it could not be read (-1).
func countCell(v int) string {
	if v < 0 {
		return "n/a"
	}
	return strconv.Itoa(v)
}

// ---------------------------------------------------------------------------
// the server's memory, CPU and goroutines

// longSample is one reading of the server; -1 marks what could not be
// read.
type longSample struct {
	at         time.Duration // since the hold began
	rss        int64
	liveHeap   int64
	goRuntime  int64 // what the Go runtime holds from the OS
	dataDB     int64 // data.db and its WAL, bytes
	auxDB      int64 // auxiliary.db (request logs) and its WAL
	goroutines int
	threads    int
	cpu        time.Duration

	open, reconnects int
	beats            int64
}

func (s longSample) String() string {
	return fmt.Sprintf("t %s: RSS %s, live heap %s, %s goroutines, %s threads, %d open, %d reconnects",
		s.at.Round(time.Second), formatMiB(s.rss), formatMiB(s.liveHeap), countCell(s.goroutines), countCell(s.threads), s.open, s.reconnects)
}

func takeLongSample(ctx context.Context, env *Env, at time.Duration) longSample {
	s := longSample{at: at, rss: -1, liveHeap: -1, goRuntime: -1, goroutines: -1, threads: -1, cpu: serverCPU(env)}
	if rss, err := env.Server.RSS(); err == nil {
		s.rss = rss
	}
	if live, runtime, err := serverLiveHeap(ctx, env); err == nil {
		s.liveHeap, s.goRuntime = live, runtime
	}
	s.dataDB = fileSizes(filepath.Join(env.Server.Root, "data", "data.db"))
	s.auxDB = fileSizes(filepath.Join(env.Server.Root, "data", "auxiliary.db"))
	if g, err := serverGoroutines(ctx, env); err == nil {
		s.goroutines = g
	}
	if t, err := readThreads(env.Server.Pid()); err == nil {
		s.threads = t
	}
	return s
}

// serverGoroutines reads the server's goroutine count from its pprof
// listener ("goroutine profile: total N").
func serverGoroutines(ctx context.Context, env *Env) (int, error) {
	var total int
	err := readPprof(ctx, env, "/debug/pprof/goroutine?debug=1", func(line string) bool {
		if rest, ok := strings.CutPrefix(line, "goroutine profile: total "); ok {
			total, _ = strconv.Atoi(rest)
			return true
		}
		return false
	})
	return total, err
}

// serverLiveHeap reads the server's HeapAlloc right after a garbage
// collection the request forces (the live heap), and the memory the Go
// runtime holds from the OS (Sys - HeapReleased).
func serverLiveHeap(ctx context.Context, env *Env) (live, runtime int64, err error) {
	var sys, released int64
	err = readPprof(ctx, env, "/debug/pprof/heap?gc=1&debug=1", func(line string) bool {
		name, value, ok := strings.Cut(strings.TrimPrefix(line, "# "), " = ")
		if !ok || !strings.HasPrefix(line, "# ") {
			return false
		}
		v, _ := strconv.ParseInt(value, 10, 64)
		switch name {
		case "Sys":
			sys = v
		case "HeapAlloc":
			live = v
		case "HeapReleased":
			released = v
			return true
		}
		return false
	})
	return live, sys - released, err
}

// readPprof reads a text profile from the server's pprof listener line by
// line until found reports a match.
func readPprof(ctx context.Context, env *Env, path string, found func(line string) bool) error {
	addr := env.Server.Getenv(pprofEnv)
	if addr == "" {
		return errors.New("the server has no pprof listener")
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+path, nil)
	if err != nil {
		return err
	}
	resp, err := env.Client.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: status %d", path, resp.StatusCode)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for sc.Scan() {
		if found(sc.Text()) {
			_, _ = io.Copy(io.Discard, resp.Body)
			return nil
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return fmt.Errorf("GET %s: value not found", path)
}

// fileSizes is the size of path plus its -wal file, -1 if path is
// missing.
func fileSizes(path string) int64 {
	info, err := os.Stat(path)
	if err != nil {
		return -1
	}
	size := info.Size()
	if wal, err := os.Stat(path + "-wal"); err == nil {
		size += wal.Size()
	}
	return size
}

// outsideGo is RSS minus what the Go runtime holds: mostly SQLite's page
// caches (modernc's C heap), -1 when unknown.
func (s longSample) outsideGo() int64 {
	if s.rss < 0 || s.goRuntime < 0 {
		return -1
	}
	return s.rss - s.goRuntime
}

// readThreads reads Threads from /proc/<pid>/status (Linux; an error
// elsewhere).
func readThreads(pid int) (int, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, "Threads:"); ok {
			return strconv.Atoi(strings.TrimSpace(rest))
		}
	}
	return 0, errors.New("no Threads line")
}

// fitSamples fits a least-squares line through value(s) over time in
// minutes and returns its slope (per minute) and the slope's standard
// error. Samples with an unread value (< 0) are left out.
func fitSamples(samples []longSample, value func(longSample) float64) (slope, stderr float64) {
	var xs, ys []float64
	for _, s := range samples {
		if v := value(s); v >= 0 {
			xs = append(xs, s.at.Minutes())
			ys = append(ys, v)
		}
	}
	return linearFit(xs, ys)
}

// linearFit is ordinary least squares of ys on xs: the slope and its
// standard error (NaN when there are fewer than three points or the xs
// do not vary).
func linearFit(xs, ys []float64) (slope, stderr float64) {
	n := float64(len(xs))
	if len(xs) < 3 || len(xs) != len(ys) {
		return math.NaN(), math.NaN()
	}
	var mx, my float64
	for i := range xs {
		mx += xs[i]
		my += ys[i]
	}
	mx /= n
	my /= n
	var sxx, sxy float64
	for i := range xs {
		sxx += (xs[i] - mx) * (xs[i] - mx)
		sxy += (xs[i] - mx) * (ys[i] - my)
	}
	if sxx == 0 {
		return math.NaN(), math.NaN()
	}
	slope = sxy / sxx
	var sse float64
	for i := range xs {
		r := ys[i] - (my + slope*(xs[i]-mx))
		sse += r * r
	}
	return slope, math.Sqrt(sse / (n - 2) / sxx)
}

// ---------------------------------------------------------------------------
// the server's environment

// pprofEnv names the server's pprof listener address (see main.go).
const pprofEnv = "STUDYHALL_PPROF"

var serverGOMAXPROCS = flag.Int("server-gomaxprocs", 0, "GOMAXPROCS of the server process (0: Go's default, every CPU)")

// serverEnv is what the bench adds to the server's environment:
// GOMAXPROCS when -server-gomaxprocs is set, and a pprof listener on a
// free loopback port unless STUDYHALL_PPROF is set already (the long
// scenario reads goroutines and the live heap there).
func serverEnv() []string {
	var env []string
	if *serverGOMAXPROCS > 0 {
		env = append(env, "GOMAXPROCS="+strconv.Itoa(*serverGOMAXPROCS))
	}
	if os.Getenv(pprofEnv) == "" {
		if addr, err := freeLoopbackAddr(); err == nil {
			env = append(env, pprofEnv+"="+addr)
		}
	}
	return env
}
