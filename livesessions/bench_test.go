package livesessions_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"studyhall/collections"
	"studyhall/testkit"
)

// TestLiveSessionCapacityBench is SPEC's capacity service level: 1,000
// concurrent joins (1,000 users, real HTTP over loopback) on a 100-seat
// session admit exactly 100, with the p50/p99 join latency reported beside
// its peer measured in the same run: the same burst of reads of the
// session through PocketBase's records API. It
// asserts the count, never the time, and runs only with STUDYHALL_BENCH=1:
//
//	STUDYHALL_BENCH=1 go test ./hooks/ -run LiveSessionCapacityBench -v
//
// STUDYHALL_BENCH_ROUNDS repeats it on fresh sessions (default 3).
func TestLiveSessionCapacityBench(t *testing.T) {
	if os.Getenv("STUDYHALL_BENCH") == "" {
		t.Skip("set STUDYHALL_BENCH=1 to run the capacity benchmark")
	}
	const joiners, seats = 1000, 100
	rounds := 3
	if n, err := strconv.Atoi(os.Getenv("STUDYHALL_BENCH_ROUNDS")); err == nil && n > 0 {
		rounds = n
	}

	app := testkit.NewRushApp(t)
	users := testkit.InsertUsers(t, app, "bench", joiners)
	srv := testkit.StartServer(t, app)

	for round := range rounds {
		session, err := testkit.SaveRecord(app, collections.LiveSessions, "", map[string]any{
			"instructor": testkit.IdInstructor, "title": "Capacity bench", "capacity": seats,
			"scheduledStart": time.Now().UTC().Add(time.Hour),
		})
		if err != nil {
			t.Fatal(err)
		}

		// the peer: the same burst of signed-in reads of the session
		// through PocketBase's own records API (auth, rule, record)
		peer := rushLatencies(testkit.SendRush(http.MethodGet, srv.URL+testkit.RecordsURL(collections.LiveSessions, session.Id), users), 200)

		began := time.Now()
		results := testkit.JoinRush(srv.URL, session.Id, users)
		wall := time.Since(began)

		counts := testkit.TallyRush(results)
		if counts["200"] != seats || counts["409 session_full"] != joiners-seats {
			t.Fatalf("round %d: answers %v, want %d × 200 and %d × 409 session_full", round+1, counts, seats, joiners-seats)
		}
		if n := testkit.CountActiveAttendance(t, app, session.Id); n != seats {
			t.Fatalf("round %d: %d active attendees in the database, want %d", round+1, n, seats)
		}
		if n := testkit.FindLiveSession(t, app, session.Id).GetInt(collections.LiveSessionAttendeeCount); n != seats {
			t.Fatalf("round %d: attendeeCount %d, want %d", round+1, n, seats)
		}

		all, admitted := rushLatencies(results, 0), rushLatencies(results, 200)
		t.Logf("round %d: %d joins on %d seats in %s: admitted %d; join p50 %s p99 %s max %s (admitted p50 %s p99 %s); peer view burst p50 %s p99 %s (%d ok)",
			round+1, joiners, seats, wall.Round(time.Millisecond), counts["200"],
			rushPercentile(all, 50), rushPercentile(all, 99), rushPercentile(all, 100),
			rushPercentile(admitted, 50), rushPercentile(admitted, 99),
			rushPercentile(peer, 50), rushPercentile(peer, 99), len(peer))
	}
}

// rushLatencies are the sorted latencies of the results with the given status
// (0 for all).
func rushLatencies(results []testkit.RushResult, status int) []time.Duration {
	var out []time.Duration
	for _, r := range results {
		if status == 0 || r.Status == status {
			out = append(out, r.Latency)
		}
	}
	slices.Sort(out)
	return out
}

// rushPercentile is the p-th percentile (nearest rank) of sorted durations.
func rushPercentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := (p*len(sorted) + 99) / 100
	rank = max(rank, 1)
	return sorted[rank-1].Round(100 * time.Microsecond)
}

