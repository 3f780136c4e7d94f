package emails

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/mail"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/plaintext"
	"studyhall/records"
)

// Message is an email to queue in the outbox.
type Message struct {
	To      mail.Address
	Subject string
	HTML    string
	Text    string
	Headers map[string]string
	Kind    string
	UserId  string
	// DedupeKey, when set, makes Enqueue idempotent: a second message with
	// the same key returns the first row.
	DedupeKey string
	// CancelReason, when set, writes the row as cancelled with the reason in
	// lastError: the decision is on record, nothing is sent.
	CancelReason string
}

// Enqueue writes m as a pending outbox row due at now. Call it with the
// txApp of the transaction that causes the email, so the row exists if and
// only if its cause does.
func Enqueue(app core.App, m *Message, now time.Time) (*core.Record, error) {
	if m.DedupeKey != "" {
		existing, err := app.FindFirstRecordByData(collections.EmailOutbox, collections.OutboxDedupeKey, m.DedupeKey)
		if err == nil {
			return existing, nil
		}
	}
	c, err := app.FindCachedCollectionByNameOrId(collections.EmailOutbox)
	if err != nil {
		return nil, fmt.Errorf("find outbox collection: %w", err)
	}
	r := core.NewRecord(c)
	r.Set(collections.OutboxTo, m.To.Address)
	r.Set(collections.OutboxToName, plaintext.Clip(oneLine(m.To.Name), collections.MaxNameLength))
	r.Set(collections.OutboxSubject, plaintext.Clip(oneLine(m.Subject), collections.MaxOutboxSubjectLength))
	r.Set(collections.OutboxHTML, m.HTML)
	r.Set(collections.OutboxText, m.Text)
	if len(m.Headers) > 0 {
		r.Set(collections.OutboxHeaders, m.Headers)
	}
	r.Set(collections.OutboxKind, m.Kind)
	r.Set(collections.OutboxUserId, m.UserId)
	r.Set(collections.OutboxAttempts, 0)
	r.Set(collections.OutboxNextAttemptAt, now.UTC())
	r.Set(collections.OutboxDedupeKey, m.DedupeKey)
	if m.CancelReason != "" {
		r.Set(collections.OutboxStatus, collections.OutboxCancelled)
		r.Set(collections.OutboxLastError, m.CancelReason)
	} else {
		r.Set(collections.OutboxStatus, collections.OutboxPending)
	}
	if err := app.Save(r); err != nil {
		return nil, fmt.Errorf("queue %s email: %w", m.Kind, err)
	}
	return r, nil
}

// --- retries

// Retry policy: MaxAttempts sends, the n-th retry waiting BaseDelay·2^(n-1)
// (capped at MaxDelay) stretched by up to MaxJitter. Without jitter the nine
// waits add up to 14 h 30 min, so a failed row has been tried for at least
// that long: an SMTP outage of a night loses nothing.
const (
	MaxAttempts = 10
	BaseDelay   = 2 * time.Minute
	MaxDelay    = 6 * time.Hour
	// MaxJitter spreads retries of rows that failed together (an outage)
	// so they do not all hit the recovered server in the same second. It
	// only lengthens a wait, so the schedule above is a lower bound.
	MaxJitter = 0.25
)

// Backoff is the wait after the attempts-th failed attempt; jitter in
// [0, 1) stretches it by up to MaxJitter.
func Backoff(attempts int, jitter float64) time.Duration {
	if attempts < 1 {
		attempts = 1
	}
	d := MaxDelay
	if attempts <= 20 {
		d = min(time.Duration(float64(BaseDelay)*math.Pow(2, float64(attempts-1))), MaxDelay)
	}
	jitter = min(max(jitter, 0), 1)
	return d + time.Duration(float64(d)*MaxJitter*jitter)
}

// --- worker

