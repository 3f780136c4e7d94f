package main

// Over 400 lines: the chat scenario and its Socket.IO peer are measured side by side in one run.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"studyhall/collections"
)

// The chat scenario (issues 8 and 18): SPEC's chat level, a message
// reaching N subscribers of one room at 20 messages/s, studyhall beside a
// bare Socket.IO broadcast server measured in the same run by the same
// process:
//
//   - studyhall: participants subscribed to the topic chat/{roomId}
//     (pb.realtime.subscribe), messages created through the records API by
//     a few participants in turn; the topic fan-out (realtime/topics.go)
//     delivers them over SSE;
//   - Socket.IO: bench/peers/socketio/server.js (join a room, broadcast to
//     it, ack the sender; no persistence, no auth), its receivers and
//     senders Socket.IO connections of this process (socketio.go);
//   - optionally stock PocketBase (-chat-stock): the same room through a
//     chat_messages/* record subscription, whose list rule PocketBase
//     checks once per subscriber per message;
//   - studyhall with nobody subscribed: the cost of the create request
//     alone, to tell it apart from the cost of the fan-out.
func init() {
	registerScenario(Scenario{
		Name:    "chat",
		Summary: "1,000 subscribers of one chat room at 20 msg/s from 5 senders: studyhall's chat/{room} topic vs a bare Socket.IO broadcast",
		Run:     runChat,
	})
}

var (
	chatNs       = flag.String("chat-n", "1000", "chat: comma-separated `counts` of receivers in the room")
	chatMessages = flag.Int("chat-messages", 200, "chat, lecture: measured messages per run")
	chatWarmup   = flag.Int("chat-warmup", 20, "chat, lecture: messages sent before the measured ones, delivered and counted but not in the latencies")
	chatRate     = flag.Float64("chat-rate", 20, "chat: messages per second into the room, from all senders together")
	chatSenders  = flag.Int("senders", 5, "chat, lecture: participants sending in turn, each at rate/senders messages/s (studyhall allows one user a burst of 20, then 5/s)")
	chatRounds   = flag.Int("chat-rounds", 1, "chat, lecture: repetitions of the peer-then-studyhall pair, each with its ratio row")
	chatPeer     = flag.Bool("chat-socketio", true, "chat, lecture: also measure the Socket.IO peer (needs node and npm)")
	chatStock    = flag.Bool("chat-stock", false, "chat: also measure stock PocketBase's chat_messages/* record subscription (slow: about 40 s at 1,000)")
)

// Chat goals: SPEC.md's, and issue 18's against the peer, at 1,000.
const (
	chatGoalN          = 1000
	chatGoalP99        = 100 * time.Millisecond
	chatGoalPostP99    = 50 * time.Millisecond
	chatGoalPeerP99    = 1.2
	chatGoalPeerP50    = 1.5
	chatGoalPeerCPU    = 1.5
	userMessageRateCap = 5.0 // hooks/chat.go: one user, 5 messages/s after a burst of 20
)

// chatMode is one way of delivering a room's messages through studyhall.
type chatMode struct {
	label string
	// topic is what each participant subscribes to ("" for nobody), with
	// the room id appended when it ends in "/".
	topic string
}

var (
	chatTopicMode  = chatMode{"studyhall: topic chat/{room}", "chat/"}
	chatRecordMode = chatMode{"stock PocketBase: chat_messages/* + list rule", collections.ChatMessages + "/*"}
	chatPostOnly   = chatMode{"studyhall: POST only, nobody subscribed", ""}
)

var chatCase atomic.Int64

// roomLoad is one measurement's traffic: n receivers, warmup+messages
// messages at rate from senders participants in turn.
type roomLoad struct {
	n, warmup, messages, senders int
	rate                         float64
}

func (l roomLoad) total() int { return l.warmup + l.messages }

func (l roomLoad) interval() time.Duration { return time.Duration(float64(time.Second) / l.rate) }

func (l roomLoad) check() error {
	if l.n < 1 || l.messages < 1 || l.warmup < 0 || l.rate <= 0 || l.senders < 1 {
		return errors.New("receivers, -chat-messages, -chat-rate and -senders must be positive, -chat-warmup not negative")
	}
	if per := l.rate / float64(min(l.senders, l.n)); per > userMessageRateCap {
		log.Printf("warning: %d senders at %g/s in all is %.1f/s each, above studyhall's per-user limit of %g/s: expect 429s",
			l.senders, l.rate, per, userMessageRateCap)
	}
	return nil
}

