package livesessions_test

// Over 400 lines: the waitlist's rush, realtime and every way a seat frees, on shared fixtures.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/testkit"
)

// waitAnswer is what one request of a rush got back.
type waitAnswer struct {
	status  int
	body    map[string]any
	latency time.Duration
	err     error
}

// position is the answer's waitlistPosition, 0 if none.
func (a waitAnswer) position() int {
	p, _ := a.body["waitlistPosition"].(float64)
	return int(p)
}

var waitlistClient = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 500}, Timeout: 60 * time.Second}

// rushJSON sends method url with the JSON body once per token, all
// released together, and returns every answer in token order.
func rushJSON(method, url string, tokens []string, body string) []waitAnswer {
	answers := make([]waitAnswer, len(tokens))
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	ready.Add(len(tokens))
	done.Add(len(tokens))
	for i, token := range tokens {
		go func() {
			defer done.Done()
			req, err := http.NewRequest(method, url, bytes.NewReader([]byte(body)))
			if err != nil {
				answers[i].err = err
				ready.Done()
				return
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", token)
			ready.Done()
			<-start
			began := time.Now()
			res, err := waitlistClient.Do(req)
			if err != nil {
				answers[i].err = err
				return
			}
			defer res.Body.Close()
			answers[i].status = res.StatusCode
			answers[i].err = json.NewDecoder(res.Body).Decode(&answers[i].body)
			answers[i].latency = time.Since(began)
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()
	return answers
}

// waitlistState is a session's seats and line as one read of the
// database saw them.
type waitlistState struct {
	active    []string       // user ids with a seat
	positions map[string]int // user id → position, for those waiting
}

// readWaitlist reads the session's seats and waitlist in one query (one
// snapshot).
func readWaitlist(t testing.TB, app core.App, sessionId string) waitlistState {
	t.Helper()
	var rows []struct {
		User     string `db:"user"`
		Active   bool   `db:"active"`
		Position int    `db:"waitlistPosition"`
	}
	err := app.DB().Select("user", "active", "waitlistPosition").From(collections.LiveSessionAttendees).
		Where(dbx.HashExp{"session": sessionId}).All(&rows)
	if err != nil {
		t.Fatal(err)
	}
	state := waitlistState{positions: map[string]int{}}
	for _, r := range rows {
		if r.Active {
			state.active = append(state.active, r.User)
		}
		if r.Position > 0 {
			state.positions[r.User] = r.Position
		}
	}
	return state
}

// line is the waiting users in position order, or a problem: a seat
// holder also waiting, or positions other than exactly 1..N.
func (s waitlistState) line() ([]string, string) {
	line := make([]string, 0, len(s.positions))
	for user := range s.positions {
		line = append(line, user)
	}
	sort.Slice(line, func(i, j int) bool { return s.positions[line[i]] < s.positions[line[j]] })
	for i, user := range line {
		if s.positions[user] != i+1 {
			return nil, "positions are not 1..N"
		}
		if slices.Contains(s.active, user) {
			return nil, "a seated user is also waiting"
		}
	}
	return line, ""
}

// TestLiveSessionWaitlistRush: 200 users join a 20-seat session at once,
// each asking to wait: 20 seats, 180 in line at positions exactly 1..180.
// Then the 20 seated leave at once while a reader checks the database
// without pause: never more than 20 seats, never a gap or a repeat in the
// line, and afterwards the 20 promoted are exactly the first 20 in line,
// the rest moved up 20 places in the same order, each promoted user told
// once.
func TestLiveSessionWaitlistRush(t *testing.T) {
	t.Parallel()
	const joiners, seats = 200, 20
	app := testkit.NewRushApp(t)
	users := testkit.InsertUsers(t, app, "waitrush", joiners)
	srv := testkit.StartServer(t, app)
	session := testkit.NewRushSession(t, app, "lvswaitrush0001", seats)
	tokens := make([]string, joiners)
	tokenOf := map[string]string{}
	for i, u := range users {
		tokens[i] = u.Token
		tokenOf[u.Id] = u.Token
	}

	answers := rushJSON(http.MethodPost, srv.URL+testkit.SessionURL(session.Id, "join"), tokens, `{"waitlist":true}`)
	var seated []string
	positionOf := map[string]int{}
	for i, a := range answers {
		switch {
		case a.err != nil || a.status != http.StatusOK:
			t.Fatalf("join %d: %d %v %v", i, a.status, a.body, a.err)
		case a.body["active"] == true:
			seated = append(seated, users[i].Id)
		default:
			positionOf[users[i].Id] = a.position()
		}
	}
	if len(seated) != seats || len(positionOf) != joiners-seats {
		t.Fatalf("%d seated and %d waiting, want %d and %d", len(seated), len(positionOf), seats, joiners-seats)
	}
	state := readWaitlist(t, app, session.Id)
	line, problem := state.line()
	if problem != "" || len(line) != joiners-seats || len(state.active) != seats {
		t.Fatalf("after the joins: %d seats, line of %d: %s", len(state.active), len(line), problem)
	}
	for _, user := range line {
		if positionOf[user] != state.positions[user] {
			t.Fatalf("%s was answered position %d, the database says %d", user, positionOf[user], state.positions[user])
		}
	}
	record := testkit.FindLiveSession(t, app, session.Id)
	if record.GetInt(collections.LiveSessionAttendeeCount) != seats || record.GetInt(collections.LiveSessionWaitlistCount) != joiners-seats {
		t.Fatalf("attendeeCount %d, waitlistCount %d", record.GetInt(collections.LiveSessionAttendeeCount), record.GetInt(collections.LiveSessionWaitlistCount))
	}

	// the leaves, watched
	var stop atomic.Bool
	var checks atomic.Int64
	problems := make(chan string, 1)
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		for !stop.Load() {
			state := readWaitlist(t, app, session.Id)
			if _, problem := state.line(); problem != "" || len(state.active) > seats {
				select {
				case problems <- fmt.Sprintf("%q with %d seats taken", problem, len(state.active)):
				default:
				}
			}
			checks.Add(1)
		}
	}()
	leavers := make([]string, seats)
	for i, id := range seated {
		leavers[i] = tokenOf[id]
	}
	for i, a := range rushJSON(http.MethodPost, srv.URL+testkit.SessionURL(session.Id, "leave"), leavers, ``) {
		if a.err != nil || a.status != http.StatusOK {
			t.Errorf("leave %d: %d %v %v", i, a.status, a.body, a.err)
		}
	}
	stop.Store(true)
	<-watched
	select {
	case problem := <-problems:
		t.Fatalf("during the leaves: %s", problem)
	default:
	}
	if checks.Load() < 2 {
		t.Fatalf("only %d checks ran during the leaves", checks.Load())
	}

	after := readWaitlist(t, app, session.Id)
	rest, problem := after.line()
	if problem != "" {
		t.Fatalf("after the leaves: %s", problem)
	}
	promoted := slices.Clone(after.active)
	slices.Sort(promoted)
	first := slices.Clone(line[:seats])
	slices.Sort(first)
	if !slices.Equal(promoted, first) {
		t.Fatalf("seated after the leaves: %v, want the first %d in line: %v", promoted, seats, first)
	}
	if !slices.Equal(rest, line[seats:]) {
		t.Fatalf("the rest of the line is not the same users in the same order")
	}
	record = testkit.FindLiveSession(t, app, session.Id)
	if record.GetInt(collections.LiveSessionAttendeeCount) != seats || record.GetInt(collections.LiveSessionWaitlistCount) != joiners-2*seats {
		t.Fatalf("attendeeCount %d, waitlistCount %d", record.GetInt(collections.LiveSessionAttendeeCount), record.GetInt(collections.LiveSessionWaitlistCount))
	}
	for _, user := range line[:seats+1] {
		want := 0
		if slices.Contains(promoted, user) {
			want = 1
		}
		if got := sessionNoticesOf(t, app, user, collections.TypeLiveSessionWaitlistPromoted, session.Id); got != want {
			t.Errorf("%s: %d promotion notices, want %d", user, got, want)
		}
	}
	t.Logf("%d checks of the line during the 20 leaves", checks.Load())
}

// TestLiveSessionWaitlistRealtime: over real SSE, a promotion reaches the
// promoted user (their attendance row and the notice) and a move up in
// line reaches the one behind, each within a second; nobody receives
// another user's row.
func TestLiveSessionWaitlistRealtime(t *testing.T) {
	t.Parallel()
	app := testkit.NewRushApp(t)
	users := testkit.InsertUsers(t, app, "waitsse", 4)
	srv := testkit.StartServer(t, app)
	session := testkit.NewRushSession(t, app, "lvswaitsse00001", 1)
	a, b, c, d := users[0], users[1], users[2], users[3]
	join := func(token string, wantPosition int) {
		t.Helper()
		var body map[string]any
		if status := testkit.ApiRequest(t, srv.URL, http.MethodPost, testkit.SessionURL(session.Id, "join"), token, map[string]any{"waitlist": true}, &body); status != 200 {
			t.Fatalf("join: %d %v", status, body)
		}
		if p, _ := body["waitlistPosition"].(float64); int(p) != wantPosition {
			t.Fatalf("join: position %v, want %d", body["waitlistPosition"], wantPosition)
		}
	}
	join(a.Token, 0)
	join(b.Token, 1)
	join(c.Token, 2)

	bClient := testkit.ConnectRealtime(t, srv.URL)
	bClient.Subscribe(t, b.Token, "live_session_attendees/*", "notifications/*")
	cClient := testkit.ConnectRealtime(t, srv.URL)
	cClient.Subscribe(t, c.Token, "live_session_attendees/*", "live_sessions/"+session.Id)

	// a leaves: b is seated, c moves up to 1
	if status := testkit.ApiRequest(t, srv.URL, http.MethodPost, testkit.SessionURL(session.Id, "leave"), a.Token, nil, nil); status != 200 {
		t.Fatalf("a leaves: %d", status)
	}
	seen := map[string]bool{}
	for range 2 {
		ev, ok := bClient.NextEvent(time.Second)
		if !ok {
			t.Fatalf("b got %v within a second, want the promotion and its notice", seen)
		}
		var data testkit.RecordEvent
		if err := json.Unmarshal(ev.Data, &data); err != nil {
			t.Fatal(err)
		}
		switch ev.Name {
		case "live_session_attendees/*":
			if data.Record["user"] != b.Id || data.Record["active"] != true || data.Record["waitlistPosition"] != 0.0 {
				t.Fatalf("b's attendance event: %v", data.Record)
			}
		case "notifications/*":
			if data.Record["type"] != collections.TypeLiveSessionWaitlistPromoted || data.Record["actionUrl"] != "/live-sessions/"+session.Id {
				t.Fatalf("b's notice: %v", data.Record)
			}
		}
		seen[ev.Name] = true
	}
	if !seen["live_session_attendees/*"] || !seen["notifications/*"] {
		t.Fatalf("b got %v", seen)
	}
	expectPosition := func(client *testkit.RealtimeClient, user string, want int) {
		t.Helper()
		deadline := time.Now().Add(time.Second)
		for {
			ev, ok := client.NextEvent(time.Until(deadline))
			if !ok {
				t.Fatalf("%s: no position %d within a second", user, want)
			}
			if ev.Name != "live_session_attendees/*" {
				continue // the session's own update (attendeeCount)
			}
			var data testkit.RecordEvent
			if err := json.Unmarshal(ev.Data, &data); err != nil {
				t.Fatal(err)
			}
			if data.Record["user"] != user {
				t.Fatalf("%s received another user's row: %v", user, data.Record)
			}
			if data.Record["waitlistPosition"] == float64(want) {
				return
			}
		}
	}
	expectPosition(cClient, c.Id, 1)

	// d joins behind c; c leaves the line: d moves up to 1
	dClient := testkit.ConnectRealtime(t, srv.URL)
	dClient.Subscribe(t, d.Token, "live_session_attendees/*")
	join(d.Token, 2)
	expectPosition(dClient, d.Id, 2) // its own new row
	if status := testkit.ApiRequest(t, srv.URL, http.MethodPost, testkit.SessionURL(session.Id, "leave"), c.Token, nil, nil); status != 200 {
		t.Fatalf("c leaves the line: %d", status)
	}
	expectPosition(dClient, d.Id, 1)
	bClient.ExpectNoEvent(t, 200*time.Millisecond) // b hears nothing of c's or d's rows
}

// TestLiveSessionWaitlistChanges walks one small session through every
// way a seat or a place in line changes: asking twice, joining without
// asking while waiting, a capacity raise, a deleted account, leaving the
// line, the full-session memory, and a cancel that lets the line go.
func TestLiveSessionWaitlistChanges(t *testing.T) {
	t.Parallel()
	app := testkit.NewRushApp(t)
	users := testkit.InsertUsers(t, app, "waitchange", 6)
	srv := testkit.StartServer(t, app)
	session := testkit.NewRushSession(t, app, "lvswaitchange01", 1)
	join := func(label, token string, waitlist bool, wantStatus int, wantCode string, wantPosition int) map[string]any {
		t.Helper()
		var body map[string]any
		var payload any
		if waitlist {
			payload = map[string]any{"waitlist": true}
		}
		status := testkit.ApiRequest(t, srv.URL, http.MethodPost, testkit.SessionURL(session.Id, "join"), token, payload, &body)
		code := ""
		if data, ok := body["data"].(map[string]any); ok {
			code, _ = data["code"].(string)
		}
		position, _ := body["waitlistPosition"].(float64)
		if status != wantStatus || code != wantCode || int(position) != wantPosition {
			t.Fatalf("%s: %d %q position %v (%v), want %d %q %d", label, status, code, position, body, wantStatus, wantCode, wantPosition)
		}
		return body
	}
	expect := func(label string, wantSeated []string, wantLine []string) {
		t.Helper()
		state := readWaitlist(t, app, session.Id)
		line, problem := state.line()
		seated := slices.Clone(state.active)
		slices.Sort(seated)
		wantSeated = slices.Clone(wantSeated)
		slices.Sort(wantSeated)
		if problem != "" || !slices.Equal(seated, wantSeated) || !slices.Equal(line, wantLine) {
			t.Fatalf("%s: seated %v, line %v (%s); want %v, %v", label, seated, line, problem, wantSeated, wantLine)
		}
		record := testkit.FindLiveSession(t, app, session.Id)
		if record.GetInt(collections.LiveSessionAttendeeCount) != len(wantSeated) || record.GetInt(collections.LiveSessionWaitlistCount) != len(wantLine) {
			t.Fatalf("%s: attendeeCount %d, waitlistCount %d", label, record.GetInt(collections.LiveSessionAttendeeCount), record.GetInt(collections.LiveSessionWaitlistCount))
		}
	}
	leave := func(label, token string) map[string]any {
		t.Helper()
		var body map[string]any
		if status := testkit.ApiRequest(t, srv.URL, http.MethodPost, testkit.SessionURL(session.Id, "leave"), token, nil, &body); status != 200 {
			t.Fatalf("%s: %d %v", label, status, body)
		}
		return body
	}
	a, b, c, d, e, f := users[0], users[1], users[2], users[3], users[4], users[5]

	join("a, waitlist asked at a free seat, is seated", a.Token, true, 200, "", 0)
	join("b without waitlist: full", b.Token, false, 409, "session_full", 0) // now known full
	first := join("b asks to wait", b.Token, true, 200, "", 1)
	join("b asks again", b.Token, true, 200, "", 1)
	join("b joins without asking, still waiting: full", b.Token, false, 409, "session_full", 0)
	join("c asks to wait", c.Token, true, 200, "", 2)
	join("d asks to wait", d.Token, true, 200, "", 3)
	join("e asks to wait", e.Token, true, 200, "", 4)
	expect("a line of four", []string{a.Id}, []string{b.Id, c.Id, d.Id, e.Id})

	// a leaves: b takes the seat in the same request, and the memory of
	// the full session does not hide it
	leave("a leaves", a.Token)
	expect("b seated", []string{b.Id}, []string{c.Id, d.Id, e.Id})
	if seatedB := join("b joins again, seated", b.Token, false, 200, "", 0); seatedB["id"] != first["id"] || seatedB["active"] != true {
		t.Fatalf("b's join after the promotion: %v", seatedB)
	}
	join("f without waitlist: full", f.Token, false, 409, "session_full", 0)

	// capacity up by two: c and d seated at once
	if status := testkit.ApiRequest(t, srv.URL, http.MethodPatch, testkit.RecordsURL(collections.LiveSessions, session.Id), testkit.Tokens[testkit.Instructor],
		map[string]any{"capacity": 3}, nil); status != 200 {
		t.Fatalf("capacity 3: %d", status)
	}
	expect("capacity 3", []string{b.Id, c.Id, d.Id}, []string{e.Id})
	join("f asks to wait", f.Token, true, 200, "", 2)
	join("a asks to wait", a.Token, true, 200, "", 3)
	expect("e, f, a waiting", []string{b.Id, c.Id, d.Id}, []string{e.Id, f.Id, a.Id})

	// f leaves the line: a moves up
	if left := leave("f leaves the line", f.Token); left["waitlistPosition"] != 0.0 || left["active"] != false {
		t.Fatalf("f's row after leaving the line: %v", left)
	}
	expect("f gone", []string{b.Id, c.Id, d.Id}, []string{e.Id, a.Id})
	if status := testkit.ApiRequest(t, srv.URL, http.MethodPost, testkit.SessionURL(session.Id, "leave"), f.Token, nil, nil); status != http.StatusConflict {
		t.Fatalf("f leaves again: %d, want 409 not_joined", status)
	}

	// e's account deleted: a moves up
	deleted, err := app.FindRecordById(collections.Users, e.Id)
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Delete(deleted); err != nil {
		t.Fatal(err)
	}
	expect("e's account gone", []string{b.Id, c.Id, d.Id}, []string{a.Id})

	// a seated user's account deleted: a takes the seat
	deleted, err = app.FindRecordById(collections.Users, c.Id)
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Delete(deleted); err != nil {
		t.Fatal(err)
	}
	expect("c's account gone", []string{b.Id, d.Id, a.Id}, nil)

	// cancelled: nobody is left waiting
	join("f asks to wait again", f.Token, true, 200, "", 1)
	if status := testkit.ApiRequest(t, srv.URL, http.MethodPost, testkit.SessionURL(session.Id, "cancel"), testkit.Tokens[testkit.Instructor], nil, nil); status != 200 {
		t.Fatalf("cancel: %d", status)
	}
	expect("cancelled", nil, nil)
	if n := sessionNoticesOf(t, app, f.Id, collections.TypeLiveSessionWaitlistPromoted, session.Id); n != 0 {
		t.Fatalf("f, let go at the cancel, got %d promotion notices", n)
	}
	for _, user := range []string{b.Id, d.Id, a.Id} {
		if n := sessionNoticesOf(t, app, user, collections.TypeLiveSessionWaitlistPromoted, session.Id); n != 1 {
			t.Errorf("%s: %d promotion notices, want 1", user, n)
		}
	}
}