// Worker sends due outbox rows. Several workers (goroutines of one
// process, or processes after a restart) may run at once: each row is
// claimed with one conditional UPDATE that only one of them can win, and
// the claim is a lease, so a worker that dies mid-send leaves the row to
// be retried once the lease has passed.
type Worker struct {
	App       core.App
	Transport Transport
	// Now is the clock; tests inject their own to walk through hours of
	// retries without sleeping.
	Now func() time.Time
	// Jitter returns a number in [0, 1).
	Jitter func() float64
	// Concurrency bounds the SMTP conversations in flight.
	Concurrency int
	// Batch bounds the rows one run picks up.
	Batch int
	// Lease is how long a claimed row is left alone; longer than a send
	// can take, so only a crashed worker's rows are taken over.
	Lease time.Duration
	// Logger defaults to the app's.
	Logger *slog.Logger

	warned atomic.Bool
}

// NewWorker returns a worker sending through app's SMTP settings.
func NewWorker(app core.App) *Worker {
	return &Worker{
		App:         app,
		Transport:   NewSMTPTransport(app),
		Now:         time.Now,
		Jitter:      rand.Float64,
		Concurrency: 4,
		Batch:       100,
		Lease:       2 * SendTimeout,
	}
}

// RunResult counts what one run did.
type RunResult struct {
	Sent    int
	Retried int
	Failed  int
}

// RunOnce sends the rows due now, up to Batch, and returns when they are
// done. With SMTP not configured it sends nothing and warns once until
// SMTP is configured again.
func (w *Worker) RunOnce(ctx context.Context) (RunResult, error) {
	var result RunResult
	if !w.Transport.Configured() {
		if !w.warned.Swap(true) {
			w.logger().Warn("emails: SMTP is not configured: emails stay pending in " + collections.EmailOutbox + " until it is (dashboard → Settings → Mail settings)")
		}
		return result, nil
	}
	w.warned.Store(false)

	now := w.Now().UTC()
	var ids []string
	err := w.App.DB().Select("id").From(collections.EmailOutbox).
		Where(dueExpr(now)).
		OrderBy(collections.OutboxNextAttemptAt, "created").
		Limit(int64(w.Batch)).
		Column(&ids)
	if err != nil {
		return result, fmt.Errorf("list due emails: %w", err)
	}

	var mu sync.Mutex
	var wg sync.WaitGroup
	slots := make(chan struct{}, max(w.Concurrency, 1))
	for _, id := range ids {
		if ctx.Err() != nil {
			break
		}
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			outcome, err := w.process(ctx, id)
			if err != nil {
				w.logger().Error("emails: outbox row could not be processed", "id", id, "error", err)
			}
			mu.Lock()
			defer mu.Unlock()
			switch outcome {
			case outcomeSent:
				result.Sent++
			case outcomeRetry:
				result.Retried++
			case outcomeFailed:
				result.Failed++
			}
		}()
	}
	wg.Wait()
	return result, nil
}

func (w *Worker) logger() *slog.Logger {
	if w.Logger != nil {
		return w.Logger
	}
	return w.App.Logger()
}

type outcome int

const (
	outcomeNone outcome = iota
	outcomeSent
	outcomeRetry
	outcomeFailed
)

// dueExpr selects pending rows whose time has come and whose lease, if
// any, has passed.
func dueExpr(now time.Time) dbx.Expression {
	ts := records.FormatTime(now)
	return dbx.And(
		dbx.HashExp{collections.OutboxStatus: collections.OutboxPending},
		dbx.NewExp("("+collections.OutboxNextAttemptAt+" = '' OR "+collections.OutboxNextAttemptAt+" <= {:now})", dbx.Params{"now": ts}),
		dbx.NewExp("("+collections.OutboxClaimedUntil+" = '' OR "+collections.OutboxClaimedUntil+" <= {:now})", dbx.Params{"now": ts}),
	)
}

