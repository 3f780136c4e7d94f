package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"studyhall/collections"
)

// The presence scenario (issue 8): SPEC's "10,000 concurrent realtime
// connections on one machine; a status change reaches subscribers within
// 3 s; memory per idle connection reported".
//
// Every connection is a different signed-in user and, when measured,
// subscribed to presence/*, so each change goes to all of them. They get
// there in two steps: first each subscribes to a topic nobody publishes
// to (bench/idle), which makes the server count the user online, then all
// switch to presence/*. Subscribing straight to presence/* would have
// every user's own "online" change, published when it connects, go to
// everyone connected before it: N²/2 = 50 million events for 10,000
// users, a login storm this scenario does not measure (see the README).
func init() {
	registerScenario(Scenario{
		Name:    "presence",
		Summary: "10,000 signed-in connections on presence/*: memory per connection, status change delivery",
		Run:     runPresence,
	})
}

var (
	presenceN       = flag.Int("presence-n", 10000, "presence: concurrent signed-in realtime connections")
	presenceChanges = flag.Int("presence-changes", 5, "presence: status changes measured one after another")
)

// presenceGoal is SPEC's bound on a status change reaching subscribers.
const presenceGoal = 3 * time.Second

// presenceIdleTopic is a topic nobody publishes to.
const presenceIdleTopic = "bench/idle"

var presenceCase atomic.Int64

