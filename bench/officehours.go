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
	"sync/atomic"
	"time"

	"studyhall/collections"
)

// The officehours scenario (issue 6): SPEC's "with 200 waiting, an admit
// updates every position, delivered to every waiting student, within
// 1 s". Each student holds a realtime connection subscribed to
// office_hours_queue/* (the fan-out sends each entry's events to its own
// student only) and joins the queue through the route, in order; then the
// instructor admits the first waiting student, several times, and every
// student still waiting must receive exactly one update carrying its new
// position.
func init() {
	registerScenario(Scenario{
		Name:    "officehours",
		Summary: "200 waiting students over SSE; the instructor admits the first: time until all have their new position",
		Run:     runOfficeHours,
	})
}

var (
	ohWaiting = flag.Int("oh-waiting", 200, "officehours: students waiting in the queue")
	ohAdmits  = flag.Int("oh-admits", 5, "officehours: admits measured one after another")
)

// ohGoal is SPEC's bound on the time until every waiting student has its
// new position.
const ohGoal = time.Second

func runOfficeHours(ctx context.Context, env *Env) ([]*Table, error) {
	n, admits := *ohWaiting, *ohAdmits
	if n < 2 || admits < 1 || admits >= n {
		return nil, errors.New("-oh-waiting must be at least 2 and -oh-admits between 1 and waiting-1")
	}
	c := env.Client
	table := &Table{
		Title: fmt.Sprintf("officehours: %d waiting, the instructor admits the first, %d times", n, admits),
		Header: []string{
			"admit", "waiting after", "delivered/expected", "missing", "dup",
			"p50", "p90", "p99", "all delivered (max)", "admit POST",
			"admitted got its update", "goal (all < 1 s)",
		},
	}
	users, err := env.Users(ctx, n)
	if err != nil {
		return nil, err
	}
	instructor, err := c.CreateInstructor(ctx, "officehours")
	if err != nil {
		return nil, err
	}
	// a slot covering the whole of today (UTC), so that it is open now
	now := time.Now().UTC()
	slot, err := c.CreateRecord(ctx, c.SuperuserToken, collections.OfficeHours, map[string]any{
		collections.OfficeHoursInstructor: instructor.Id,
		collections.OfficeHoursDayOfWeek:  int(now.Weekday()),
		collections.OfficeHoursStartTime:  "00:00",
		collections.OfficeHoursEndTime:    "23:59",
		collections.OfficeHoursTimezone:   "UTC",
		collections.OfficeHoursActive:     true,
	})
	if err != nil {
		return nil, fmt.Errorf("create office hours: %w", err)
	}

	// --- who got which update: student i (joined i-th, position i+1)
	// holds position i+1-(r+1) = i-r after admit r
	var (
		round      atomic.Int64 // admits started so far
		waitingRcv = newDeliveries(n, admits)
		admitted   = make([]atomic.Int64, n)
		unexpected atomic.Int64
		entryOf    = make([]string, n)
	)
	const topic = collections.OfficeHoursQueue + "/*"
	set, err := openSubscribers(ctx, env, "officehours", subscriberSpec{
		N:      n,
		Token:  func(i int) string { return users[i].Token },
		Topics: func(int) []string { return []string{topic} },
		Handle: func(i int, ev Event) {
			if ev.Name != topic || round.Load() == 0 {
				return // the joins' own create events come before any admit
			}
			var msg struct {
				Action string `json:"action"`
				Record struct {
					Status   string `json:"status"`
					Position int    `json:"position"`
				} `json:"record"`
			}
			if json.Unmarshal(ev.Data, &msg) != nil || msg.Action != "update" {
				unexpected.Add(1)
				return
			}
			switch {
			case msg.Record.Status == collections.QueueAdmitted:
				admitted[i].Add(1)
			case msg.Record.Status == collections.QueueWaiting && i-msg.Record.Position >= 0 && i-msg.Record.Position < admits:
				waitingRcv.Add(i, i-msg.Record.Position, ev.At)
			default:
				unexpected.Add(1)
			}
		},
	})
	if err != nil {
		return nil, err
	}
	defer set.Close(env)

	// --- join in order, one after another, so that positions are 1..n
	joinStart := time.Now()
	joinTimes := make([]time.Duration, n)
	for i := range n {
		var entry struct {
			Id       string `json:"id"`
			Position int    `json:"position"`
		}
		t0 := time.Now()
		err := c.Do(ctx, http.MethodPost, "/api/office-hours/"+slot.Id+"/queue", users[i].Token,
			map[string]any{"question": fmt.Sprintf("bench question %d", i)}, &entry)
		joinTimes[i] = time.Since(t0)
		if err != nil {
			return nil, fmt.Errorf("student %d joins: %w", i, err)
		}
		if entry.Position != i+1 {
			env.Fail("officehours: student %d joined at position %d, want %d", i, entry.Position, i+1)
		}
		entryOf[i] = entry.Id
	}
	joins := Summarize(joinTimes)
	log.Printf("officehours: %d joined in %s (join p50 %s, p99 %s)", n, time.Since(joinStart).Round(time.Millisecond),
		formatMillis(joins.P50), formatMillis(joins.P99))
	if err := sleepUntil(ctx, time.Now().Add(caseSettle)); err != nil {
		return nil, err
	}

	// --- admit the first waiting student, admits times
	sent := make([]time.Time, admits)
	admitTimes := make([]time.Duration, admits)
	for r := range admits {
		before := waitingRcv.Firsts()
		expected := int64(n - r - 1)
		round.Store(int64(r + 1))
		sent[r] = time.Now()
		err := c.Do(ctx, http.MethodPost, "/api/office-hours/queue/"+entryOf[r]+"/admit", instructor.Token, map[string]any{}, nil)
		admitTimes[r] = time.Since(sent[r])
		if err != nil {
			return nil, fmt.Errorf("admit %d: %w", r+1, err)
		}
		if _, err := waitUntil(ctx, time.Now().Add(env.Config.Drain), func() bool {
			return waitingRcv.Firsts()-before >= expected && admitted[r].Load() > 0
		}); err != nil {
			return nil, err
		}
		if err := sleepUntil(ctx, time.Now().Add(graceAfterComplete+200*time.Millisecond)); err != nil {
			return nil, err
		}
	}
	held := set.Finish(env, "officehours")

	// --- count, admit by admit
	for r := range admits {
		own, missingR, dupsR := waitingRcv.CountItem(r, sent[r], func(i int) bool { return i > r })
		lat := Summarize(own)
		gotAdmit := admitted[r].Load()
		if missingR > 0 || dupsR > 0 || gotAdmit != 1 {
			env.Fail("officehours admit %d: %d missing, %d duplicate position updates of %d; the admitted student got %d updates",
				r+1, missingR, dupsR, n-r-1, gotAdmit)
		}
		table.Add(
			strconv.Itoa(r+1), strconv.Itoa(n-r-1),
			fmt.Sprintf("%d/%d", lat.Count, n-r-1), strconv.Itoa(missingR), strconv.Itoa(dupsR),
			formatMillis(lat.P50), formatMillis(lat.P90), formatMillis(lat.P99), formatMillis(lat.Max),
			formatMillis(admitTimes[r]),
			fmt.Sprintf("%d", gotAdmit),
			goalCell(missingR == 0 && lat.Count == n-r-1 && lat.Max < ohGoal),
		)
	}
	if u := unexpected.Load(); u > 0 {
		env.Fail("officehours: %d unexpected queue events after the first admit", u)
	}
	if held < n {
		env.Fail("officehours: %d/%d connections held", held, n)
	}

	// the stored queue must read 1..waiting in join order
	type entryRow struct {
		Id       string `json:"id"`
		Student  string `json:"student"`
		Position int    `json:"position"`
		Status   string `json:"status"`
	}
	rows, err := ListAll[entryRow](ctx, c, collections.OfficeHoursQueue,
		fmt.Sprintf("%s = '%s'", collections.QueueOfficeHours, slot.Id), "id,student,position,status", 10)
	if err != nil {
		return []*Table{table}, fmt.Errorf("read the queue: %w", err)
	}
	posOf := map[string]entryRow{}
	for _, row := range rows {
		posOf[row.Id] = row
	}
	bad := 0
	for i, id := range entryOf {
		row := posOf[id]
		wantStatus, wantPos := collections.QueueWaiting, i+1-admits
		if i < admits {
			wantStatus, wantPos = collections.QueueAdmitted, 0
		}
		if row.Status != wantStatus || row.Position != wantPos {
			bad++
		}
	}
	if bad > 0 || len(rows) != n {
		env.Fail("officehours: %d of %d stored entries have a wrong status or position (%d rows)", bad, n, len(rows))
	}

	table.Notes = []string{
		fmt.Sprintf("%d students, each with one realtime connection subscribed to `office_hours_queue/*`, joined one after another through `POST /api/office-hours/{id}/queue` (join p50 %s, p99 %s); the instructor then admits the first waiting entry (`POST /api/office-hours/queue/{entryId}/admit`)", n, formatMillis(joins.P50), formatMillis(joins.P99)),
		"latency: from just before the admit POST to the moment a waiting student has read the `update` event carrying its new position; all delivered (max): when the last of them had it",
		fmt.Sprintf("checked: each waiting student gets exactly one update per admit, with position old-1; the admitted one gets its `admitted` update; afterwards the stored queue reads admitted ×%d and positions 1..%d in join order (%d stored entries wrong)", admits, n-admits, bad),
	}
	return []*Table{table}, nil
}
