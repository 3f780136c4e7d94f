package main

import (
	"context"
	"fmt"
	"log"
	"strconv"
	"sync/atomic"
	"time"

	"studyhall/collections"
)

// The fanout scenario: one writer (the superuser) creates records in a
// collection while N users hold a realtime subscription to it. It measures
// what every later realtime feature stands on, PocketBase's own record
// broadcast, which runs inside the writer's request (after the commit) and
// checks the collection's list rule once per subscriber for every record:
//
//   - public: rule "", the only rule PocketBase passes without a query;
//   - signed in: a non-empty @request.auth.id, one trivial SQL query per
//     subscriber (any non-empty rule is checked by a query);
//   - room member: room.members.id ?= @request.auth.id, the membership
//     join that chat rooms use, one query with a join per subscriber.
func init() {
	registerScenario(Scenario{
		Name:    "fanout",
		Summary: "one writer, N subscribers of a collection; public, signed-in and room-member rules",
		Run:     runFanout,
	})
}

// Collections and fields the fanout scenario creates.
const (
	fanoutPublicCollection   = "bench_public"
	fanoutSignedInCollection = "bench_signed_in"
	fanoutRoomsCollection    = "bench_rooms"
	fanoutMessagesCollection = "bench_messages"
	fanoutBodyField          = "body"
	fanoutMembersField       = "members"
	fanoutRoomField          = "room"
)

// fanoutTarget is one collection to measure and the list/view rule that
// guards it.
type fanoutTarget struct {
	label      string
	collection string
	rule       string
}

var fanoutTargets = []fanoutTarget{
	{"public", fanoutPublicCollection, ""},
	{"signed in", fanoutSignedInCollection, "@request.auth.id != ''"},
	{"room member", fanoutMessagesCollection, "room.members.id ?= @request.auth.id"},
}

// graceAfterComplete is how long the scenario keeps listening after every
// expected delivery arrived, so that duplicates still in flight are
// counted.
const graceAfterComplete = 300 * time.Millisecond

// caseSettle separates two measurements.
const caseSettle = time.Second

func runFanout(ctx context.Context, env *Env) ([]*Table, error) {
	table := &Table{
		Title: "fanout: one writer, N subscribers of one collection",
		Header: []string{
			"rule", "N", "delivered/expected", "missing", "dup",
			"p50", "p90", "p99", "max",
			"POST p50", "POST p99",
			"server CPU/record", "server RSS", "conns held",
		},
	}

	users, err := env.Users(ctx, env.Config.MaxN())
	if err != nil {
		return nil, err
	}
	roomId, err := setUpFanout(ctx, env, users)
	if err != nil {
		return nil, fmt.Errorf("set up fanout collections: %w", err)
	}
	rssIdle, err := env.Server.RSS()
	if err != nil {
		rssIdle = -1
	}

	for _, n := range env.Config.Ns {
		for _, target := range fanoutTargets {
			row, err := measureFanout(ctx, env, target, users[:n], roomId)
			if err != nil {
				return []*Table{table}, fmt.Errorf("%s, N=%d: %w", target.label, n, err)
			}
			table.Add(row...)
			// let the server notice the closed streams and unregister
			// their clients before the next broadcast walks its clients
			if err := sleepUntil(ctx, time.Now().Add(caseSettle)); err != nil {
				return []*Table{table}, err
			}
		}
	}

	table.Notes = []string{
		"latency: from just before the writer's POST to the moment the event's last line is read by a subscriber, for the first delivery of every (record, subscriber) pair; POST: the writer's request time, which includes PocketBase's per-subscriber rule checks",
		"missing/dup: (record, subscriber) pairs never delivered or delivered more than once; both must be 0",
		"server CPU/record: the server process's user+system CPU from the first POST until the last delivery, divided by the records",
		"rules: public `\"\"`, signed in `@request.auth.id != ''`, room member `room.members.id ?= @request.auth.id` (all N users are members of the one room)",
		fmt.Sprintf("server RSS: the server's VmRSS once all N connections are subscribed (%s idle after setup, before any connection; Go returns freed memory lazily, so a row may include heap left from earlier rows); conns held: streams still open at the end / opened", formatMiB(rssIdle)),
	}
	return []*Table{table}, nil
}

