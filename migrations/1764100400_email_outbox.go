package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/collections"
)

// Email delivery: the outbox every email goes through and the record of
// which digest periods each user already got. Both are superusers only:
// they hold addresses and rendered mails, so only the dashboard (and the
// server itself) may read them; superusers see, retry or cancel rows there.
//
// email_outbox.userId is plain text, not a relation, so a row outlives its
// user: account_deleted is sent after the account is gone. The unique
// dedupeKey lets each cause (a notification, a digest period) queue its
// email once; the (status, nextAttemptAt) index is the worker's scan.
func init() {
	m.Register(func(app core.App) error {
		users, err := app.FindCollectionByNameOrId(collections.Users)
		if err != nil {
			return err
		}

		// --- email_outbox
		outbox := core.NewBaseCollection(collections.EmailOutbox)
		outbox.ListRule = superusersOnly
		outbox.ViewRule = superusersOnly
		outbox.CreateRule = superusersOnly
		outbox.UpdateRule = superusersOnly
		outbox.DeleteRule = superusersOnly
		outbox.Fields.Add(
			// not required: a row whose address turned out unusable is kept,
			// cancelled, so the decision is on record
			&core.EmailField{Name: collections.OutboxTo},
			&core.TextField{Name: collections.OutboxToName, Max: collections.MaxNameLength},
			&core.TextField{Name: collections.OutboxSubject, Required: true, Max: collections.MaxOutboxSubjectLength},
			&core.TextField{Name: collections.OutboxHTML, Max: collections.MaxEmailBodyLength},
			&core.TextField{Name: collections.OutboxText, Max: collections.MaxEmailBodyLength},
			&core.JSONField{Name: collections.OutboxHeaders, MaxSize: 16 << 10},
			&core.TextField{Name: collections.OutboxKind, Required: true, Max: 50},
			&core.TextField{Name: collections.OutboxUserId, Max: 50},
			&core.SelectField{Name: collections.OutboxStatus, Required: true, Values: collections.OutboxStatuses, MaxSelect: 1},
			&core.NumberField{Name: collections.OutboxAttempts, OnlyInt: true, Min: types.Pointer(0.0)},
			&core.DateField{Name: collections.OutboxNextAttemptAt},
			&core.DateField{Name: collections.OutboxClaimedUntil},
			&core.TextField{Name: collections.OutboxLastError, Max: collections.MaxOutboxErrorLength},
			&core.DateField{Name: collections.OutboxSentAt},
			&core.TextField{Name: collections.OutboxDedupeKey, Max: 255},
		)
		addTimestamps(outbox)
		outbox.AddIndex("idx_email_outbox_dedupe", true, "dedupeKey", "dedupeKey != ''")
		outbox.AddIndex("idx_email_outbox_due", false, "status, nextAttemptAt", "")
		outbox.AddIndex("idx_email_outbox_user", false, "userId", "")
		if err := app.Save(outbox); err != nil {
			return err
		}

		// --- email_digests
		digests := core.NewBaseCollection(collections.EmailDigestPeriods)
		digests.ListRule = superusersOnly
		digests.ViewRule = superusersOnly
		digests.CreateRule = superusersOnly
		digests.UpdateRule = superusersOnly
		digests.DeleteRule = superusersOnly
		digests.Fields.Add(
			relation(collections.DigestUser, users.Id, true, true),
			&core.TextField{Name: collections.DigestPeriod, Required: true, Max: 50},
			&core.TextField{Name: collections.DigestOutbox, Max: 50},
			&core.NumberField{Name: collections.DigestCount, OnlyInt: true},
		)
		addTimestamps(digests)
		digests.AddIndex("idx_email_digests_user_period", true, "user, period", "")
		return app.Save(digests)
	}, func(app core.App) error {
		return deleteCollections(app, collections.EmailDigestPeriods, collections.EmailOutbox)
	})
}
