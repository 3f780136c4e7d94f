package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"strconv"
	"time"
)

// The lecture scenario (issue 18): a 5,000-seat lecture room, every seat a
// signed-in participant subscribed to the room's chat/{roomId} topic, 10
// messages/s into it from a few participants in turn. It is the chat
// scenario's measurement at five times the receivers and half the rate,
// with the server's memory per connection beside it; the Socket.IO peer is
// measured in the same run for reference.
func init() {
	registerScenario(Scenario{
		Name:    "lecture",
		Summary: "5,000 receivers in one chat room at 10 msg/s: p99 < 150 ms, nothing lost, memory per connection",
		Run:     runLecture,
	})
}

var (
	lectureN    = flag.Int("lecture-n", 5000, "lecture: receivers in the room")
	lectureRate = flag.Float64("lecture-rate", 10, "lecture: messages per second into the room, from all senders together")
)

// lectureGoalP99 is issue 18's level for the lecture room.
const lectureGoalP99 = 150 * time.Millisecond

func runLecture(ctx context.Context, env *Env) ([]*Table, error) {
	load := roomLoad{n: *lectureN, warmup: *chatWarmup, messages: *chatMessages, senders: *chatSenders, rate: *lectureRate}
	if err := load.check(); err != nil {
		return nil, err
	}
	table := &Table{
		Title: fmt.Sprintf("lecture: one room, %d receivers, %d messages (after %d warm-up) at %g/s from %d senders",
			load.n, load.messages, load.warmup, load.rate, load.senders),
		Header: append(append([]string{}, roomHeader...), "server RSS/conn", "goal"),
	}
	users, err := env.Users(ctx, load.n)
	if err != nil {
		return nil, err
	}
	roomId, err := createChatRoom(ctx, env, users)
	if err != nil {
		return nil, fmt.Errorf("create room of %d: %w", load.n, err)
	}
	for round := range *chatRounds {
		if *chatRounds > 1 {
			log.Printf("lecture: round %d of %d", round+1, *chatRounds)
		}
		var peer *roomResult
		if *chatPeer {
			res, err := measureSocketIO(ctx, env, load)
			if err != nil {
				log.Printf("lecture: Socket.IO peer not measured: %v", err)
				table.Add("Socket.IO "+socketIOVersion+" (node)", strconv.Itoa(load.n), "not measured: "+err.Error())
			} else {
				table.Add(append(res.row(), formatKiB(res.memPerConn()), "(peer)")...)
				peer = &res
			}
		}
		res, err := measureChat(ctx, env, chatTopicMode, users, roomId, load)
		if err != nil {
			return []*Table{table}, fmt.Errorf("lecture: %w", err)
		}
		ok := res.lat.P99 < lectureGoalP99 && res.missing == 0 && res.dups == 0 && res.held == load.n
		table.Add(append(res.row(), formatKiB(res.memPerConn()), goalCell(ok))...)
		if peer != nil {
			table.Add(ratioRow(res, *peer)...)
		}
		if err := sleepUntil(ctx, time.Now().Add(caseSettle)); err != nil {
			return []*Table{table}, err
		}
	}
	// the create requests alone, nobody listening: what the room's size
	// costs before any fan-out
	res, err := measureChat(ctx, env, chatPostOnly, users, roomId, load)
	if err != nil {
		return []*Table{table}, fmt.Errorf("lecture: %w", err)
	}
	table.Add(append(res.row(), "—", "(baseline)")...)

	table.Notes = append(roomNotes(load.senders, load.rate),
		"server RSS/conn: the server's VmRSS once every receiver listens, less its VmRSS before the first connected, divided by the receivers (studyhall: a signed-in SSE connection subscribed to the topic; node: a Socket.IO connection joined to the room); Go and node return freed memory lazily, so a later round may show less",
		fmt.Sprintf("goal (issue 18): p99 < %s, nothing lost, every connection held", formatMillis(lectureGoalP99)),
	)
	return []*Table{table}, nil
}

// formatKiB prints a byte count in KiB, "n/a" when unknown.
func formatKiB(bytes int64) string {
	if bytes < 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f KiB", float64(bytes)/1024)
}
