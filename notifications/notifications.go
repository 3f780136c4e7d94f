package notifications

import (
	"maps"
	"time"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/collections"
	"studyhall/realtime"
	"studyhall/records"
)

// The record hooks of the engine's own collections: each user's
// preferences row, and the realtime events of notifications saved as
// records.

// ---------------------------------------------------------------------
// preferences

// bindPreferences keeps each user's preferences row: created with the
// user, defaulted and validated on every save, and a change releases what
// quiet hours no longer hold.
func bindPreferences(app core.App) {
	// one row per user, written in the same transaction as the user
	app.OnRecordCreateExecute(collections.Users).BindFunc(func(e *core.RecordEvent) error {
		return records.InTransaction(&e.App, e.Next, nil, func(txApp core.App) error {
			return createPreferences(txApp, e.Record.Id)
		})
	})

	app.OnRecordCreate(collections.NotificationPreferences).BindFunc(func(e *core.RecordEvent) error {
		if e.Record.GetString(collections.PreferenceEmailDigest) == "" {
			e.Record.Set(collections.PreferenceEmailDigest, DefaultPreferences().EmailDigest)
		}
		return e.Next()
	})

	app.OnRecordValidate(collections.NotificationPreferences).BindFunc(func(e *core.RecordEvent) error {
		if errs := validatePreferences(e.Record); len(errs) > 0 {
			return errs
		}
		return e.Next()
	})

	// a change of preferences (or of the user's own zone) may end quiet
	// hours now: release what no longer waits
	release := func(e *core.RecordEvent, userId string) {
		if _, err := ReleaseHolds(e.App, userId, time.Now()); err != nil {
			e.App.Logger().Error("notifications: release holds after a preference change",
				"userId", userId, "error", err)
		}
	}
	app.OnRecordAfterUpdateSuccess(collections.NotificationPreferences).BindFunc(func(e *core.RecordEvent) error {
		release(e, e.Record.GetString(collections.PreferenceUser))
		return e.Next()
	})
	app.OnRecordAfterUpdateSuccess(collections.Users).BindFunc(func(e *core.RecordEvent) error {
		release(e, e.Record.Id)
		return e.Next()
	})
}

// createPreferences writes the default preferences of a new user. It is a
// plain row insert: the defaults need no validation, and a sign-up fires
// no record events but the user's own.
func createPreferences(app core.App, userId string) error {
	now := types.NowDateTime().String()
	row := dbx.Params{
		collections.FieldId:              core.GenerateDefaultRandomId(),
		collections.PreferenceUser:       userId,
		collections.PreferenceCategories: "{}",
		collections.PreferenceTypes:      "{}",
		collections.FieldCreated:         now,
		collections.FieldUpdated:         now,
	}
	maps.Copy(row, DefaultPreferenceFields())
	_, err := app.DB().Insert(collections.NotificationPreferences, row).Execute()
	return err
}

// validatePreferences checks what the schema cannot: HH:MM bounds given
// both or neither, an IANA zone or none, and the shape of the categories
// and types switches.
func validatePreferences(record *core.Record) validation.Errors {
	errs := validation.Errors{}
	start := record.GetString(collections.PreferenceQuietHoursStart)
	end := record.GetString(collections.PreferenceQuietHoursEnd)
	if err := ValidateClock(start); err != nil {
		errs[collections.PreferenceQuietHoursStart] = err
	}
	if err := ValidateClock(end); err != nil {
		errs[collections.PreferenceQuietHoursEnd] = err
	}
	if len(errs) == 0 && (start == "") != (end == "") {
		missing := collections.PreferenceQuietHoursStart
		if end == "" {
			missing = collections.PreferenceQuietHoursEnd
		}
		errs[missing] = validation.NewError("validation_quiet_hours_pair",
			"Quiet hours need both a start and an end, or neither.")
	}
	if zone := record.GetString(collections.PreferenceTimezone); zone != "" {
		if err := records.ValidateTimezone(zone); err != nil {
			errs[collections.PreferenceTimezone] = err
		}
	}
	if err := ValidateSwitches(rawJSON(record, collections.PreferenceCategories), collections.NotificationCategories); err != nil {
		errs[collections.PreferenceCategories] = err
	}
	if err := ValidateSwitches(rawJSON(record, collections.PreferenceTypes), collections.NotificationTypes()); err != nil {
		errs[collections.PreferenceTypes] = err
	}
	return errs
}

func rawJSON(record *core.Record, field string) []byte {
	if raw, ok := record.Get(field).(types.JSONRaw); ok {
		return raw
	}
	return []byte(record.GetString(field))
}

// ---------------------------------------------------------------------
// realtime

// bindInboxEvents sends the events of notifications saved as records
// (read, archived, created, edited or deleted from the dashboard) through
// the fan-out; Send writes rows in bulk and sends its own.
func bindInboxEvents(app core.App) {
	app.OnRecordAfterCreateSuccess(collections.Notifications).BindFunc(func(e *core.RecordEvent) error {
		Publish(e.App, realtime.ActionCreate, []*core.Record{e.Record})
		return e.Next()
	})
	app.OnRecordAfterUpdateSuccess(collections.Notifications).BindFunc(func(e *core.RecordEvent) error {
		Publish(e.App, realtime.ActionUpdate, []*core.Record{e.Record})
		return e.Next()
	})
	app.OnRecordAfterDeleteSuccess(collections.Notifications).BindFunc(func(e *core.RecordEvent) error {
		Publish(e.App, realtime.ActionDelete, []*core.Record{e.Record})
		return e.Next()
	})
}
