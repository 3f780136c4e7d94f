package emails

import (
	"fmt"
	"net/mail"
	"sort"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/notifications"
	"studyhall/records"
)

// DigestHour is the local hour digests go out: daily at 08:00, weekly on
// Monday at 08:00, in each user's zone.
const DigestHour = 8

// maxDigestItems bounds the notifications one digest lists; the rest are
// counted ("and N more") and marked as emailed all the same.
const maxDigestItems = 50

// Period is one digest period of a user: [Start, End) in their zone, End
// being the 08:00 at which its digest is due.
type Period struct {
	// Mode is collections.EmailModeDaily or collections.EmailModeWeekly.
	Mode  string
	Key   string
	Start time.Time
	End   time.Time
}

// LatestPeriod is the most recent period of mode that has ended by now in
// loc. Boundaries are built with time.Date in loc, so a period across a
// DST change is 23 or 25 hours long (or 167/169 for a week) and always
// ends at 08:00 local time.
func LatestPeriod(mode string, now time.Time, loc *time.Location) Period {
	local := now.In(loc)
	y, m, d := local.Date()
	days := 1
	if mode == collections.EmailModeWeekly {
		days = 7
		d -= (int(local.Weekday()) + 6) % 7 // back to Monday
	}
	end := time.Date(y, m, d, DigestHour, 0, 0, 0, loc)
	if end.After(now) {
		d -= days
		end = time.Date(y, m, d, DigestHour, 0, 0, 0, loc)
	}
	start := time.Date(y, m, d-days, DigestHour, 0, 0, 0, loc)
	return Period{
		Mode:  mode,
		Key:   mode + ":" + end.Format("2006-01-02"),
		Start: start.UTC(),
		End:   end.UTC(),
	}
}

// --- the job

type digestCandidate struct {
	User string `db:"user"`
	Mode string `db:"emailMode"`
}

// RunDigests sends every digest due at now: for each user with unread,
// not yet emailed notifications of emailMode daily or weekly, the latest
// period that has ended in their zone, once. The period is recorded in
// email_digests in the same transaction as the outbox row (unique per
// user and period), so a second run, a restart or a second process sends
// nothing more. It returns how many digests it queued.
func RunDigests(app core.App, now time.Time) (int, error) {
	var candidates []digestCandidate
	modes := []any{collections.EmailModeDaily, collections.EmailModeWeekly}
	// no digest window reaches further back than two weeks (see
	// collectDigestItems), so older rows never make anyone a candidate
	pending := dbx.And(
		dbx.In(collections.NotificationEmailMode, modes...),
		dbx.HashExp{collections.NotificationEmailedAt: ""},
		dbx.Not(dbx.HashExp{collections.NotificationUser: ""}),
		dbx.NewExp("[["+collections.FieldCreated+"]] >= {:since}", dbx.Params{"since": records.FormatTime(now.Add(-16 * 24 * time.Hour))}),
	)
	for _, source := range []string{collections.Notifications, collections.NotificationEmails} {
		where := pending
		if source == collections.Notifications {
			where = dbx.And(pending, dbx.HashExp{
				collections.NotificationReadAt:     "",
				collections.NotificationArchivedAt: "",
			})
		}
		var rows []digestCandidate
		err := app.DB().Select(collections.NotificationUser, collections.NotificationEmailMode).Distinct(true).
			From(source).Where(where).All(&rows)
		if err != nil {
			return 0, fmt.Errorf("list digest candidates: %w", err)
		}
		candidates = append(candidates, rows...)
	}
	seen := map[digestCandidate]bool{}
	sent := 0
	for _, c := range candidates {
		if seen[c] {
			continue
		}
		seen[c] = true
		ok, err := SendDigest(app, c.User, c.Mode, now)
		if err != nil {
			app.Logger().Error("emails: digest not queued", "user", c.User, "mode", c.Mode, "error", err)
			continue
		}
		if ok {
			sent++
		}
	}
	return sent, nil
}

// digestItem is one notification listed in a digest.
type digestItem struct {
	source  string
	id      string
	created time.Time
	view    NotificationView
}

// SendDigest queues the digest of mode for one user for the latest period
// ended by now, unless that period was already sent, the user turned email
// off, or nothing is left to list. It reports whether a digest was queued.
func SendDigest(app core.App, userId, mode string, now time.Time) (bool, error) {
	prefs, _ := notifications.PreferencesOf(app, userId) // the defaults if unreadable
	period := LatestPeriod(mode, now, notifications.Location(prefs.Timezone))
	if digestSent(app, userId, period.Key) || !prefs.EmailEnabled {
		return false, nil
	}
	user, err := app.FindRecordById(collections.Users, userId)
	if err != nil {
		return false, fmt.Errorf("find user %s: %w", userId, err)
	}

	queued := false
	err = app.RunInTransaction(func(txApp core.App) error {
		if digestSent(txApp, userId, period.Key) {
			return nil
		}
		items, err := collectDigestItems(txApp, userId, prefs, period, now)
		if err != nil {
			return err
		}
		// claim each notification; a row another run emailed meanwhile is
		// left out
		claimed := items[:0]
		for _, item := range items {
			ok, err := claimNotification(txApp, item.source, item.id, now)
			if err != nil {
				return err
			}
			if ok {
				claimed = append(claimed, item)
			}
		}
		if len(claimed) == 0 {
			return nil
		}

		msg, err := digestMessage(txApp, user, period, claimed, now)
		if err != nil {
			return err
		}
		row, err := Enqueue(txApp, msg, now)
		if err != nil {
			return err
		}
		c, err := txApp.FindCachedCollectionByNameOrId(collections.EmailDigestPeriods)
		if err != nil {
			return err
		}
		record := core.NewRecord(c)
		record.Set(collections.DigestUser, userId)
		record.Set(collections.DigestPeriod, period.Key)
		record.Set(collections.DigestOutbox, row.Id)
		record.Set(collections.DigestCount, len(claimed))
		if err := txApp.Save(record); err != nil {
			return fmt.Errorf("record digest period: %w", err)
		}
		queued = true
		return nil
	})
	return queued, err
}