func runPresence(ctx context.Context, env *Env) ([]*Table, error) {
	n, changes := *presenceN, *presenceChanges
	if n < 2 || changes < 1 {
		return nil, errors.New("-presence-n must be at least 2 and -presence-changes at least 1")
	}
	// the changer is one more user, who is connected too
	users, err := env.Users(ctx, n)
	if err != nil {
		return nil, err
	}
	changer := users[0]
	tag := fmt.Sprintf("bench-presence-%d", presenceCase.Add(1))

	// let the server settle after creating the users before reading memory
	if err := sleepUntil(ctx, time.Now().Add(2*time.Second)); err != nil {
		return nil, err
	}
	rssBefore, _ := env.Server.RSS()

	var (
		recv   = newDeliveries(n, changes)
		strays atomic.Int64 // events of the changer that match no change
	)
	const topic = collections.Presence + "/*"
	cpuBefore := serverCPU(env)
	set, err := openSubscribers(ctx, env, "presence", subscriberSpec{
		N:      n,
		Token:  func(i int) string { return users[i].Token },
		Topics: func(int) []string { return []string{presenceIdleTopic} },
		Handle: func(i int, ev Event) {
			if ev.Name != topic {
				return
			}
			var msg struct {
				Record struct {
					User     string `json:"user"`
					Status   string `json:"status"`
					Activity string `json:"activity"`
				} `json:"record"`
			}
			if json.Unmarshal(ev.Data, &msg) != nil || msg.Record.User != changer.Id {
				return // someone else's presence
			}
			evTag, seqText, ok := strings.Cut(msg.Record.Activity, "#")
			seq, err := strconv.Atoi(seqText)
			if !ok || evTag != tag || err != nil || msg.Record.Status != presenceStatusOf(seq) {
				strays.Add(1)
				return
			}
			recv.Add(i, seq, ev.At)
		},
	})
	if err != nil {
		return nil, err
	}
	defer set.Close(env)
	connected := set.Took
	connectCPU := cpuDelta(env, cpuBefore)
	if err := sleepUntil(ctx, time.Now().Add(2*time.Second)); err != nil {
		return nil, err
	}
	rssIdle, _ := env.Server.RSS()

	log.Printf("presence: switching %d connections to %s", n, topic)
	switchStart := time.Now()
	if err := set.Resubscribe(ctx, env, func(i int) string { return users[i].Token },
		func(int) []string { return []string{topic} }); err != nil {
		return nil, err
	}
	switched := time.Since(switchStart)
	if err := sleepUntil(ctx, time.Now().Add(2*time.Second)); err != nil {
		return nil, err
	}
	rssSubscribed, _ := env.Server.RSS()

	changesTable := &Table{
		Title: fmt.Sprintf("presence: a status change delivered to %d subscribers of presence/*", n),
		Header: []string{
			"change", "status", "delivered/expected", "missing", "dup",
			"p50", "p90", "p99", "max (all delivered)", "PUT", "server CPU", "goal (max < 3 s)",
		},
	}
	sent := make([]time.Time, changes)
	puts := make([]time.Duration, changes)
	cpus := make([]time.Duration, changes)
	for seq := range changes {
		before := recv.Firsts()
		status := presenceStatusOf(seq)
		cpuBefore := serverCPU(env)
		sent[seq] = time.Now()
		err := env.Client.Do(ctx, http.MethodPut, "/api/presence/status", changer.Token,
			map[string]any{"status": status, "activity": tag + "#" + strconv.Itoa(seq)}, nil)
		puts[seq] = time.Since(sent[seq])
		if err != nil {
			return nil, fmt.Errorf("change %d: %w", seq+1, err)
		}
		complete, err := waitUntil(ctx, time.Now().Add(env.Config.Drain), func() bool {
			return recv.Firsts()-before >= int64(n)
		})
		if err != nil {
			return nil, err
		}
		cpus[seq] = cpuDelta(env, cpuBefore)
		log.Printf("presence change %d (%s): all delivered %v after %s", seq+1, status, complete, time.Since(sent[seq]).Round(time.Millisecond))
		if err := sleepUntil(ctx, time.Now().Add(graceAfterComplete+700*time.Millisecond)); err != nil {
			return nil, err
		}
	}

	held := set.Finish(env, "presence")

	// count once the consumers have stopped
	for seq := range changes {
		latencies, missing, dups := recv.CountItem(seq, sent[seq], func(int) bool { return true })
		if missing > 0 || dups > 0 {
			env.Fail("presence change %d: %d missing, %d duplicate deliveries of %d", seq+1, missing, dups, n)
		}
		lat := Summarize(latencies)
		log.Printf("presence change %d: %d/%d delivered, p50 %s, p99 %s, max %s", seq+1,
			lat.Count, n, formatMillis(lat.P50), formatMillis(lat.P99), formatMillis(lat.Max))
		changesTable.Add(
			strconv.Itoa(seq+1), presenceStatusOf(seq),
			fmt.Sprintf("%d/%d", lat.Count, n), strconv.Itoa(missing), strconv.Itoa(dups),
			formatMillis(lat.P50), formatMillis(lat.P90), formatMillis(lat.P99), formatMillis(lat.Max),
			formatMillis(puts[seq]), formatCPU(cpus[seq]),
			goalCell(missing == 0 && dups == 0 && lat.Max < presenceGoal),
		)
	}
	if s := strays.Load(); s > 0 {
		env.Fail("presence: %d events of the changer matched no change", s)
	}
	if held < n {
		env.Fail("presence: %d/%d connections held", held, n)
	}

	perConn := func(after int64) string {
		if rssBefore <= 0 || after <= 0 {
			return "n/a"
		}
		return fmt.Sprintf("%.1f KiB", float64(after-rssBefore)/float64(n)/1024)
	}
	memTable := &Table{
		Title:  fmt.Sprintf("presence: %d concurrent signed-in realtime connections", n),
		Header: []string{"step", "server RSS", "per connection", "took", "server CPU", "connections held"},
	}
	memTable.Add("users created, no connection", formatMiB(rssBefore), "—", "—", "—", "—")
	memTable.Add(fmt.Sprintf("%d connected, subscribed to %s", n, presenceIdleTopic), formatMiB(rssIdle), perConn(rssIdle),
		fmt.Sprintf("%s (per connection p50 %s, p99 %s)", connected.Round(time.Millisecond), formatMillis(set.Connect.P50), formatMillis(set.Connect.P99)), formatCPUSeconds(connectCPU), "—")
	memTable.Add(fmt.Sprintf("all switched to %s", topic), formatMiB(rssSubscribed), perConn(rssSubscribed),
		switched.Round(time.Millisecond).String(), "—", fmt.Sprintf("%d/%d at the end", held, n))
	memTable.Notes = []string{
		"per connection: (RSS − RSS before any connection) ÷ N, the server process only; each connection is a different user, signed in with its token (the server counts it online and keeps its presence row)",
		"server CPU while connecting: every connection's first signed-in subscribe marks its user online; each such change is written with one upsert and published through the fan-out to the clients subscribed to presence only",
		"the bench opens the connections from the same machine, so each costs a descriptor and socket buffers on both sides; the bench's own memory is not counted",
	}
	changesTable.Notes = []string{
		"change: the first user (connected too) sends `PUT /api/presence/status` with `busy` and `online` in turn, each with a distinct activity; latency: from just before the PUT to the moment a subscriber has read the `update` event of that user's presence row carrying the new status; max = when the last of the N had it",
		"every subscriber must receive every change exactly once (counted per change and again at the end)",
		"server CPU: the server process's CPU time from the PUT until the last delivery",
	}
	return []*Table{memTable, changesTable}, nil
}

// presenceStatusOf is the status of change seq: busy, online, busy, ...
func presenceStatusOf(seq int) string {
	if seq%2 == 0 {
		return "busy"
	}
	return "online"
}

// formatCPUSeconds prints a longer CPU time in seconds.
func formatCPUSeconds(d time.Duration) string {
	if d < 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}
