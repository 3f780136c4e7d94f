package emails

import (
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/notifications"
	"studyhall/plaintext"
	"studyhall/records"
)

// notificationBatch bounds the notifications one transaction turns into
// outbox rows, so a burst (a session announced to 5,000 students) never
// holds the write lock for long.
const notificationBatch = 200

// QueueNotificationEmails turns delivered notifications with emailMode
// immediate and no emailedAt (and such email-only notifications) into
// outbox rows. Each notification is claimed by setting its emailedAt with a
// conditional UPDATE in the same transaction that writes its outbox row, so
// a notification queues exactly one email even when two runs race; held
// notifications live in notification_holds until quiet hours end, so they
// are picked up only once released. It returns how many rows it wrote.
func QueueNotificationEmails(app core.App, now time.Time) (int, error) {
	total := 0
	for _, source := range []string{collections.Notifications, collections.NotificationEmails} {
		for {
			var ids []string
			err := app.DB().Select(collections.FieldId).From(source).
				Where(dbx.HashExp{
					collections.NotificationEmailMode: collections.EmailModeImmediate,
					collections.NotificationEmailedAt: "",
				}).
				OrderBy(collections.FieldCreated).
				Limit(notificationBatch).
				Column(&ids)
			if err != nil {
				return total, fmt.Errorf("list %s to email: %w", source, err)
			}
			if len(ids) == 0 {
				break
			}
			queued := 0
			err = app.RunInTransaction(func(txApp core.App) error {
				queued = 0
				for _, id := range ids {
					ok, err := queueNotificationEmail(txApp, source, id, now)
					if err != nil {
						return err
					}
					if ok {
						queued++
					}
				}
				return nil
			})
			if err != nil {
				// one bad notification must not hold back the others:
				// retry the batch one by one, setting aside what fails
				app.Logger().Warn("emails: notification email batch failed; retrying one by one", "source", source, "error", err)
				queued = queueOneByOne(app, source, ids, now)
			}
			total += queued
			if len(ids) < notificationBatch {
				break
			}
		}
	}
	return total, nil
}

// queueOneByOne queues each notification in its own transaction. One that
// still fails is claimed all the same and recorded as a cancelled outbox
// row carrying the error, so it shows in the dashboard instead of failing
// every run forever.
func queueOneByOne(app core.App, source string, ids []string, now time.Time) int {
	queued := 0
	for _, id := range ids {
		err := app.RunInTransaction(func(txApp core.App) error {
			ok, err := queueNotificationEmail(txApp, source, id, now)
			if ok {
				queued++
			}
			return err
		})
		if err == nil {
			continue
		}
		app.Logger().Error("emails: notification email not queued", "source", source, "id", id, "error", err)
		queueErr := err
		setAside := app.RunInTransaction(func(txApp core.App) error {
			claimed, err := claimNotification(txApp, source, id, now)
			if err != nil || !claimed {
				return err
			}
			_, err = Enqueue(txApp, &Message{
				Subject:      "Notification " + id,
				Kind:         collections.EmailKindNotification,
				DedupeKey:    source + ":" + id,
				CancelReason: plaintext.Clip("not sent: "+queueErr.Error(), collections.MaxOutboxErrorLength),
			}, now)
			return err
		})
		if setAside != nil {
			app.Logger().Error("emails: notification email could not be set aside", "source", source, "id", id, "error", setAside)
		}
	}
	return queued
}

