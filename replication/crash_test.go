package replication_test

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"studyhall/collections"
)

var (
	crashRounds = flag.Int("crash.rounds", 5, "kill moments of TestCrashDuringRush (make crash runs more)")
	crashSeed   = flag.Uint64("crash.seed", 0, "seed of the kill moments (0: from the clock; the test logs it)")
)

// The rush: rushClients students at once join a rushSeats-seat live session,
// the first rushQueue of them an office-hours queue, all of them a study
// group of rushGroup (its owner included), each member posts in the
// session's or group's chat, and every fourth asks for a test notification
// whose email goes to the outbox.
const (
	rushClients = 200
	rushSeats   = 50
	rushQueue   = 100
	rushGroup   = 20
	// rushRequests is about how many requests a rush sends (joins, queue,
	// group, notifications and the members' messages); the kill comes
	// after 5 % to 95 % of them.
	rushRequests = rushClients + rushQueue + rushClients + rushClients/4 + rushSeats + rushGroup
)

// TestCrashDuringRush kills the server with SIGKILL at random moments of a
// rush, restarts it on the same data directory and checks what it left:
// counts equal to their rows and within their limits, queue positions
// exactly 1..N, every acknowledged write present. After the last round it
// configures SMTP against a real SMTP server and checks that every outbox
// row is sent exactly once.
func TestCrashDuringRush(t *testing.T) {
	root := t.TempDir()
	dataDir := root + "/pb_data"
	replicaURL := "file://" + root + "/replica"
	newDataDir(t, dataDir)
	srv := startServer(t, dataDir, replicaURL)
	a := newAPI(srv.URL)
	su := signIn(t, a)
	students := createUsers(t, a, su, "rush", rushClients, false)
	var notifiers []user
	for i := 0; i < len(students); i += 4 {
		notifiers = append(notifiers, students[i])
	}
	emailImmediately(t, a, su, notifiers)

	seed := *crashSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("kill moments from seed %d (-crash.seed)", seed)
	rng := rand.New(rand.NewPCG(seed, seed))

	var notifications []string
	for round := range *crashRounds {
		instructor := createUsers(t, a, su, fmt.Sprintf("rush-instructor-%d", round), 1, true)[0]
		r := &rush{
			session: createSession(t, a, su, instructor, rushSeats),
			slot:    createOpenSlot(t, a, su, instructor),
			group:   createGroup(t, a, su, instructor, rushGroup),
		}
		killAfter := rushRequests/20 + rng.IntN(rushRequests*9/10)
		r.run(a, students, killAfter, srv.kill)
		srv.kill() // if the rush ended first

		srv = startServer(t, dataDir, replicaURL)
		a = newAPI(srv.URL)
		su = superuserToken(t, a)
		r.check(t, a, su, round)
		notifications = append(notifications, r.notifications...)
		t.Logf("round %d: killed after %d of %d requests; acknowledged %d joins, %d queue entries, %d members, %d messages, %d notifications",
			round, killAfter, r.sent.Load(), len(r.joined), len(r.queued), len(r.members), len(r.messages), len(r.notifications))
	}

	// every outbox row, queued before or after a crash, is sent exactly
	// once once SMTP is there
	smtpServer := startSMTPServer(t)
	configureSMTP(t, a, su, smtpServer)
	immediate := collections.NotificationEmailMode + "='" + collections.EmailModeImmediate + "' && " + collections.NotificationEmailedAt + "=''"
	waitFor(t, 90*time.Second, "the outbox is sent", func() bool {
		return count(t, a, su, collections.Notifications, immediate) == 0 &&
			count(t, a, su, collections.EmailOutbox, collections.OutboxStatus+"='"+collections.OutboxPending+"'") == 0
	})
	type outboxRow struct {
		Id        string `json:"id"`
		Status    string `json:"status"`
		DedupeKey string `json:"dedupeKey"`
	}
	rows := list[outboxRow](t, a, su, collections.EmailOutbox, "")
	received := map[string]int{}
	for _, id := range smtpServer.MessageIds() {
		received[id]++
	}
	byDedupe := map[string]int{}
	for _, row := range rows {
		byDedupe[row.DedupeKey]++
		if row.Status != collections.OutboxSent {
			t.Errorf("outbox row %s is %s, want sent", row.Id, row.Status)
		}
		if n := received["outbox."+row.Id+"@learn.example.com"]; n != 1 {
			t.Errorf("outbox row %s arrived %d times, want once", row.Id, n)
		}
	}
	if len(smtpServer.MessageIds()) != len(rows) {
		t.Errorf("the SMTP server got %d mails for %d outbox rows", len(smtpServer.MessageIds()), len(rows))
	}
	for _, id := range notifications {
		if n := byDedupe[collections.Notifications+":"+id]; n != 1 {
			t.Errorf("acknowledged notification %s has %d outbox rows, want 1", id, n)
		}
	}
	t.Logf("outbox: %d rows, each sent once; %d acknowledged test notifications", len(rows), len(notifications))
}

