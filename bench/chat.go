package main

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

// The chat scenario (issue 8): SPEC's chat level, a message reaching N
// subscribers of one room at 20 messages/s, measured side by side for
//
//   - studyhall: participants subscribed to the topic chat/{roomId}
//     (pb.realtime.subscribe), messages created through the records API by
//     participants; the topic fan-out (realtime/topics.go) delivers them;
//   - stock PocketBase: the same server and room, participants subscribed
//     to chat_messages/* instead, so that PocketBase's own broadcast checks
//     the list rule room.participants.id ?= @request.auth.id once per
//     subscriber per message; nobody listens to the topic;
//   - Socket.IO: a bare broadcast server in node (bench/peers/socketio),
//     no persistence, no auth, driven by its own node client;
//   - studyhall with nobody subscribed: the cost of the create request
//     alone, to tell it apart from the cost of the fan-out.
func init() {
	registerScenario(Scenario{
		Name:    "chat",
		Summary: "N subscribers of one chat room at 20 msg/s: chat/{room} topic vs chat_messages/* vs Socket.IO",
		Run:     runChat,
	})
}

var (
	chatMessages = flag.Int("chat-messages", 100, "chat: messages per measurement")
	chatRate     = flag.Float64("chat-rate", 20, "chat: messages per second into the room")
	chatSenders  = flag.Int("chat-senders", 10, "chat: participants taking turns to send (studyhall allows one user 5 messages/s)")
	chatPeer     = flag.Bool("chat-socketio", true, "chat: also measure the Socket.IO peer (needs node and npm)")
)

// Chat goals from SPEC.md, at 1,000 subscribers.
const (
	chatGoalN          = 1000
	chatGoalP99        = 100 * time.Millisecond
	chatGoalPostP99    = 50 * time.Millisecond
	chatGoalPeerFactor = 1.5
)

// chatMode is one way of delivering a room's messages.
type chatMode struct {
	label string
	// topic is what each participant subscribes to ("" for nobody), with
	// %s standing for the room id.
	topic string
}

var (
	chatTopicMode  = chatMode{"studyhall: topic chat/{room}", "chat/%s"}
	chatRecordMode = chatMode{"stock PocketBase: chat_messages/* + list rule", collections.ChatMessages + "/*"}
	chatPostOnly   = chatMode{"studyhall: POST only, nobody subscribed", ""}
)

var chatCase atomic.Int64