// claim takes the row for this worker until lease; only one claimant can
// see the row due, so at most one UPDATE affects it.
func (w *Worker) claim(id string, now time.Time, lease time.Time) (bool, error) {
	res, err := w.App.DB().Update(collections.EmailOutbox, dbx.Params{
		collections.OutboxClaimedUntil: records.FormatTime(lease),
		collections.OutboxAttempts:     dbx.NewExp(collections.OutboxAttempts + " + 1"),
		collections.FieldUpdated:       records.FormatTime(now),
	}, dbx.And(dbx.HashExp{collections.FieldId: id}, dueExpr(now))).Execute()
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func (w *Worker) process(ctx context.Context, id string) (outcome, error) {
	now := w.Now().UTC()
	lease := now.Add(w.Lease)
	won, err := w.claim(id, now, lease)
	if err != nil {
		return outcomeNone, fmt.Errorf("claim: %w", err)
	}
	if !won {
		return outcomeNone, nil // another worker has it
	}
	row, err := w.App.FindRecordById(collections.EmailOutbox, id)
	if err != nil {
		return outcomeNone, fmt.Errorf("load: %w", err)
	}

	sendErr := w.Transport.Send(ctx, OutgoingFromRecord(w.App, row))

	done := w.Now().UTC()
	mine := dbx.HashExp{collections.FieldId: id, collections.OutboxClaimedUntil: records.FormatTime(lease)}
	if sendErr == nil {
		_, err := w.App.DB().Update(collections.EmailOutbox, dbx.Params{
			collections.OutboxStatus:       collections.OutboxSent,
			collections.OutboxSentAt:       records.FormatTime(done),
			collections.OutboxClaimedUntil: "",
			collections.OutboxLastError:    "",
			collections.FieldUpdated:       records.FormatTime(done),
		}, mine).Execute()
		if err != nil {
			return outcomeSent, fmt.Errorf("mark sent: %w", err)
		}
		return outcomeSent, nil
	}

	attempts := row.GetInt(collections.OutboxAttempts)
	params := dbx.Params{
		collections.OutboxClaimedUntil: "",
		collections.OutboxLastError:    plaintext.Clip(sendErr.Error(), collections.MaxOutboxErrorLength),
		collections.FieldUpdated:       records.FormatTime(done),
	}
	result := outcomeRetry
	if attempts >= MaxAttempts {
		params[collections.OutboxStatus] = collections.OutboxFailed
		result = outcomeFailed
	} else {
		params[collections.OutboxNextAttemptAt] = records.FormatTime(done.Add(Backoff(attempts, w.Jitter())))
	}
	if _, err := w.App.DB().Update(collections.EmailOutbox, params, mine).Execute(); err != nil {
		return result, fmt.Errorf("record failure: %w", err)
	}
	w.logger().Warn("emails: email not sent",
		"id", id, "to", row.GetString(collections.OutboxTo), "kind", row.GetString(collections.OutboxKind),
		"attempt", attempts, "final", result == outcomeFailed, "error", sendErr)
	return result, nil
}

// OutgoingFromRecord is the mail of an outbox row, from the app's sender.
func OutgoingFromRecord(app core.App, row *core.Record) *Outgoing {
	headers := map[string]string{}
	if raw := row.GetString(collections.OutboxHeaders); raw != "" && raw != "null" {
		_ = json.Unmarshal([]byte(raw), &headers)
	}
	host := "studyhall.localhost"
	if u := AbsoluteURL(app.Settings().Meta.AppURL, "/"); u != "" {
		if h := hostOf(u); h != "" {
			host = h
		}
	}
	return &Outgoing{
		From:      Sender(app),
		To:        mail.Address{Name: row.GetString(collections.OutboxToName), Address: row.GetString(collections.OutboxTo)},
		Subject:   row.GetString(collections.OutboxSubject),
		HTML:      row.GetString(collections.OutboxHTML),
		Text:      row.GetString(collections.OutboxText),
		Headers:   headers,
		MessageId: "outbox." + row.Id + "@" + host,
	}
}

// RetryFailed puts failed rows (all of them when id is empty) back to
// pending, due now, with a fresh attempt budget.
func RetryFailed(app core.App, id string, now time.Time) (int, error) {
	where := dbx.HashExp{collections.OutboxStatus: collections.OutboxFailed}
	if id != "" {
		where[collections.FieldId] = id
	}
	res, err := app.DB().Update(collections.EmailOutbox, dbx.Params{
		collections.OutboxStatus:        collections.OutboxPending,
		collections.OutboxAttempts:      0,
		collections.OutboxNextAttemptAt: records.FormatTime(now),
		collections.OutboxClaimedUntil:  "",
		collections.FieldUpdated:        records.FormatTime(now),
	}, where).Execute()
	if err != nil {
		return 0, fmt.Errorf("retry failed emails: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// hostOf is the host name of an absolute URL.
func hostOf(link string) string {
	u, err := url.Parse(link)
	if err != nil {
		return ""
	}
	return u.Hostname()
}
