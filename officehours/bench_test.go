package officehours_test

import (
	"encoding/json"
	"os"
	"slices"
	"testing"
	"time"

	"studyhall/collections"
	"studyhall/testkit"
)

// BenchmarkOfficeHoursAdmitFanout measures SPEC's office-hours service
// level end to end over real HTTP and SSE on loopback: with 200 students
// waiting, each connected over SSE and subscribed to their own entry
// (office_hours_queue/<entryId>, as the web app does), the instructor
// admits the head of the queue; the clock runs until every one of the 199
// others has received their new position. Each iteration then completes
// the visit and sends the admitted student to the back of the queue, so
// every admit moves 199 students.
//
// It is skipped unless STUDYHALL_BENCH=1:
//
//	STUDYHALL_BENCH=1 go test ./officehours/ -run '^$' -bench OfficeHoursAdmitFanout -benchtime 20x
//
// With STUDYHALL_BENCH_WILDCARD=1 each student subscribes to
// office_hours_queue/* instead (the JS SDK's subscribe('*')). Queue events
// go through studyhall's fan-out, so both cost the same; through
// PocketBase's own broadcast, which runs the list rule once per subscriber
// per changed entry, the wildcard took 4.6 s per admit.
//
// Reported, in milliseconds: all-delivered (admit sent until the last of
// the 199 events arrived) p50 and max over iterations; per-student delivery
// p50 and p99; and the admit request's own round trip p50.
func BenchmarkOfficeHoursAdmitFanout(b *testing.B) {
	if os.Getenv("STUDYHALL_BENCH") != "1" {
		b.Skip("set STUDYHALL_BENCH=1 to run the office-hours fan-out benchmark")
	}
	const waiting = 200

	app := testkit.NewOfficeHoursApp(b)
	srv := testkit.StartServer(b, app)
	slot := testkit.CreateOfficeHours(b, app, testkit.IdInstructor, testkit.SlotDay, "14:00", "15:00", collections.OfficeHoursManualOpen)
	students, studentTokens := testkit.CreateQueueStudents(b, app, waiting, "bench")

	// order holds student indexes in queue order; entryOf their entry ids
	order := make([]int, waiting)
	entryOf := make([]string, waiting)
	for i := range waiting {
		status, entry, apiErr := testkit.JoinQueue(b, srv.URL, studentTokens[i], slot.Id, "")
		if status != 200 {
			b.Fatalf("join %d: %d %v", i, status, apiErr)
		}
		order[i] = i
		entryOf[i] = entry["id"].(string)
	}

	type update struct {
		student  int
		entryId  string
		position int
		at       time.Time
	}
	topicOf := func(entryId string) string {
		if os.Getenv("STUDYHALL_BENCH_WILDCARD") == "1" {
			return collections.OfficeHoursQueue + "/*"
		}
		return collections.OfficeHoursQueue + "/" + entryId
	}
	updates := make(chan update, 16*waiting)
	clients := make([]*testkit.RealtimeClient, waiting)
	for i := range students {
		c := testkit.ConnectRealtime(b, srv.URL)
		c.Subscribe(b, studentTokens[i], topicOf(entryOf[i]))
		clients[i] = c
		go func() {
			for {
				ev, ok := c.NextEvent(time.Hour)
				if !ok {
					return
				}
				var data testkit.RecordEvent
				if json.Unmarshal(ev.Data, &data) != nil {
					continue
				}
				position, _ := data.Record[collections.QueuePosition].(float64)
				id, _ := data.Record[collections.FieldId].(string)
				updates <- update{student: i, entryId: id, position: int(position), at: time.Now()}
			}
		}()
	}

	var allDelivered, perStudent, admitRoundTrip []float64
	b.ResetTimer()
	for range b.N {
		// drop anything left from the previous iteration's setup
		for len(updates) > 0 {
			<-updates
		}

		head := order[0]
		start := time.Now()
		status, _, apiErr := testkit.EntryAction(b, srv.URL, testkit.Tokens[testkit.Instructor], entryOf[head], "admit", nil)
		admitRoundTrip = append(admitRoundTrip, queueMillis(time.Since(start)))
		if status != 200 {
			b.Fatalf("admit: %d %v", status, apiErr)
		}

		want := make(map[int]int, waiting-1) // student -> new position
		for k, s := range order[1:] {
			want[s] = k + 1
		}
		var last time.Time
		timeout := time.After(10 * time.Second)
		for len(want) > 0 {
			select {
			case u := <-updates:
				if position, ok := want[u.student]; ok && u.entryId == entryOf[u.student] && u.position == position {
					delete(want, u.student)
					perStudent = append(perStudent, queueMillis(u.at.Sub(start)))
					last = u.at
				}
			case <-timeout:
				b.Fatalf("%d of %d students had no new position after 10s", len(want), waiting-1)
			}
		}
		allDelivered = append(allDelivered, queueMillis(last.Sub(start)))

		// the visit ends and the student queues again at the back
		b.StopTimer()
		if status, _, apiErr := testkit.EntryAction(b, srv.URL, testkit.Tokens[testkit.Instructor], entryOf[head], "complete", nil); status != 200 {
			b.Fatalf("complete: %d %v", status, apiErr)
		}
		status, entry, apiErr := testkit.JoinQueue(b, srv.URL, studentTokens[head], slot.Id, "")
		if status != 200 {
			b.Fatalf("rejoin: %d %v", status, apiErr)
		}
		entryOf[head] = entry["id"].(string)
		clients[head].Subscribe(b, studentTokens[head], topicOf(entryOf[head]))
		order = append(order[1:], head)
		b.StartTimer()
	}
	b.StopTimer()

	b.ReportMetric(queuePercentile(allDelivered, 50), "ms-all-delivered-p50")
	b.ReportMetric(queuePercentile(allDelivered, 100), "ms-all-delivered-max")
	b.ReportMetric(queuePercentile(perStudent, 50), "ms-student-p50")
	b.ReportMetric(queuePercentile(perStudent, 99), "ms-student-p99")
	b.ReportMetric(queuePercentile(admitRoundTrip, 50), "ms-admit-p50")
	b.ReportMetric(0, "ns/op") // wall time per op includes untimed setup noise; the metrics above are the figures
}

func queueMillis(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1000
}

// percentile is the nearest-rank percentile p (0..100) of values.
func queuePercentile(values []float64, p float64) float64 {
	if len(values) == 0 {
		return 0
	}
	sorted := slices.Clone(values)
	slices.Sort(sorted)
	rank := int(p/100*float64(len(sorted))+0.5) - 1
	return sorted[max(0, min(rank, len(sorted)-1))]
}