// roomResult is one row: what a room's receivers got.
type roomResult struct {
	label                      string
	load                       roomLoad
	delivered, expected        int // measured messages only
	missing, dups, held        int // every message, warm-up included
	lat, post                  Summary
	rate                       string
	cpu                        time.Duration // server CPU over the whole send phase, -1 unknown
	allDeliveries, allMessages int           // what cpu paid for
	rssBefore, rssAfter        int64         // server RSS before connecting and once all listen (-1 unknown)
	load1                      string        // 1-minute load average at the end
	postOnly                   bool
}

func (r roomResult) cpuPerEvent() time.Duration {
	if r.cpu < 0 || r.allDeliveries == 0 {
		return -1
	}
	return r.cpu / time.Duration(r.allDeliveries)
}

func (r roomResult) cpuPerMessage() time.Duration {
	return cpuPer(r.cpu, r.allMessages)
}

func (r roomResult) memPerConn() int64 {
	if r.rssBefore < 0 || r.rssAfter < 0 {
		return -1
	}
	return (r.rssAfter - r.rssBefore) / int64(r.load.n)
}

var roomHeader = []string{
	"delivery", "N", "received/expected", "missing", "dup",
	"p50", "p90", "p99", "max", "POST p99", "rate reached",
	"server CPU/event", "server CPU/msg", "load 1 min",
}

func (r roomResult) row() []string {
	if r.postOnly {
		return []string{
			r.label, strconv.Itoa(r.load.n), "—", "—", "—", "—", "—", "—", "—",
			formatMillis(r.post.P99), r.rate, "—", formatCPU(r.cpuPerMessage()), r.load1,
		}
	}
	return []string{
		r.label, strconv.Itoa(r.load.n),
		fmt.Sprintf("%d/%d", r.delivered, r.expected), strconv.Itoa(r.missing), strconv.Itoa(r.dups),
		formatMillis(r.lat.P50), formatMillis(r.lat.P90), formatMillis(r.lat.P99), formatMillis(r.lat.Max),
		formatMillis(r.post.P99), r.rate,
		formatMicros(r.cpuPerEvent()), formatCPU(r.cpuPerMessage()), r.load1,
	}
}

// ratioRow is studyhall ÷ peer for the latency and CPU columns.
func ratioRow(s, p roomResult) []string {
	ratio := func(a, b time.Duration) string {
		if a < 0 || b <= 0 {
			return "n/a"
		}
		return fmt.Sprintf("%.2f×", float64(a)/float64(b))
	}
	return []string{
		"ratio studyhall ÷ Socket.IO", strconv.Itoa(s.load.n), "", "", "",
		ratio(s.lat.P50, p.lat.P50), ratio(s.lat.P90, p.lat.P90), ratio(s.lat.P99, p.lat.P99), ratio(s.lat.Max, p.lat.Max),
		ratio(s.post.P99, p.post.P99), "",
		ratio(s.cpuPerEvent(), p.cpuPerEvent()), ratio(s.cpuPerMessage(), p.cpuPerMessage()), "",
	}
}

