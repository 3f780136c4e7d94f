package emails_test

import (
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/emails"
	"studyhall/testkit"
)

// fakeClock is a settable clock for workers and jobs.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// testWorker is a worker of app on clock, without jitter unless given.
func testWorker(app core.App, clock *fakeClock) *emails.Worker {
	w := emails.NewWorker(app)
	w.Now = clock.Now
	w.Jitter = func() float64 { return 0.5 }
	return w
}

func mailAddress(address string) mail.Address {
	return mail.Address{Address: address}
}

// mailsWithSubject are the received mails whose subject contains s.
func mailsWithSubject(received []testkit.ReceivedMail, s string) []testkit.ReceivedMail {
	var out []testkit.ReceivedMail
	for _, m := range received {
		if strings.Contains(m.Subject(), s) {
			out = append(out, m)
		}
	}
	return out
}

func outboxRows(t testing.TB, app core.App, filter string, params ...dbx.Params) []*core.Record {
	t.Helper()
	rows, err := app.FindRecordsByFilter(collections.EmailOutbox, filter, "created", 0, 0, params...)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func queueTestMail(t testing.TB, app core.App, subject string, now time.Time) *core.Record {
	t.Helper()
	row, err := emails.Enqueue(app, &emails.Message{
		To:      mailAddress("sam.student@studyhall.test"),
		Subject: subject,
		HTML:    "<p>" + subject + "</p>",
		Text:    subject,
		Kind:    collections.EmailKindTest,
	}, now)
	if err != nil {
		t.Fatal(err)
	}
	return row
}