func runChat(ctx context.Context, env *Env) ([]*Table, error) {
	m := *chatMessages
	if m < 1 || *chatRate <= 0 || *chatSenders < 1 {
		return nil, errors.New("-chat-messages, -chat-rate and -chat-senders must be positive")
	}
	interval := time.Duration(float64(time.Second) / *chatRate)
	table := &Table{
		Title: fmt.Sprintf("chat: one room, N subscribers, %d messages at %g/s", m, *chatRate),
		Header: []string{
			"delivery", "N", "delivered/expected", "missing", "dup",
			"p50", "p90", "p99", "max",
			"POST p50", "POST p99", "rate reached",
			"server CPU/msg", "p99 ÷ Socket.IO", "goal",
		},
	}
	users, err := env.Users(ctx, env.Config.MaxN())
	if err != nil {
		return nil, err
	}

	for _, n := range env.Config.Ns {
		participants := users[:n]
		roomId, err := createChatRoom(ctx, env, participants)
		if err != nil {
			return []*Table{table}, fmt.Errorf("create room of %d: %w", n, err)
		}

		var peerP99 time.Duration
		if *chatPeer {
			row, p99, err := measureSocketIO(ctx, env, n, m)
			if err != nil {
				log.Printf("chat: Socket.IO peer N=%d not measured: %v", n, err)
				table.Add("Socket.IO 4.8.4 (node)", strconv.Itoa(n), "not measured: "+err.Error())
			} else {
				table.Add(row...)
				peerP99 = p99
			}
		}
		for _, mode := range []chatMode{chatTopicMode, chatRecordMode, chatPostOnly} {
			row, err := measureChat(ctx, env, mode, participants, roomId, m, interval, peerP99)
			if err != nil {
				return []*Table{table}, fmt.Errorf("%s, N=%d: %w", mode.label, n, err)
			}
			table.Add(row...)
			if err := sleepUntil(ctx, time.Now().Add(caseSettle)); err != nil {
				return []*Table{table}, err
			}
		}
	}

	table.Notes = []string{
		"latency: from just before the sender's POST (Socket.IO: emit) to the moment a subscriber has read the event, first delivery of every (message, subscriber) pair; every participant, the senders included, subscribes and must receive every message exactly once",
		fmt.Sprintf("senders: %d participants take turns (message i is sent by participant i mod %d at start + i/rate), each waiting for its previous POST; studyhall allows one user a burst of 20 and then 5 messages/s (hooks/chat.go), so one sender could not keep 20/s. rate reached: messages/s actually sent (below the target when POSTs are slower than the pace)", *chatSenders, *chatSenders),
		"server CPU/msg: the server process's user+system CPU during the send phase divided by the messages (2 cores: 1,000 ms/msg of CPU is 2 messages/s at most)",
		fmt.Sprintf("goal (SPEC, at N = %d): p99 < %s, POST p99 < %s, p99 within %.1f× of Socket.IO measured in the same run", chatGoalN, formatMillis(chatGoalP99), formatMillis(chatGoalPostP99), chatGoalPeerFactor),
		"Socket.IO: socket.io 4.8.4 server and socket.io-client 4.8.4 over WebSocket, all N clients in one node process (bench/peers/socketio/client.js); POST = time until the server's ack of the emit",
	}
	return []*Table{table}, nil
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

// measureChat runs one studyhall measurement and returns its row.
func measureChat(ctx context.Context, env *Env, mode chatMode, users []User, roomId string, m int, interval time.Duration, peerP99 time.Duration) ([]string, error) {
	n := len(users)
	tag := fmt.Sprintf("chat-%d", chatCase.Add(1))
	label := fmt.Sprintf("chat %s N=%d", mode.label, n)
	subscribed := mode.topic != ""
	var (
		set  *subscriberSet
		recv = newDeliveries(n, m)
	)
	if subscribed {
		topic := mode.topic
		if strings.Contains(topic, "%s") {
			topic = fmt.Sprintf(topic, roomId)
		}
		log.Printf("%s: connecting", label)
		var err error
		set, err = openSubscribers(ctx, env, label, subscriberSpec{
			N:      n,
			Token:  func(i int) string { return users[i].Token },
			Topics: func(int) []string { return []string{topic} },
			Handle: recv.TaggedHandler(topic, tag),
		})
		if err != nil {
			return nil, err
		}
		defer set.Close(env)
		// the connects' presence writes settle before the clock starts
		if err := sleepUntil(ctx, time.Now().Add(caseSettle)); err != nil {
			return nil, err
		}
	}

	// --- send: participants take turns, each one POST at a time
	senders := min(*chatSenders, n)
	sent := make([]time.Time, m)
	postTimes := make([]time.Duration, m)
	failed := make([]bool, m)
	var (
		failures  atomic.Int64
		firstFail atomic.Value
		wg        sync.WaitGroup
	)
	cpuBefore := serverCPU(env)
	start := time.Now().Add(20 * time.Millisecond)
	for k := range senders {
		wg.Go(func() {
			for seq := k; seq < m; seq += senders {
				if sleepUntil(ctx, start.Add(time.Duration(seq)*interval)) != nil {
					failed[seq] = true
					continue
				}
				sent[seq] = time.Now()
				_, err := env.Client.CreateRecord(ctx, users[k].Token, collections.ChatMessages, map[string]any{
					collections.ChatMessageRoom:   roomId,
					collections.ChatMessageSender: users[k].Id,
					collections.ChatMessageBody:   tag + "#" + strconv.Itoa(seq),
				})
				postTimes[seq] = time.Since(sent[seq])
				if err != nil {
					failed[seq] = true
					failures.Add(1)
					firstFail.CompareAndSwap(nil, err.Error())
				}
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	lastSent := sent[0]
	for _, t := range sent {
		if t.After(lastSent) {
			lastSent = t
		}
	}
	rate := "n/a"
	if m > 1 {
		rate = fmt.Sprintf("%.1f/s", float64(m-1)/lastSent.Sub(sent[0]).Seconds())
	}
	if f := failures.Load(); f > 0 {
		env.Fail("%s: %d of %d POSTs failed (first: %v)", label, f, m, firstFail.Load())
	}

	var okPosts []time.Duration
	for seq, d := range postTimes {
		if !failed[seq] {
			okPosts = append(okPosts, d)
		}
	}
	post := Summarize(okPosts)

	if !subscribed {
		cpu := cpuDelta(env, cpuBefore)
		log.Printf("%s: POST p50 %s, p99 %s", label, formatMillis(post.P50), formatMillis(post.P99))
		return []string{
			mode.label, strconv.Itoa(n), "—", "—", "—", "—", "—", "—", "—",
			formatMillis(post.P50), formatMillis(post.P99), rate,
			formatCPU(cpuPer(cpu, m)), "—", "(baseline)",
		}, nil
	}

	// --- wait for every delivery, then a little longer for duplicates
	sentOK := 0
	for _, f := range failed {
		if !f {
			sentOK++
		}
	}
	expected := int64(n * sentOK)
	complete, err := waitUntil(ctx, time.Now().Add(env.Config.Drain), func() bool { return recv.Firsts() >= expected })
	if err != nil {
		return nil, err
	}
	cpu := cpuDelta(env, cpuBefore)
	if complete {
		if err := sleepUntil(ctx, time.Now().Add(graceAfterComplete)); err != nil {
			return nil, err
		}
	}
	held := set.Finish(env, label)

	latencies, missing, dups := recv.Count(sent, func(_, seq int) bool { return !failed[seq] })
	if missing > 0 || dups > 0 || held < n {
		env.Fail("%s: %d missing, %d duplicate deliveries of %d expected; %d/%d connections held",
			label, missing, dups, expected, held, n)
	}
	lat := Summarize(latencies)
	log.Printf("%s: %d/%d delivered, p50 %s, p99 %s, POST p99 %s", label, lat.Count, expected,
		formatMillis(lat.P50), formatMillis(lat.P99), formatMillis(post.P99))

	ratio, goal := "—", "(goal at 1,000)"
	if peerP99 > 0 {
		ratio = fmt.Sprintf("%.1f×", float64(lat.P99)/float64(peerP99))
	}
	if n == chatGoalN && mode == chatTopicMode {
		ok := lat.P99 < chatGoalP99 && post.P99 < chatGoalPostP99 &&
			(peerP99 == 0 || float64(lat.P99) <= chatGoalPeerFactor*float64(peerP99))
		goal = goalCell(ok)
	} else if n == chatGoalN {
		goal = goalCell(lat.P99 < chatGoalP99 && post.P99 < chatGoalPostP99) + " (not the product path)"
	}
	return []string{
		mode.label, strconv.Itoa(n),
		fmt.Sprintf("%d/%d", lat.Count, expected), strconv.Itoa(missing), strconv.Itoa(dups),
		formatMillis(lat.P50), formatMillis(lat.P90), formatMillis(lat.P99), formatMillis(lat.Max),
		formatMillis(post.P50), formatMillis(post.P99), rate,
		formatCPU(cpuPer(cpu, m)), ratio, goal,
	}, nil
}

// cpuPer divides a CPU time by a count, keeping "unknown" (-1).
func cpuPer(cpu time.Duration, count int) time.Duration {
	if cpu < 0 || count == 0 {
		return -1
	}
	return cpu / time.Duration(count)
}