func digestSent(app core.App, userId, key string) bool {
	var n int
	err := app.DB().Select("count(*)").From(collections.EmailDigestPeriods).
		Where(dbx.HashExp{collections.DigestUser: userId, collections.DigestPeriod: key}).
		Row(&n)
	return err == nil && n > 0
}

// collectDigestItems lists the user's unread, unexpired notifications of
// the period's mode created before its end and not yet emailed, that the
// user's preferences (prefs) still let through, most important first. The
// window reaches one period further back so a run missed while the server
// was down is caught up by the next one.
func collectDigestItems(app core.App, userId string, prefs notifications.Preferences, period Period, now time.Time) ([]digestItem, error) {
	appURL := normalizeAppURL(app.Settings().Meta.AppURL)
	from := period.Start.Add(-period.End.Sub(period.Start))
	var items []digestItem
	for _, source := range []string{collections.Notifications, collections.NotificationEmails} {
		where := dbx.And(
			dbx.HashExp{
				collections.NotificationUser:      userId,
				collections.NotificationEmailMode: period.Mode,
				collections.NotificationEmailedAt: "",
			},
			dbx.NewExp("[["+collections.FieldCreated+"]] >= {:from} AND [["+collections.FieldCreated+"]] < {:to}",
				dbx.Params{"from": records.FormatTime(from), "to": records.FormatTime(period.End)}),
			notifications.UnexpiredAt(now),
		)
		if source == collections.Notifications {
			where = dbx.And(where, dbx.HashExp{
				collections.NotificationReadAt:     "",
				collections.NotificationArchivedAt: "",
			})
		}
		found, err := app.FindAllRecords(source, where)
		if err != nil {
			return nil, fmt.Errorf("list digest items: %w", err)
		}
		for _, r := range found {
			kind, _ := collections.LookupNotificationKind(r.GetString(collections.NotificationType))
			if !kind.Mandatory && !notifications.ResolveChannels(prefs, kind).Email {
				continue
			}
			items = append(items, digestItem{
				source:  source,
				id:      r.Id,
				created: r.GetDateTime(collections.FieldCreated).Time(),
				view:    notificationView(r, appURL),
			})
		}
	}
	SortDigestItems(items)
	return items, nil
}

// priorityRank orders priorities most important first.
var priorityRank = map[string]int{
	collections.PriorityUrgent: 0,
	collections.PriorityHigh:   1,
	collections.PriorityNormal: 2,
	collections.PriorityLow:    3,
}

// SortDigestItems orders a digest: urgent, then high, normal, low; newest
// first within a priority.
func SortDigestItems(items []digestItem) {
	sort.SliceStable(items, func(i, j int) bool {
		ri, rj := priorityRank[items[i].view.Priority], priorityRank[items[j].view.Priority]
		if ri != rj {
			return ri < rj
		}
		return items[i].created.After(items[j].created)
	})
}

// digestMessage renders a digest for user. Digests are never mandatory:
// they carry a link and headers that unsubscribe from all email.
func digestMessage(app core.App, user *core.Record, period Period, items []digestItem, now time.Time) (*Message, error) {
	meta := app.Settings().Meta
	appURL := normalizeAppURL(meta.AppURL)
	label := "daily"
	if period.Mode == collections.EmailModeWeekly {
		label = "weekly"
	}
	subject := fmt.Sprintf("Your %s digest: %d unread notification", label, len(items))
	if len(items) != 1 {
		subject += "s"
	}
	views := make([]NotificationView, 0, min(len(items), maxDigestItems))
	for _, item := range items[:min(len(items), maxDigestItems)] {
		views = append(views, item.view)
	}
	view := View{
		AppName: meta.AppName,
		AppURL:  appURL,
		Subject: subject,
		Name:    user.GetString(collections.UserName),
		Heading: fmt.Sprintf("Your %s digest", label),
		Items:   views,
	}
	if more := len(items) - len(views); more > 0 {
		view.Heading += fmt.Sprintf(" (the %d most important of %d)", len(views), len(items))
	}
	link, err := unsubscribeLink(app, user.Id, collections.UnsubscribeAll, now)
	if err != nil {
		return nil, err
	}
	view.UnsubscribeURL = link
	view.UnsubscribeLabel = ScopeLabel(collections.UnsubscribeAll)
	html, text, err := Render(collections.EmailKindDigest, view)
	if err != nil {
		return nil, err
	}
	return &Message{
		To:        mail.Address{Name: user.GetString(collections.UserName), Address: user.Email()},
		Subject:   subject,
		HTML:      html,
		Text:      text,
		Headers:   UnsubscribeHeaders(link),
		Kind:      collections.EmailKindDigest,
		UserId:    user.Id,
		DedupeKey: "digest:" + user.Id + ":" + period.Key,
	}, nil
}
