package officehours_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/officehours"
	"studyhall/testkit"
)

// The queue as a course's staff runs it, with real concurrency and over
// real SSE: pause, announcements, grouped admits and the TAs' share of
// the fan-out.

// courseQueue is an open slot of testkit.IdCourse (whose TA is
// testkit.IdTA) with n students queued one after the other: their ids and
// tokens, and their entries, in line order.
func courseQueue(t *testing.T, app core.App, baseURL, start, end string, n int, prefix string) (*core.Record, []*core.Record, []string, []string) {
	t.Helper()
	slot := testkit.CreateOfficeHours(t, app, testkit.IdInstructor, testkit.SlotDay, start, end, collections.OfficeHoursManualOpen)
	slot.Set(collections.OfficeHoursCourse, testkit.IdCourse)
	if err := app.Save(slot); err != nil {
		t.Fatal(err)
	}
	students, tokens := testkit.CreateQueueStudents(t, app, n, prefix)
	entries := make([]string, n)
	for i := range n {
		status, entry, apiErr := testkit.JoinQueue(t, baseURL, tokens[i], slot.Id, fmt.Sprintf("question %d", i))
		if status != 200 {
			t.Fatalf("join %d: %d %v", i, status, apiErr)
		}
		entries[i] = entry["id"].(string)
	}
	return slot, students, tokens, entries
}

// ids are the ids of records.
func ids(records []*core.Record) []string {
	out := make([]string, len(records))
	for i, r := range records {
		out[i] = r.Id
	}
	return out
}

// TestOfficeHoursPauseJoinAdmitRace: 50 calls race on one queue: 20 new
// students join, the instructor and a TA admit the first 10 waiting, and
// the two pause and resume the queue 20 times. Every join either gets a
// place or 409 queue_paused, nobody is lost or counted twice, and the
// positions are exactly 1..N in join order afterwards.
func TestOfficeHoursPauseJoinAdmitRace(t *testing.T) {
	t.Parallel()
	app := testkit.NewOfficeHoursApp(t)
	srv := testkit.StartServer(t, app)
	slot, waitingStudents, _, entries := courseQueue(t, app, srv.URL, "16:00", "17:00", 30, "race")
	joiners, joinerTokens := testkit.CreateQueueStudents(t, app, 20, "racejoin")
	staff := []string{testkit.Tokens[testkit.Instructor], testkit.Tokens[testkit.TA]}

	var wg sync.WaitGroup
	var mu sync.Mutex
	joined := map[string]bool{}
	joinCodes := map[string]int{}
	var failures []string
	fail := func(format string, args ...any) {
		mu.Lock()
		failures = append(failures, fmt.Sprintf(format, args...))
		mu.Unlock()
	}
	for i := range joiners {
		wg.Go(func() {
			status, _, apiErr := testkit.JoinQueue(t, srv.URL, joinerTokens[i], slot.Id, "late")
			mu.Lock()
			defer mu.Unlock()
			switch {
			case status == 200:
				joined[joiners[i].Id] = true
				joinCodes["ok"]++
			case status == 409 && apiErr.Data["code"] == "queue_paused":
				joinCodes["queue_paused"]++
			default:
				failures = append(failures, fmt.Sprintf("join %d: %d %v", i, status, apiErr))
			}
		})
	}
	for i := range 10 {
		wg.Go(func() {
			if status, _, apiErr := testkit.EntryAction(t, srv.URL, staff[i%2], entries[i], "admit", nil); status != 200 {
				fail("admit %d: %d %v", i, status, apiErr)
			}
		})
	}
	for i := range 20 {
		action := "pause"
		if i%2 == 1 {
			action = "resume"
		}
		wg.Go(func() {
			if status, _, apiErr := testkit.QueueCall(t, srv.URL, staff[i%2], slotURL(slot.Id, action), nil); status != 200 {
				fail("%s %d: %d %v", action, i, status, apiErr)
			}
		})
	}
	wg.Wait()
	for _, f := range failures {
		t.Error(f)
	}
	if t.Failed() {
		t.FailNow()
	}

	// counted afterwards: the 20 not admitted, in their order, then the
	// joiners who got in, in the order they got in
	entriesNow := testkit.WaitingEntries(t, app, slot.Id)
	order := make([]string, len(entriesNow))
	for i, entry := range entriesNow {
		order[i] = entry.GetString(collections.QueueStudent)
		if i > 0 && entry.GetDateTime(collections.QueueJoinedAt).Before(entriesNow[i-1].GetDateTime(collections.QueueJoinedAt)) {
			t.Fatalf("position %d joined before position %d", i+1, i)
		}
	}
	if want := 20 + len(joined); len(order) != want {
		t.Fatalf("%d waiting, want %d (20 left of 30, %d joined; joins %v)", len(order), want, len(joined), joinCodes)
	}
	if !slices.Equal(order[:20], ids(waitingStudents[10:])) {
		t.Fatalf("the first 20 in line are %v, want the 20 not admitted in their order", order[:20])
	}
	for _, id := range order[20:] {
		if !joined[id] {
			t.Fatalf("%s is waiting without a 200 to their join", id)
		}
	}
	testkit.CheckQueue(t, app, slot.Id, order, officehours.DefaultVisitSeconds)
	if got := testkit.CountRecords(t, app, collections.OfficeHoursQueue, "officeHours = '"+slot.Id+"' && status = 'admitted'"); got != 10 {
		t.Fatalf("%d admitted, want 10", got)
	}
	for _, s := range waitingStudents[:10] {
		if got := testkit.QueueNoticeCount(t, app, s.Id, collections.TypeOfficeHoursAdmitted); got != 1 {
			t.Fatalf("%s got %d admitted notices", s.Id, got)
		}
	}
	t.Logf("joins: %v", joinCodes)
}