// setUpFanout creates the three measured collections and the room every
// bench user is a member of, and returns the room's id.
func setUpFanout(ctx context.Context, env *Env, members []User) (string, error) {
	c := env.Client
	usersId, err := c.CollectionId(ctx, collections.Users)
	if err != nil {
		return "", err
	}
	bodyField := map[string]any{"name": fanoutBodyField, "type": "text", "max": 1000}

	for _, target := range fanoutTargets[:2] {
		if _, err := c.CreateCollection(ctx, map[string]any{
			"name":     target.collection,
			"type":     "base",
			"listRule": target.rule,
			"viewRule": target.rule,
			"fields":   []any{bodyField},
		}); err != nil {
			return "", err
		}
	}

	// rooms: superusers only (nil rules); members is a multi relation
	roomsId, err := c.CreateCollection(ctx, map[string]any{
		"name": fanoutRoomsCollection,
		"type": "base",
		"fields": []any{map[string]any{
			"name":         fanoutMembersField,
			"type":         "relation",
			"collectionId": usersId,
			"maxSelect":    1_000_000,
		}},
	})
	if err != nil {
		return "", err
	}
	memberRule := fanoutTargets[2].rule
	if _, err := c.CreateCollection(ctx, map[string]any{
		"name":     fanoutMessagesCollection,
		"type":     "base",
		"listRule": memberRule,
		"viewRule": memberRule,
		"fields": []any{
			bodyField,
			map[string]any{
				"name":         fanoutRoomField,
				"type":         "relation",
				"collectionId": roomsId,
				"maxSelect":    1,
				"required":     true,
			},
		},
	}); err != nil {
		return "", err
	}

	ids := make([]string, len(members))
	for i, u := range members {
		ids[i] = u.Id
	}
	room, err := c.CreateRecord(ctx, c.SuperuserToken, fanoutRoomsCollection, map[string]any{fanoutMembersField: ids})
	if err != nil {
		return "", err
	}
	return room.Id, nil
}

// ---------------------------------------------------------------------------

// fanoutCase counts the measurements of one process run so that two cases
// never mistake each other's records (e.g. -n 100,100).
var fanoutCase atomic.Int64

// measureFanout opens one subscription per user, sends Messages records and
// returns the table row.
func measureFanout(ctx context.Context, env *Env, target fanoutTarget, users []User, roomId string) ([]string, error) {
	cfg := env.Config
	n, m := len(users), cfg.Messages
	topic := target.collection + "/*"
	tag := fmt.Sprintf("fanout-%d", fanoutCase.Add(1))
	label := fmt.Sprintf("fanout %s N=%d", target.label, n)
	log.Printf("%s: connecting", label)

	// --- connect and subscribe, as N browsers would
	recv := newDeliveries(n, m)
	set, err := openSubscribers(ctx, env, label, subscriberSpec{
		N:      n,
		Token:  func(i int) string { return users[i].Token },
		Topics: func(int) []string { return []string{topic} },
		Handle: recv.TaggedHandler(topic, tag),
	})
	if err != nil {
		return nil, err
	}
	defer set.Close(env)

	rssOpen, err := env.Server.RSS()
	if err != nil {
		rssOpen = -1
	}

	// --- send, one writer at a steady pace
	sent := make([]time.Time, m)
	postTimes := make([]time.Duration, m)
	body := map[string]any{}
	if target.collection == fanoutMessagesCollection {
		body[fanoutRoomField] = roomId
	}
	cpuBefore := serverCPU(env)
	sendStart := time.Now()
	for seq := range m {
		if err := sleepUntil(ctx, sendStart.Add(time.Duration(seq)*cfg.Interval)); err != nil {
			return nil, err
		}
		body[fanoutBodyField] = tag + "#" + strconv.Itoa(seq)
		sent[seq] = time.Now()
		if _, err := env.Client.CreateRecord(ctx, env.Client.SuperuserToken, target.collection, body); err != nil {
			return nil, fmt.Errorf("create record %d: %w", seq, err)
		}
		postTimes[seq] = time.Since(sent[seq])
	}

	// --- wait for every delivery, then a little longer for duplicates
	expected := int64(n * m)
	complete, err := waitUntil(ctx, time.Now().Add(cfg.Drain), func() bool { return recv.Firsts() >= expected })
	if err != nil {
		return nil, err
	}
	if complete {
		if err := sleepUntil(ctx, time.Now().Add(graceAfterComplete)); err != nil {
			return nil, err
		}
	}
	cpu := cpuDelta(env, cpuBefore)

	// --- close, then count: every subscriber should have every record
	held := set.Finish(env, label)
	latencies, missing, dups := recv.Count(sent, func(_, _ int) bool { return true })
	if missing > 0 || dups > 0 || held < n {
		env.Fail("%s: %d missing, %d duplicate deliveries of %d expected; %d/%d connections held",
			label, missing, dups, expected, held, n)
	}

	lat := Summarize(latencies)
	post := Summarize(postTimes)
	log.Printf("%s: %d/%d delivered, p50 %s, p99 %s, POST p99 %s",
		label, lat.Count, expected, formatMillis(lat.P50), formatMillis(lat.P99), formatMillis(post.P99))

	return []string{
		target.label,
		strconv.Itoa(n),
		fmt.Sprintf("%d/%d", lat.Count, expected),
		strconv.Itoa(missing),
		strconv.Itoa(dups),
		formatMillis(lat.P50), formatMillis(lat.P90), formatMillis(lat.P99), formatMillis(lat.Max),
		formatMillis(post.P50), formatMillis(post.P99),
		formatCPU(cpuPer(cpu, m)),
		formatMiB(rssOpen),
		fmt.Sprintf("%d/%d", held, n),
	}, nil
}

// sleepUntil sleeps until t or until ctx is done.
func sleepUntil(ctx context.Context, t time.Time) error {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
