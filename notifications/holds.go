package notifications

import (
	"errors"
	"fmt"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/realtime"
	"studyhall/records"
)

// What quiet hours held back, released when their window ends or the
// user's preferences change, and what expired, deleted by the daily job.

// ReleaseHolds re-decides the held notifications of one user at now, under
// their current preferences: those no longer held become notifications
// (realtime create events after commit), those still held get the new
// window's end as release time, and expired ones are dropped. It returns
// how many were released.
func ReleaseHolds(app core.App, userId string, now time.Time) (int, error) {
	var released []*core.Record
	err := app.RunInTransaction(func(txApp core.App) error {
		holds, err := FindHeldItems(txApp, userId)
		if err != nil || len(holds) == 0 {
			return err
		}
		preferences, err := PreferencesOf(txApp, userId)
		if err != nil {
			return err
		}

		var rows []map[string]any
		var done []string
		stamp := records.FormatTime(now)
		for _, hold := range holds {
			if hold.Expired(now) {
				done = append(done, hold.Id)
				continue
			}
			if stillHeld, until := Hold(preferences, hold.Priority(), now); stillHeld {
				if !hold.ReleaseAt().Time().Equal(until) {
					_, err := txApp.DB().Update(collections.NotificationHolds,
						dbx.Params{collections.HoldReleaseAt: records.FormatTime(until)},
						dbx.HashExp{collections.FieldId: hold.Id}).Execute()
					if err != nil {
						return err
					}
				}
				continue
			}
			row := map[string]any{
				collections.FieldId:                hold.Id,
				collections.NotificationUser:       userId,
				collections.NotificationReadAt:     "",
				collections.NotificationArchivedAt: "",
				collections.FieldCreated:           stamp,
				collections.FieldUpdated:           stamp,
			}
			for _, field := range payloadFields {
				row[field] = dbString(hold.Record, field)
			}
			rows = append(rows, row)
			done = append(done, hold.Id)
		}

		if len(done) > 0 {
			_, err := txApp.DB().Delete(collections.NotificationHolds, dbx.In(collections.FieldId, records.Any(done)...)).Execute()
			if err != nil {
				return err
			}
		}
		released, err = insertRecords(txApp, collections.Notifications, rows)
		if err != nil {
			return err
		}
		Publish(txApp, realtime.ActionCreate, released)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("release holds of %s: %w", userId, err)
	}
	return len(released), nil
}

// ReleaseDue releases every held notification whose window has ended by
// now, one user at a time; it is the minute job. Errors of one user do not
// stop the others.
func ReleaseDue(app core.App, now time.Time) (int, error) {
	var userIds []string
	err := app.DB().Select(collections.NotificationUser).Distinct(true).From(collections.NotificationHolds).
		Where(dbx.NewExp("[[releaseAt]] <= {:now}", dbx.Params{"now": records.FormatTime(now)})).
		Column(&userIds)
	if err != nil {
		return 0, fmt.Errorf("find due holds: %w", err)
	}
	total := 0
	var errs []error
	for _, userId := range userIds {
		n, err := ReleaseHolds(app, userId, now)
		total += n
		if err != nil {
			errs = append(errs, err)
		}
	}
	return total, errors.Join(errs...)
}

// HeldCount counts a user's unexpired held notifications.
func HeldCount(app core.App, userId string, now time.Time) (int, error) {
	var count int
	err := app.DB().Select("COUNT(*)").From(collections.NotificationHolds).
		Where(dbx.HashExp{collections.NotificationUser: userId}).
		AndWhere(UnexpiredAt(now)).
		Row(&count)
	return count, err
}

// DeleteExpired deletes expired notifications and holds; it is the daily
// job (the list rule has hidden them since they expired).
func DeleteExpired(app core.App, now time.Time) (int64, error) {
	var total int64
	for _, table := range []string{collections.Notifications, collections.NotificationHolds} {
		res, err := app.DB().Delete(table, dbx.NewExp(
			"[[expiresAt]] != '' AND [[expiresAt]] <= {:now}", dbx.Params{"now": records.FormatTime(now)})).Execute()
		if err != nil {
			return total, fmt.Errorf("delete expired %s: %w", table, err)
		}
		n, _ := res.RowsAffected()
		total += n
	}
	return total, nil
}

// UnexpiredAt selects the rows (of notifications, holds or email-only
// notifications) whose expiresAt is empty or after now, as the
// notifications view rule has it.
func UnexpiredAt(now time.Time) dbx.Expression {
	return records.Exp("([[expiresAt]] = '' OR [[expiresAt]] > {:now})", map[string]any{"now": records.FormatTime(now)})
}