// TestOfficeHoursGroupAdmitRace: grouped admits race each other and
// single admits, some naming the same entries: each entry is admitted
// once, a group goes in whole or not at all, no room is left behind by
// a group that failed, and the positions stay exactly 1..N.
func TestOfficeHoursGroupAdmitRace(t *testing.T) {
	t.Parallel()
	app := testkit.NewOfficeHoursApp(t)
	srv := testkit.StartServer(t, app)
	slot, students, _, entries := courseQueue(t, app, srv.URL, "17:00", "18:00", 30, "group")
	roomsBefore := testkit.CountRecords(t, app, collections.ChatRooms, "type = 'office_hours'")

	groups := [][]int{{0, 1, 2}, {3, 4, 5}, {6, 7, 8}, {9, 10, 11}, {12, 13, 14}, {15, 16, 17}, // disjoint
		{2, 5}, {8, 11}, {14, 17}, {1, 20}} // each overlapping one of the above
	singles := []int{18, 19, 20, 21, 22}
	staff := []string{testkit.Tokens[testkit.Instructor], testkit.Tokens[testkit.TA]}

	var wg sync.WaitGroup
	var mu sync.Mutex
	groupStatus := make([]int, len(groups))
	groupRoom := make([]string, len(groups))
	singleStatus := make([]int, len(singles))
	for g, members := range groups {
		wg.Go(func() {
			entryIds := make([]string, len(members))
			for i, m := range members {
				entryIds[i] = entries[m]
			}
			status, body, _ := testkit.QueueCall(t, srv.URL, staff[g%2], slotURL(slot.Id, "admit-group"), map[string]any{"entryIds": entryIds})
			mu.Lock()
			groupStatus[g] = status
			groupRoom[g], _ = body["chatRoom"].(string)
			mu.Unlock()
		})
	}
	for i, m := range singles {
		wg.Go(func() {
			status, _, _ := testkit.EntryAction(t, srv.URL, staff[i%2], entries[m], "admit", nil)
			mu.Lock()
			singleStatus[i] = status
			mu.Unlock()
		})
	}
	wg.Wait()

	statusOf := map[string]string{}
	roomOf := map[string]string{}
	for _, id := range entries {
		entry, err := app.FindRecordById(collections.OfficeHoursQueue, id)
		if err != nil {
			t.Fatal(err)
		}
		statusOf[id] = entry.GetString(collections.QueueStatus)
		roomOf[id] = entry.GetString(collections.QueueChatRoom)
	}
	admittedBy := map[string]int{} // entry → how many 200s claim it
	succeeded := 0
	for g, members := range groups {
		switch groupStatus[g] {
		case 200:
			succeeded++
			for _, m := range members {
				admittedBy[entries[m]]++
				if statusOf[entries[m]] != collections.QueueAdmitted || roomOf[entries[m]] != groupRoom[g] {
					t.Errorf("group %v answered 200 but entry %d is %s in room %q, not %q", members, m, statusOf[entries[m]], roomOf[entries[m]], groupRoom[g])
				}
			}
		case 409:
			// lost to another admit: each member is admitted by someone
			// else or still waiting, never in a room of this group's
			lost := false
			for _, m := range members {
				if statusOf[entries[m]] == collections.QueueAdmitted {
					lost = true
				}
			}
			if !lost {
				t.Errorf("group %v answered 409 though all its entries are waiting", members)
			}
		default:
			t.Errorf("group %v answered %d", members, groupStatus[g])
		}
	}
	for i, m := range singles {
		switch singleStatus[i] {
		case 200:
			succeeded++
			admittedBy[entries[m]]++
		case 409:
		default:
			t.Errorf("single admit %d answered %d", m, singleStatus[i])
		}
	}
	for _, id := range entries {
		if statusOf[id] == collections.QueueAdmitted && admittedBy[id] != 1 {
			t.Errorf("entry %s is admitted, claimed by %d answers", id, admittedBy[id])
		}
		if statusOf[id] == collections.QueueWaiting && admittedBy[id] != 0 {
			t.Errorf("entry %s is waiting, though an admit of it answered 200", id)
		}
	}
	if got := testkit.CountRecords(t, app, collections.ChatRooms, "type = 'office_hours'") - roomsBefore; got != succeeded {
		t.Errorf("%d rooms were made for %d successful admits", got, succeeded)
	}

	var want []string
	for i, id := range entries {
		if statusOf[id] == collections.QueueWaiting {
			want = append(want, students[i].Id)
		}
		if statusOf[id] == collections.QueueAdmitted {
			if got := testkit.QueueNoticeCount(t, app, students[i].Id, collections.TypeOfficeHoursAdmitted); got != 1 {
				t.Errorf("student %d got %d admitted notices", i, got)
			}
		}
	}
	testkit.CheckQueue(t, app, slot.Id, want, officehours.DefaultVisitSeconds)
	claimed := 0
	for _, n := range admittedBy {
		claimed += n
	}
	if len(want) != len(entries)-claimed {
		t.Fatalf("%d still waiting, want %d: the 30 less the %d the 200 answers admitted", len(want), len(entries)-claimed, claimed)
	}
}