func runChat(ctx context.Context, env *Env) ([]*Table, error) {
	ns, err := parseCounts(*chatNs)
	if err != nil {
		return nil, fmt.Errorf("-chat-n: %w", err)
	}
	table := &Table{
		Title: fmt.Sprintf("chat: one room, N receivers, %d messages (after %d warm-up) at %g/s from %d senders",
			*chatMessages, *chatWarmup, *chatRate, *chatSenders),
		Header: append(roomHeader, "goal"),
	}
	maxN := 0
	for _, n := range ns {
		maxN = max(maxN, n)
	}
	users, err := env.Users(ctx, maxN)
	if err != nil {
		return nil, err
	}
	for _, n := range ns {
		load := roomLoad{n: n, warmup: *chatWarmup, messages: *chatMessages, senders: *chatSenders, rate: *chatRate}
		if err := load.check(); err != nil {
			return nil, err
		}
		participants := users[:n]
		roomId, err := createChatRoom(ctx, env, participants)
		if err != nil {
			return []*Table{table}, fmt.Errorf("create room of %d: %w", n, err)
		}
		for round := range *chatRounds {
			if *chatRounds > 1 {
				log.Printf("chat N=%d: round %d of %d", n, round+1, *chatRounds)
			}
			var peer *roomResult
			if *chatPeer {
				res, err := measureSocketIO(ctx, env, load)
				if err != nil {
					log.Printf("chat: Socket.IO peer N=%d not measured: %v", n, err)
					table.Add("Socket.IO "+socketIOVersion+" (node)", strconv.Itoa(n), "not measured: "+err.Error())
				} else {
					table.Add(append(res.row(), "(peer)")...)
					peer = &res
				}
			}
			res, err := measureChat(ctx, env, chatTopicMode, participants, roomId, load)
			if err != nil {
				return []*Table{table}, fmt.Errorf("%s, N=%d: %w", chatTopicMode.label, n, err)
			}
			table.Add(append(res.row(), chatGoal(res, peer))...)
			if peer != nil {
				table.Add(ratioRow(res, *peer)...)
			}
			if err := sleepUntil(ctx, time.Now().Add(caseSettle)); err != nil {
				return []*Table{table}, err
			}
		}
		modes := []chatMode{chatPostOnly}
		if *chatStock {
			modes = append([]chatMode{chatRecordMode}, modes...)
		}
		for _, mode := range modes {
			res, err := measureChat(ctx, env, mode, participants, roomId, load)
			if err != nil {
				return []*Table{table}, fmt.Errorf("%s, N=%d: %w", mode.label, n, err)
			}
			goal := "(not the product path)"
			if mode == chatPostOnly {
				goal = "(baseline)"
			}
			table.Add(append(res.row(), goal)...)
			if err := sleepUntil(ctx, time.Now().Add(caseSettle)); err != nil {
				return []*Table{table}, err
			}
		}
	}

	table.Notes = append(roomNotes(*chatSenders, *chatRate),
		fmt.Sprintf("goal at N = %d: SPEC's p99 < %s and POST p99 < %s; issue 18's against the peer in the same run: p99 ≤ %.1f×, p50 ≤ %.1f×, server CPU per delivered event ≤ %.1f×; nothing lost",
			chatGoalN, formatMillis(chatGoalP99), formatMillis(chatGoalPostP99), chatGoalPeerP99, chatGoalPeerP50, chatGoalPeerCPU),
	)
	return []*Table{table}, nil
}

// roomNotes explain the room tables' columns.
func roomNotes(senders int, rate float64) []string {
	return []string{
		"latency: from just before the sender's request leaves the client (studyhall: the POST; Socket.IO: the emit) to the moment a receiver has read the whole event, before decoding it; first delivery of every (message, receiver) pair of the measured messages. Both clocks start where the user's action leaves the browser: measuring studyhall from its commit would leave out the request, the auth and the insert that a user waits for and the peer does not have",
		fmt.Sprintf("senders: %d participants in turn, message i from participant i mod %d at start + i/%g s (%.1f/s each; studyhall allows one user a burst of 20 and then 5/s), on schedule whether or not the previous request was answered, so that a slow server does not get a lower rate; rate reached: messages/s actually sent. Every participant, the senders included, receives every message exactly once", senders, senders, rate, rate/float64(senders)),
		"POST p99: studyhall's create request (`POST /api/collections/chat_messages/records`) until its answer; Socket.IO: the emit until the server's ack",
		"server CPU: the server process's user+system CPU (/proc/<pid>/stat; node for the peer) from the first send until the last delivery, warm-up included, divided by every delivered event (CPU/event) or by every message (CPU/msg)",
		"Socket.IO: socket.io " + socketIOVersion + " server (bench/peers/socketio/server.js, node, WebSocket only); its receivers and senders are Socket.IO connections of the bench process itself (bench/socketio.go), read exactly like studyhall's SSE streams: a goroutine per connection, the time taken when the event's frame has been read",
		"load 1 min: the machine's 1-minute load average right after the row (both cores are shared by the server, the bench and whatever else runs)",
	}
}

// chatGoal judges the studyhall row at chatGoalN.
func chatGoal(s roomResult, peer *roomResult) string {
	if s.load.n != chatGoalN {
		return "(goal at 1,000)"
	}
	ok := s.lat.P99 < chatGoalP99 && s.post.P99 < chatGoalPostP99 && s.missing == 0 && s.dups == 0
	if peer != nil {
		ok = ok && float64(s.lat.P99) <= chatGoalPeerP99*float64(peer.lat.P99) &&
			float64(s.lat.P50) <= chatGoalPeerP50*float64(peer.lat.P50) &&
			s.cpuPerEvent() >= 0 && float64(s.cpuPerEvent()) <= chatGoalPeerCPU*float64(peer.cpuPerEvent())
	}
	return goalCell(ok)
}