// rush is one round: its fixtures and what the server acknowledged.
type rush struct {
	session, group room
	slot           string

	sent atomic.Int64

	mu                                               sync.Mutex
	joined, queued, members, messages, notifications []string
}

// run starts every student at once and calls kill when killAfter requests
// have been answered; the requests after it fail and are not counted as
// acknowledged.
func (r *rush) run(a *api, students []user, killAfter int, kill func()) {
	var killOnce sync.Once
	answered := func(err error) bool {
		if r.sent.Add(1) == int64(killAfter) {
			killOnce.Do(kill)
		}
		return err == nil
	}
	keep := func(list *[]string, id string) {
		r.mu.Lock()
		defer r.mu.Unlock()
		*list = append(*list, id)
	}
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, s := range students {
		wg.Go(func() {
			<-start
			if answered(a.do(http.MethodPost, "/api/live-sessions/"+r.session.Id+"/join", s.Token, map[string]any{}, nil)) {
				keep(&r.joined, s.Id)
				if id, err := postMessage(a, s, r.session.ChatRoom, fmt.Sprintf("in the session, %d", i)); answered(err) {
					keep(&r.messages, id)
				}
			}
			if i < rushQueue {
				if answered(a.do(http.MethodPost, "/api/office-hours/"+r.slot+"/queue", s.Token,
					map[string]any{"question": fmt.Sprintf("question %d", i)}, nil)) {
					keep(&r.queued, s.Id)
				}
			}
			if answered(a.do(http.MethodPost, "/api/study-groups/"+r.group.Id+"/join", s.Token, map[string]any{}, nil)) {
				keep(&r.members, s.Id)
				if id, err := postMessage(a, s, r.group.ChatRoom, fmt.Sprintf("in the group, %d", i)); answered(err) {
					keep(&r.messages, id)
				}
			}
			if i%4 == 0 {
				if id, err := testNotification(a, s); answered(err) && id != "" {
					keep(&r.notifications, id)
				}
			}
		})
	}
	close(start)
	wg.Wait()
}

