package emails

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/request"
)

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

	// digests are due at 08:00 in each user's zone: every minute is when
	// some zone reaches it (zones with :30 and :45 offsets included)
	app.Cron().MustAdd("emailDigests", "* * * * *", func() {
		if _, err := RunDigests(app, time.Now()); err != nil {
			app.Logger().Error("Email digests failed.", "error", err)
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
				app.Logger().Error("Notification emails not queued.", "error", err)
			}
			if _, err := worker.RunOnce(ctx); err != nil {
				app.Logger().Error("Email outbox run failed.", "error", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-ticker.C:
			}
		}
	}()
}

// --- unsubscribe

// unsubscribePage shows what a link will do and a button that confirms it
// with a POST: mail scanners follow GET links, so a GET never applies it.
func unsubscribePage(e *core.RequestEvent) error {
	claims, ok := parseUnsubscribeRequest(e)
	if !ok {
		return invalidUnsubscribePage(e)
	}
	return renderUnsubscribePage(e, http.StatusOK, PageView{
		Title:   "Unsubscribe from " + ScopeLabel(claims.Scope) + "?",
		Message: unsubscribeEffect(claims.Scope),
		Confirm: true,
		Action:  UnsubscribePath + "?token=" + url.QueryEscape(e.Request.URL.Query().Get("token")),
	})
}

// unsubscribeApply applies a link: from the page's button, or as an
// RFC 8058 one-click POST (body List-Unsubscribe=One-Click) from a mail
// client. No auth: the signed token is the authorisation.
func unsubscribeApply(e *core.RequestEvent) error {
	claims, ok := parseUnsubscribeRequest(e)
	if !ok {
		return invalidUnsubscribePage(e)
	}
	if err := ApplyUnsubscribe(e.App, claims); err != nil {
		e.App.Logger().Warn("Unsubscribe not applied.", "user", claims.Subject, "scope", claims.Scope, "error", err)
		return invalidUnsubscribePage(e)
	}
	e.App.Logger().Info("Unsubscribed from email.", "user", claims.Subject, "scope", claims.Scope)
	return renderUnsubscribePage(e, http.StatusOK, PageView{
		Title:   "You are unsubscribed",
		Message: "You will no longer receive " + ScopeLabel(claims.Scope) + ". Emails about your account, payments and security still reach you. You can turn notifications back on in your notification settings at any time.",
	})
}

// parseUnsubscribeRequest verifies the token of the query string (or, for
// a POST, of the form body, which requireFormBody has parsed).
func parseUnsubscribeRequest(e *core.RequestEvent) (*UnsubscribeClaims, bool) {
	token := e.Request.URL.Query().Get("token")
	if token == "" && e.Request.Method == http.MethodPost {
		token = e.Request.PostForm.Get("token")
	}
	if token == "" {
		return nil, false
	}
	secret, err := UnsubscribeSecret(e.App)
	if err != nil {
		e.App.Logger().Error("Unsubscribe secret unavailable.", "error", err)
		return nil, false
	}
	claims, err := ParseUnsubscribeToken(secret, token, time.Now())
	if err != nil {
		if !errors.Is(err, ErrInvalidUnsubscribeToken) {
			e.App.Logger().Warn("Unsubscribe token check failed.", "error", err)
		}
		return nil, false
	}
	return claims, true
}

func unsubscribeEffect(scope string) string {
	return "You will stop receiving " + ScopeLabel(scope) +
		". Emails about your account, payments and security are always sent."
}

func invalidUnsubscribePage(e *core.RequestEvent) error {
	return renderUnsubscribePage(e, http.StatusBadRequest, PageView{
		Title:   "This unsubscribe link does not work",
		Message: "The link is incomplete, has expired or was changed. Open the link from a recent email again, or change your notification settings in the app.",
	})
}

// renderUnsubscribePage answers the one non-JSON route of the API. The
// token is in the URL, so the page is neither cached nor sent on as a
// referrer.
func renderUnsubscribePage(e *core.RequestEvent, status int, view PageView) error {
	meta := e.App.Settings().Meta
	view.AppName = meta.AppName
	view.AppURL = AbsoluteURL(meta.AppURL, "/")
	body, err := RenderPage(view)
	if err != nil {
		return err
	}
	h := e.Response.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Robots-Tag", "noindex")
	return e.HTML(status, body)
}