// TestOfficeHoursStaffRealtime: over real SSE, within a second each, a
// waiting student sees the queue paused, the announcement (and gets its
// notice), and the queue resumed; the course's TA receives every change
// of the queue's entries, notes included, and a TA of another course
// nothing.
func TestOfficeHoursStaffRealtime(t *testing.T) {
	t.Parallel()
	app := testkit.NewOfficeHoursApp(t)
	srv := testkit.StartServer(t, app)
	slot, _, tokens, entries := courseQueue(t, app, srv.URL, "18:00", "19:00", 2, "sse")
	slotTopic := collections.OfficeHours + "/" + slot.Id
	queueTopic := collections.OfficeHoursQueue + "/*"
	noticeTopic := collections.Notifications + "/*"

	watcher := testkit.ConnectRealtime(t, srv.URL)
	watcher.Subscribe(t, tokens[1], slotTopic)
	inbox := testkit.ConnectRealtime(t, srv.URL)
	inbox.Subscribe(t, tokens[1], noticeTopic)
	ta := testkit.ConnectRealtime(t, srv.URL)
	ta.Subscribe(t, testkit.Tokens[testkit.TA], queueTopic)
	otherTA := testkit.ConnectRealtime(t, srv.URL)
	otherTA.Subscribe(t, testkit.Tokens[testkit.OtherTA], queueTopic)
	const within = time.Second

	// the TA pauses: the waiting student sees it
	if status, _, apiErr := testkit.QueueCall(t, srv.URL, testkit.Tokens[testkit.TA], slotURL(slot.Id, "pause"), nil); status != 200 {
		t.Fatalf("pause: %d %v", status, apiErr)
	}
	if ev := watcher.ExpectEvent(t, slotTopic, within); ev.Action != "update" || ev.Record["pausedAt"] == "" || ev.Record["pausedAt"] == nil {
		t.Fatalf("pause event: %s %v", ev.Action, ev.Record)
	}

	// the instructor announces: the slot brings it, and a notice
	if status, _, apiErr := testkit.QueueCall(t, srv.URL, testkit.Tokens[testkit.Instructor], slotURL(slot.Id, "announce"), map[string]any{"message": "Back at 3."}); status != 200 {
		t.Fatalf("announce: %d %v", status, apiErr)
	}
	if ev := watcher.ExpectEvent(t, slotTopic, within); ev.Record["announcement"] != "Back at 3." || ev.Record["pausedAt"] == "" {
		t.Fatalf("announcement event: %v", ev.Record)
	}
	if ev := inbox.ExpectEvent(t, noticeTopic, within); ev.Action != "create" || ev.Record["type"] != collections.TypeOfficeHoursAnnouncement ||
		ev.Record["message"] != "Back at 3." || ev.Record["actionUrl"] != "/office-hours" {
		t.Fatalf("announcement notice: %s %v", ev.Action, ev.Record)
	}

	// resumed
	if status, _, apiErr := testkit.QueueCall(t, srv.URL, testkit.Tokens[testkit.Instructor], slotURL(slot.Id, "resume"), nil); status != 200 {
		t.Fatalf("resume: %d %v", status, apiErr)
	}
	if ev := watcher.ExpectEvent(t, slotTopic, within); ev.Record["pausedAt"] != "" {
		t.Fatalf("resume event: %v", ev.Record)
	}

	// the student edits their question: the TA sees it
	if status, _, apiErr := testkit.EntryAction(t, srv.URL, tokens[0], entries[0], "question", map[string]any{"question": "Pointers, really."}); status != 200 {
		t.Fatalf("edit the question: %d %v", status, apiErr)
	}
	if ev := ta.ExpectEvent(t, queueTopic, within); ev.Record["id"] != entries[0] || ev.Record["question"] != "Pointers, really." {
		t.Fatalf("the TA's event of the edit: %v", ev.Record)
	}

	// the TA admits and completes with notes: the TA's events carry them
	if status, _, apiErr := testkit.EntryAction(t, srv.URL, testkit.Tokens[testkit.TA], entries[0], "admit", nil); status != 200 {
		t.Fatalf("admit: %d %v", status, apiErr)
	}
	for range 2 { // the admitted entry, the second moving up
		ta.ExpectEvent(t, queueTopic, within)
	}
	if status, _, apiErr := testkit.EntryAction(t, srv.URL, testkit.Tokens[testkit.Instructor], entries[0], "complete", map[string]any{"instructorNotes": "Private to the staff."}); status != 200 {
		t.Fatalf("complete: %d %v", status, apiErr)
	}
	if ev := ta.ExpectEvent(t, queueTopic, within); ev.Record["status"] != "completed" || ev.Record["instructorNotes"] != "Private to the staff." {
		t.Fatalf("the TA's completion event: %v", ev.Record)
	}
	otherTA.ExpectNoEvent(t, 200*time.Millisecond)
	inbox.ExpectNoEvent(t, 10*time.Millisecond)
}
