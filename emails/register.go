package emails

import (
	"context"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/request"
)

// DigestsJobId is the cron job that queues the digests due now: each
// minute, since that is when some zone reaches 08:00 (zones with :30 and
// :45 offsets included).
const DigestsJobId = "emailDigests"

// outboxTick is how often the outbox worker looks for due emails and for
// notifications to email: often enough that an immediate email leaves
// within seconds, rarely enough to cost nothing when idle.
const outboxTick = 5 * time.Second

// Register routes every email through the outbox: PocketBase's own auth
// mails, immediate notification emails and digests. It starts the outbox
// worker with `serve`, runs the digest job every minute and serves the
// unsubscribe page.
func Register(app core.App) {
	worker := NewWorker(app)

	// PocketBase's mails (verification, password reset, OTP, email change,
	// login alerts, the dashboard's test mail) become outbox rows in our
	// layout instead of being sent inline by PocketBase's client: they get
	// the same retries and the same transport. e.Next() is deliberately not
	// called, since calling it would make PocketBase send the mail too.
	app.OnMailerSend().BindFunc(func(e *core.MailerEvent) error {
		messages, err := AuthMessages(e.App, e.Message)
		if err != nil {
			return err
		}
		now := time.Now()
		return e.App.RunInTransaction(func(txApp core.App) error {
			for _, m := range messages {
				if _, err := Enqueue(txApp, m, now); err != nil {
					return err
				}
			}
			return nil
		})
	})

	// a superuser retrying a failed row in the dashboard (status back to
	// pending) gets a fresh attempt budget, due now, as `outbox retry` does
	app.OnRecordUpdate(collections.EmailOutbox).BindFunc(func(e *core.RecordEvent) error {
		was := e.Record.Original().GetString(collections.OutboxStatus)
		if was == collections.OutboxFailed && e.Record.GetString(collections.OutboxStatus) == collections.OutboxPending {
			e.Record.Set(collections.OutboxAttempts, 0)
			e.Record.Set(collections.OutboxNextAttemptAt, time.Now().UTC())
			e.Record.Set(collections.OutboxClaimedUntil, "")
		}
		return e.Next()
	})

	app.Cron().MustAdd(DigestsJobId, "* * * * *", func() {
		if _, err := RunDigests(app, time.Now()); err != nil {
			app.Logger().Error("emails: digests failed", "error", err)
		}
	})

	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		e.Router.GET(UnsubscribePath, unsubscribePage).Bind(request.RequireFormBody())
		e.Router.POST(UnsubscribePath, unsubscribeApply).Bind(request.RequireFormBody())
		// only a real server runs the worker loop; tests (which trigger
		// OnServe without a server) drive RunOnce with their own clock
		if e.Server != nil {
			startOutboxWorker(app, worker)
		}
		return e.Next()
	})
}

// startOutboxWorker runs the worker every outboxTick until the app
// terminates; a send in flight is cancelled then, and its row, whose lease
// expires, is retried by the next process.
func startOutboxWorker(app core.App, worker *Worker) {
	ctx, cancel := context.WithCancel(context.Background())
	app.OnTerminate().BindFunc(func(e *core.TerminateEvent) error {
		cancel()
		return e.Next()
	})
	go func() {
		ticker := time.NewTicker(outboxTick)
		defer ticker.Stop()
		for {
			if _, err := QueueNotificationEmails(app, time.Now()); err != nil {
				app.Logger().Error("emails: notification emails not queued", "error", err)
			}
			if _, err := worker.RunOnce(ctx); err != nil {
				app.Logger().Error("emails: outbox run failed", "error", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-ticker.C:
			}
		}
	}()
}