// createChatRoom makes a group room whose participants are users, as the
// superuser (rooms are the server's to create).
func createChatRoom(ctx context.Context, env *Env, users []User) (string, error) {
	ids := make([]string, len(users))
	for i, u := range users {
		ids[i] = u.Id
	}
	rec, err := env.Client.CreateRecord(ctx, env.Client.SuperuserToken, collections.ChatRooms, map[string]any{
		collections.ChatRoomName:         fmt.Sprintf("bench room of %d", len(users)),
		collections.ChatRoomType:         collections.ChatRoomTypeGroup,
		collections.ChatRoomParticipants: ids,
		collections.ChatRoomCreatedBy:    users[0].Id,
	})
	return rec.Id, err
}

// sendSchedule runs the senders: message seq (0 ≤ seq < total) is sent by
// sender seq mod senders at start + seq × interval, whether or not that
// sender's previous request has been answered (an open loop: a server that
// answers slowly does not get fewer messages, so its latency is not
// hidden by a lower rate). send returns an error for a failed send. It
// returns when each message was sent, how long each send took and which
// failed.
func sendSchedule(ctx context.Context, load roomLoad, send func(ctx context.Context, sender, seq int) error) (sent []time.Time, took []time.Duration, failed []bool, firstErr error) {
	total := load.total()
	senders := min(load.senders, load.n)
	interval := load.interval()
	sent = make([]time.Time, total)
	took = make([]time.Duration, total)
	failed = make([]bool, total)
	var (
		wg    sync.WaitGroup
		errMu sync.Mutex
	)
	start := time.Now().Add(20 * time.Millisecond)
	for seq := range total {
		if sleepUntil(ctx, start.Add(time.Duration(seq)*interval)) != nil {
			failed[seq] = true
			continue
		}
		sent[seq] = time.Now()
		wg.Go(func() {
			err := send(ctx, seq%senders, seq)
			took[seq] = time.Since(sent[seq])
			if err != nil {
				failed[seq] = true
				errMu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				errMu.Unlock()
			}
		})
	}
	wg.Wait()
	return sent, took, failed, firstErr
}

// rateReached is the achieved send rate, as text.
func rateReached(sent []time.Time) string {
	if len(sent) < 2 {
		return "n/a"
	}
	first, last := sent[0], sent[0]
	for _, t := range sent {
		if t.IsZero() {
			continue
		}
		if t.Before(first) {
			first = t
		}
		if t.After(last) {
			last = t
		}
	}
	return fmt.Sprintf("%.1f/s", float64(len(sent)-1)/last.Sub(first).Seconds())
}

// collectRoom waits for the deliveries of every sent message, counts them
// and fills res's delivery, latency and CPU fields. cpu returns the
// server's CPU time so far (-1 unknown).
func collectRoom(ctx context.Context, env *Env, res *roomResult, recv *deliveries, sent []time.Time, took []time.Duration, failed []bool, cpu func() time.Duration, cpuBefore time.Duration) error {
	load := res.load
	sentOK := 0
	var okPosts []time.Duration
	for seq, f := range failed {
		if !f {
			sentOK++
			if seq >= load.warmup {
				okPosts = append(okPosts, took[seq])
			}
		}
	}
	res.post = Summarize(okPosts)
	res.rate = rateReached(sent)
	res.allMessages = sentOK
	expectedAll := int64(load.n * sentOK)
	complete, err := waitUntil(ctx, time.Now().Add(env.Config.Drain), func() bool { return recv.Firsts() >= expectedAll })
	if err != nil {
		return err
	}
	res.cpu = -1
	if now := cpu(); now >= 0 && cpuBefore >= 0 {
		res.cpu = now - cpuBefore
	}
	if complete {
		if err := sleepUntil(ctx, time.Now().Add(graceAfterComplete)); err != nil {
			return err
		}
	}
	return nil
}

// countRoom reads recv once its receivers have stopped.
func countRoom(res *roomResult, recv *deliveries, sent []time.Time, failed []bool) {
	_, missing, dups := recv.Count(sent, func(_, seq int) bool { return !failed[seq] })
	res.missing, res.dups = missing, dups
	res.allDeliveries = int(recv.Firsts())
	var measured []time.Duration
	counts := make([]int, len(sent))
	for _, list := range recv.arrivals {
		clear(counts)
		for _, a := range list {
			counts[a.seq]++
			if counts[a.seq] == 1 && a.seq >= res.load.warmup && !failed[a.seq] {
				measured = append(measured, a.at.Sub(sent[a.seq]))
			}
		}
	}
	res.lat = Summarize(measured)
	res.delivered = len(measured)
	for seq := res.load.warmup; seq < len(sent); seq++ {
		if !failed[seq] {
			res.expected += res.load.n
		}
	}
	res.load1 = loadAverage1()
}