// check reads what the restarted server has of round's rush.
func (r *rush) check(t *testing.T, a *api, su string, round int) {
	t.Helper()
	prefix := fmt.Sprintf("round %d: ", round)

	// the session: attendeeCount = active attendee rows <= capacity
	var session struct {
		AttendeeCount int `json:"attendeeCount"`
	}
	a.must(t, http.MethodGet, recordsPath(collections.LiveSessions)+"/"+r.session.Id, su, nil, &session)
	attendees := list[struct {
		User string `json:"user"`
	}](t, a, su, collections.LiveSessionAttendees,
		fmt.Sprintf("%s='%s' && %s=true", collections.AttendeeSession, r.session.Id, collections.AttendeeActive))
	if session.AttendeeCount != len(attendees) || len(attendees) > rushSeats {
		t.Errorf("%sattendeeCount %d, %d active attendee rows, capacity %d", prefix, session.AttendeeCount, len(attendees), rushSeats)
	}
	missing(t, prefix+"acknowledged session join", r.joined, attendees, func(x struct {
		User string `json:"user"`
	}) string {
		return x.User
	})

	// the queue: positions exactly 1..N in join order
	entries := list[struct {
		Student  string `json:"student"`
		Status   string `json:"status"`
		Position int    `json:"position"`
	}](t, a, su, collections.OfficeHoursQueue, fmt.Sprintf("%s='%s'", collections.QueueOfficeHours, r.slot))
	var positions []int
	for _, e := range entries {
		if e.Status != collections.QueueWaiting {
			t.Errorf("%squeue entry of %s is %s, want waiting", prefix, e.Student, e.Status)
		}
		positions = append(positions, e.Position)
	}
	sort.Ints(positions)
	for i, p := range positions {
		if p != i+1 {
			t.Errorf("%squeue positions %v, want 1..%d", prefix, positions, len(positions))
			break
		}
	}
	missing(t, prefix+"acknowledged queue entry", r.queued, entries, func(x struct {
		Student  string `json:"student"`
		Status   string `json:"status"`
		Position int    `json:"position"`
	}) string {
		return x.Student
	})

	// the group: memberCount = member rows <= maxMembers
	var group struct {
		MemberCount int `json:"memberCount"`
	}
	a.must(t, http.MethodGet, recordsPath(collections.StudyGroups)+"/"+r.group.Id, su, nil, &group)
	members := list[struct {
		User string `json:"user"`
	}](t, a, su, collections.StudyGroupMembers, fmt.Sprintf("%s='%s'", collections.GroupMemberGroup, r.group.Id))
	if group.MemberCount != len(members) || len(members) > rushGroup {
		t.Errorf("%smemberCount %d, %d member rows, maxMembers %d", prefix, group.MemberCount, len(members), rushGroup)
	}
	missing(t, prefix+"acknowledged group join", r.members, members, func(x struct {
		User string `json:"user"`
	}) string {
		return x.User
	})

	// every acknowledged message and notification
	if len(r.messages) > 0 {
		have := idsWhere(t, a, su, collections.ChatMessages, fmt.Sprintf("%s='%s' || %s='%s'",
			collections.ChatMessageRoom, r.session.ChatRoom, collections.ChatMessageRoom, r.group.ChatRoom))
		missing(t, prefix+"acknowledged message", r.messages, have, func(id string) string { return id })
	}
	if len(r.notifications) > 0 {
		have := idsWhere(t, a, su, collections.Notifications, collections.NotificationType+"='"+collections.TypeTest+"'")
		missing(t, prefix+"acknowledged notification", r.notifications, have, func(id string) string { return id })
	}
}

// missing reports each of want that no row of have carries.
func missing[T any](t *testing.T, what string, want []string, have []T, key func(T) string) {
	t.Helper()
	keys := make([]string, 0, len(have))
	for _, h := range have {
		keys = append(keys, key(h))
	}
	var lost []string
	for _, w := range want {
		if !slices.Contains(keys, w) {
			lost = append(lost, w)
		}
	}
	if len(lost) > 0 {
		t.Errorf("%d %s(s) missing after the restart: %s", len(lost), what, strings.Join(lost, ", "))
	}
}

// idsWhere lists the ids of the records of collection matching filter.
func idsWhere(t testing.TB, a *api, su, collection, filter string) []string {
	t.Helper()
	var out []string
	for _, r := range list[struct {
		Id string `json:"id"`
	}](t, a, su, collection, filter) {
		out = append(out, r.Id)
	}
	return out
}

// superuserToken signs the superuser in again (on a restarted server).
func superuserToken(t testing.TB, a *api) string {
	t.Helper()
	var auth struct {
		Token string `json:"token"`
	}
	a.must(t, http.MethodPost, "/api/collections/"+collections.Superusers+"/auth-with-password", "",
		map[string]string{"identity": superuserEmail, "password": superuserPassword}, &auth)
	return auth.Token
}