// claimNotification marks a notification of source emailed at now, unless
// a run already did: true when this call took it.
func claimNotification(txApp core.App, source, id string, now time.Time) (bool, error) {
	res, err := txApp.DB().Update(source,
		dbx.Params{collections.NotificationEmailedAt: records.FormatTime(now)},
		dbx.HashExp{collections.FieldId: id, collections.NotificationEmailedAt: ""},
	).Execute()
	if err != nil {
		return false, fmt.Errorf("claim %s %s: %w", source, id, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// queueNotificationEmail claims one notification and writes its outbox row.
func queueNotificationEmail(txApp core.App, source, id string, now time.Time) (bool, error) {
	claimed, err := claimNotification(txApp, source, id, now)
	if err != nil || !claimed {
		return false, err // or another run took it
	}
	record, err := txApp.FindRecordById(source, id)
	if err != nil {
		return false, fmt.Errorf("load %s %s: %w", source, id, err)
	}

	to, userId, err := notificationRecipient(txApp, source, record)
	if err != nil {
		// the user is gone (deleting a user deletes their notifications,
		// so this is a race): nobody to write to
		to, userId = mail.Address{}, record.GetString(collections.NotificationUser)
	}
	kind, _ := collections.LookupNotificationKind(record.GetString(collections.NotificationType))

	msg, err := NotificationMessage(txApp, record, to, userId, kind, now)
	if err != nil {
		return false, err
	}
	msg.DedupeKey = source + ":" + id

	// the user may have turned email off, or read or lost the notification,
	// between its creation and now: the decision goes on record as a
	// cancelled row, and nothing is sent
	switch {
	case !validAddress(to.Address):
		msg.CancelReason = fmt.Sprintf("cancelled: unusable address %q", to.Address)
		msg.To.Address = ""
	case !kind.Mandatory && userId != "" && !emailAllowed(txApp, userId, kind):
		msg.CancelReason = "cancelled: the recipient turned these emails off"
	case !record.GetDateTime(collections.NotificationReadAt).IsZero():
		msg.CancelReason = "cancelled: read in the app before it was emailed"
	case expired(record, now):
		msg.CancelReason = "cancelled: expired before it was emailed"
	}
	if _, err := Enqueue(txApp, msg, now); err != nil {
		return false, err
	}
	return true, nil
}

// notificationRecipient is the address a notification is written to: the
// user's for notifications, the one kept on the row for email-only ones
// (the user of account_deleted is gone).
func notificationRecipient(app core.App, source string, record *core.Record) (mail.Address, string, error) {
	userId := record.GetString(collections.NotificationUser)
	if source == collections.NotificationEmails {
		return mail.Address{
			Name:    record.GetString(collections.NotificationEmailName),
			Address: record.GetString(collections.NotificationEmailAddress),
		}, userId, nil
	}
	user, err := app.FindRecordById(collections.Users, userId)
	if err != nil {
		return mail.Address{}, "", fmt.Errorf("find user %s: %w", userId, err)
	}
	return mail.Address{Name: user.GetString(collections.UserName), Address: user.Email()}, userId, nil
}

// NotificationMessage renders the email of one notification. Mandatory
// kinds carry no unsubscribe link or header; the others unsubscribe from
// the notification's category.
func NotificationMessage(app core.App, record *core.Record, to mail.Address, userId string, kind collections.NotificationKind, now time.Time) (*Message, error) {
	meta := app.Settings().Meta
	appURL := normalizeAppURL(meta.AppURL)
	n := notificationView(record, appURL)
	view := View{
		AppName:      meta.AppName,
		AppURL:       appURL,
		Subject:      n.Title,
		Name:         to.Name,
		Notification: &n,
	}
	emailKind := collections.EmailKindNotification
	if kind.Type == collections.TypeAccountDeleted {
		emailKind = collections.EmailKindAccountDeleted
	}
	var headers map[string]string
	if !kind.Mandatory && userId != "" {
		link, err := unsubscribeLink(app, userId, n.Category, now)
		if err != nil {
			return nil, err
		}
		view.UnsubscribeURL = link
		view.UnsubscribeLabel = ScopeLabel(n.Category)
		headers = UnsubscribeHeaders(link)
	}
	html, text, err := Render(emailKind, view)
	if err != nil {
		return nil, err
	}
	return &Message{
		To:      to,
		Subject: n.Title,
		HTML:    html,
		Text:    text,
		Headers: headers,
		Kind:    emailKind,
		UserId:  userId,
	}, nil
}

// notificationView is a notification as templates show it, its link made
// absolute.
func notificationView(record *core.Record, appURL string) NotificationView {
	n := NotificationView{
		Title:      record.GetString(collections.NotificationTitle),
		Message:    record.GetString(collections.NotificationMessage),
		Category:   record.GetString(collections.NotificationCategory),
		Priority:   record.GetString(collections.NotificationPriority),
		ActionURL:  AbsoluteURL(appURL, record.GetString(collections.NotificationActionURL)),
		ActionText: record.GetString(collections.NotificationActionText),
	}
	n.Important = isImportant(n.Priority)
	if n.ActionURL != "" && n.ActionText == "" {
		n.ActionText = "Open"
	}
	return n
}

// unsubscribeLink signs a link for userId and scope; "" when the app has no
// URL, since a relative link in an email leads nowhere.
func unsubscribeLink(app core.App, userId, scope string, now time.Time) (string, error) {
	appURL := normalizeAppURL(app.Settings().Meta.AppURL)
	if appURL == "" {
		return "", nil
	}
	secret, err := UnsubscribeSecret(app)
	if err != nil {
		return "", err
	}
	token, err := SignUnsubscribeToken(secret, userId, scope, now)
	if err != nil {
		return "", err
	}
	return UnsubscribeURL(appURL, token), nil
}

// normalizeAppURL is the app URL without its trailing slash, or "" when it
// is not an absolute http(s) URL.
func normalizeAppURL(appURL string) string {
	if AbsoluteURL(appURL, "/") == "" {
		return ""
	}
	return strings.TrimRight(appURL, "/")
}

// validAddress reports whether address is one bare email address.
func validAddress(address string) bool {
	parsed, err := mail.ParseAddress(address)
	return err == nil && parsed.Address == address
}

func expired(record *core.Record, now time.Time) bool {
	at := record.GetDateTime(collections.NotificationExpiresAt)
	return !at.IsZero() && !at.Time().After(now)
}

// --- preferences

// emailAllowed reports whether the user's current preferences still let
// an email of kind through.
func emailAllowed(app core.App, userId string, kind collections.NotificationKind) bool {
	prefs, _ := notifications.PreferencesOf(app, userId) // the defaults if unreadable
	return notifications.ResolveChannels(prefs, kind).Email
}