// TestLiveSessionPromotionCascadeBench is the waitlist's bench row: a
// 100-seat session with 200 more users in line, and the 100 seated leave
// in one burst, so that every leave seats the next in line and moves the
// rest up. It reports the leave latency (p50/p99) beside its peer, the
// same burst of leaves from a session nobody waits for, and how long each
// promoted user waited for their promotion over SSE from the start of
// the burst. It asserts the counts (the first 100 in line seated, the
// rest 1..100 in order, one notice each), never the time, and runs only
// with STUDYHALL_BENCH=1:
//
//	STUDYHALL_BENCH=1 go test ./livesessions/ -run PromotionCascadeBench -v
func TestLiveSessionPromotionCascadeBench(t *testing.T) {
	if os.Getenv("STUDYHALL_BENCH") == "" {
		t.Skip("set STUDYHALL_BENCH=1 to run the promotion cascade benchmark")
	}
	const seats, waiting = 100, 200
	rounds := 3
	if n, err := strconv.Atoi(os.Getenv("STUDYHALL_BENCH_ROUNDS")); err == nil && n > 0 {
		rounds = n
	}
	app := testkit.NewRushApp(t)
	users := testkit.InsertUsers(t, app, "cascade", seats+waiting)
	srv := testkit.StartServer(t, app)
	tokenOf := map[string]string{}
	tokens := make([]string, len(users))
	for i, u := range users {
		tokenOf[u.Id] = u.Token
		tokens[i] = u.Token
	}
	fill := func(id string, all []string) ([]string, []string) {
		t.Helper()
		testkit.NewRushSession(t, app, id, seats)
		for i, a := range rushJSON(http.MethodPost, srv.URL+testkit.SessionURL(id, "join"), all, `{"waitlist":true}`) {
			if a.err != nil || a.status != http.StatusOK {
				t.Fatalf("join %d: %d %v %v", i, a.status, a.body, a.err)
			}
		}
		state := readWaitlist(t, app, id)
		line, problem := state.line()
		if problem != "" || len(state.active) != seats {
			t.Fatalf("filled: %d seats, line of %d: %s", len(state.active), len(line), problem)
		}
		leavers := make([]string, len(state.active))
		for i, user := range state.active {
			leavers[i] = tokenOf[user]
		}
		return leavers, line
	}

	for round := range rounds {
		// the peer: the same burst of leaves, nobody waiting
		peerLeavers, _ := fill(fmt.Sprintf("lvscascpeer%04d", round), tokens[:seats])
		peer := rushJSON(http.MethodPost, srv.URL+testkit.SessionURL(fmt.Sprintf("lvscascpeer%04d", round), "leave"), peerLeavers, ``)

		sessionId := fmt.Sprintf("lvscascade%05d", round)
		leavers, line := fill(sessionId, tokens)
		next := line[:seats]
		promotedAt := make([]time.Duration, len(next))
		clients := make([]*testkit.RealtimeClient, len(next))
		for i, user := range next {
			clients[i] = testkit.ConnectRealtime(t, srv.URL)
			clients[i].Subscribe(t, tokenOf[user], "live_session_attendees/*")
		}
		var wg sync.WaitGroup
		began := time.Now()
		for i, c := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					ev, ok := c.NextEvent(30 * time.Second)
					if !ok {
						promotedAt[i] = -1
						return
					}
					var data testkit.RecordEvent
					if json.Unmarshal(ev.Data, &data) == nil && data.Record["active"] == true {
						promotedAt[i] = time.Since(began)
						return
					}
				}
			}()
		}
		answers := rushJSON(http.MethodPost, srv.URL+testkit.SessionURL(sessionId, "leave"), leavers, ``)
		burst := time.Since(began)
		wg.Wait()
		for _, c := range clients {
			c.Close()
		}

		for i, a := range answers {
			if a.err != nil || a.status != http.StatusOK {
				t.Fatalf("round %d: leave %d: %d %v %v", round+1, i, a.status, a.body, a.err)
			}
		}
		after := readWaitlist(t, app, sessionId)
		rest, problem := after.line()
		seated := slices.Clone(after.active)
		slices.Sort(seated)
		want := slices.Clone(next)
		slices.Sort(want)
		if problem != "" || !slices.Equal(seated, want) || !slices.Equal(rest, line[seats:]) {
			t.Fatalf("round %d: after the burst %d seated, line of %d (%s): not the first %d in line, or the rest out of order", round+1, len(seated), len(rest), problem, seats)
		}
		if n := testkit.CountRecords(t, app, collections.Notifications, "type = '"+collections.TypeLiveSessionWaitlistPromoted+"' && relatedId = '"+sessionId+"'"); n != seats {
			t.Fatalf("round %d: %d promotion notices, want %d", round+1, n, seats)
		}
		var delivered []time.Duration
		for i, d := range promotedAt {
			if d < 0 {
				t.Fatalf("round %d: %s never saw their promotion", round+1, next[i])
			}
			delivered = append(delivered, d)
		}
		slices.Sort(delivered)
		leaves, peerLeaves := waitLatencies(answers), waitLatencies(peer)
		t.Logf("round %d: %d leaves promoting %d of %d in line in %s: leave p50 %s p99 %s (peer, nobody waiting: p50 %s p99 %s); promotion seen over SSE p50 %s p99 %s max %s",
			round+1, seats, seats, seats+waiting-seats, burst.Round(time.Millisecond),
			rushPercentile(leaves, 50), rushPercentile(leaves, 99), rushPercentile(peerLeaves, 50), rushPercentile(peerLeaves, 99),
			rushPercentile(delivered, 50), rushPercentile(delivered, 99), rushPercentile(delivered, 100))
	}
}

// waitLatencies are the sorted latencies of a rush's answers.
func waitLatencies(answers []waitAnswer) []time.Duration {
	out := make([]time.Duration, len(answers))
	for i, a := range answers {
		out[i] = a.latency
	}
	slices.Sort(out)
	return out
}