// measureChat runs one studyhall measurement of a room.
func measureChat(ctx context.Context, env *Env, mode chatMode, users []User, roomId string, load roomLoad) (roomResult, error) {
	n := load.n
	tag := fmt.Sprintf("chat-%d", chatCase.Add(1))
	label := fmt.Sprintf("%s N=%d", mode.label, n)
	res := roomResult{label: mode.label, load: load, rssBefore: -1, rssAfter: -1}
	subscribed := mode.topic != ""
	recv := newDeliveries(n, load.total())
	var set *subscriberSet
	if subscribed {
		topic := mode.topic
		if topic == chatTopicMode.topic {
			topic += roomId
		}
		log.Printf("%s: connecting", label)
		res.rssBefore = serverRSS(env)
		var err error
		set, err = openSubscribers(ctx, env, label, subscriberSpec{
			N:      n,
			Token:  func(i int) string { return users[i].Token },
			Topics: func(int) []string { return []string{topic} },
			Handle: recv.TaggedHandler(topic, tag),
		})
		if err != nil {
			return res, err
		}
		defer set.Close(env)
		res.rssAfter = serverRSS(env)
		// the connects' presence writes settle before the clock starts
		if err := sleepUntil(ctx, time.Now().Add(caseSettle)); err != nil {
			return res, err
		}
	}

	cpuBefore := serverCPU(env)
	sent, took, failed, firstErr := sendSchedule(ctx, load, func(ctx context.Context, k, seq int) error {
		_, err := env.Client.CreateRecord(ctx, users[k].Token, collections.ChatMessages, map[string]any{
			collections.ChatMessageRoom:   roomId,
			collections.ChatMessageSender: users[k].Id,
			collections.ChatMessageBody:   tag + "#" + strconv.Itoa(seq),
		})
		return err
	})
	if err := ctx.Err(); err != nil {
		return res, err
	}
	failures := 0
	for _, f := range failed {
		if f {
			failures++
		}
	}
	if failures > 0 {
		env.Fail("%s: %d of %d POSTs failed (first: %v)", label, failures, len(sent), firstErr)
	}
	if !subscribed {
		res.postOnly = true
		okPosts := []time.Duration{}
		for seq, d := range took {
			if !failed[seq] && seq >= load.warmup {
				okPosts = append(okPosts, d)
			}
		}
		res.post = Summarize(okPosts)
		res.rate = rateReached(sent)
		res.allMessages = len(sent) - failures
		res.cpu = cpuDelta(env, cpuBefore)
		res.load1 = loadAverage1()
		log.Printf("%s: POST p99 %s", label, formatMillis(res.post.P99))
		return res, nil
	}
	if err := collectRoom(ctx, env, &res, recv, sent, took, failed, func() time.Duration { return serverCPU(env) }, cpuBefore); err != nil {
		return res, err
	}
	res.held = set.Finish(env, label)
	countRoom(&res, recv, sent, failed)
	if res.missing > 0 || res.dups > 0 || res.held < n {
		env.Fail("%s: %d missing, %d duplicate deliveries; %d/%d connections held", label, res.missing, res.dups, res.held, n)
	}
	log.Printf("%s: %d/%d delivered, p50 %s, p99 %s, POST p99 %s, CPU/event %s", label, res.delivered, res.expected,
		formatMillis(res.lat.P50), formatMillis(res.lat.P99), formatMillis(res.post.P99), formatMicros(res.cpuPerEvent()))
	return res, nil
}

// serverRSS is the server's resident memory, or -1 if unknown.
func serverRSS(env *Env) int64 {
	rss, err := env.Server.RSS()
	if err != nil {
		return -1
	}
	return rss
}

// cpuPer divides a CPU time by a count, keeping "unknown" (-1).
func cpuPer(cpu time.Duration, count int) time.Duration {
	if cpu < 0 || count == 0 {
		return -1
	}
	return cpu / time.Duration(count)
}

// formatMicros prints a small CPU time in microseconds, "n/a" when unknown.
func formatMicros(d time.Duration) string {
	if d < 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f µs", float64(d)/float64(time.Microsecond))
}

// loadAverage1 is the 1-minute load average.
func loadAverage1() string {
	first, _, _ := strings.Cut(loadAverage(), " ")
	return first
}
