package notifications

import (
	"maps"
	"net/http"
	"time"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/collections"
	"studyhall/realtime"
	"studyhall/records"
	"studyhall/request"
)

// Register binds the notification engine: each user's
// preferences, realtime delivery of the inbox through our fan-out, the
// /api/notifications routes, the release and expiry jobs, and the LMS
// triggers.
func Register(app core.App) {
	// notifications events go only to their owner's clients, without
	// PocketBase's per-subscriber rule check
	realtime.Own(app, collections.Notifications)

	bindNotificationPreferences(app)
	bindNotificationEvents(app)
	bindNotificationRoutes(app)
	bindNotificationJobs(app)
	bindNotificationTriggers(app)
}

// ---------------------------------------------------------------------
// preferences

func bindNotificationPreferences(app core.App) {
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

// bindNotificationEvents sends the events of notifications saved as
// records (read, archived, created, edited or deleted from the dashboard)
// through the fan-out; Send writes rows in bulk and sends its own.
func bindNotificationEvents(app core.App) {
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

// ---------------------------------------------------------------------
// routes

func bindNotificationRoutes(app core.App) {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		group := se.Router.Group("/api/notifications")
		group.Bind(apis.RequireAuth(collections.Users), request.RequireJSONBody())
		group.GET("/unread-count", notificationsUnreadCount)
		group.POST("/read-all", notificationsReadAll)
		testLimiter := request.NewUserLimiter(testNotificationEvery, testNotificationBurst)
		group.POST("/test", func(e *core.RequestEvent) error {
			return notificationsTest(e, testLimiter)
		})
		group.POST("/{id}/read", notificationRead)
		group.POST("/{id}/archive", notificationArchive)
		return se.Next()
	})
}

// visibleNotification is the caller's own unexpired notification id, or a
// 404 for anything else, as the view rule has it.
func visibleNotification(e *core.RequestEvent, id string) (*core.Record, error) {
	record, err := e.App.FindRecordById(collections.Notifications, id)
	if err != nil || record.GetString(collections.NotificationUser) != e.Auth.Id {
		return nil, e.NotFoundError("", err)
	}
	expiresAt := record.GetDateTime(collections.NotificationExpiresAt)
	if !expiresAt.IsZero() && !expiresAt.Time().After(time.Now()) {
		return nil, e.NotFoundError("", nil)
	}
	return record, nil
}

// notificationRead marks one notification read (once; the first time
// stays) and answers the record.
func notificationRead(e *core.RequestEvent) error {
	record, err := visibleNotification(e, e.Request.PathValue("id"))
	if err != nil {
		return err
	}
	if record.GetDateTime(collections.NotificationReadAt).IsZero() {
		record.Set(collections.NotificationReadAt, types.NowDateTime())
		if err := e.App.Save(record); err != nil {
			return e.InternalServerError("", err)
		}
	}
	return request.RespondRecord(e, record)
}

// notificationArchive archives one notification; archiving also reads it,
// so that the unread count never counts what the user put away.
func notificationArchive(e *core.RequestEvent) error {
	record, err := visibleNotification(e, e.Request.PathValue("id"))
	if err != nil {
		return err
	}
	changed := false
	now := types.NowDateTime()
	for _, field := range []string{collections.NotificationArchivedAt, collections.NotificationReadAt} {
		if record.GetDateTime(field).IsZero() {
			record.Set(field, now)
			changed = true
		}
	}
	if changed {
		if err := e.App.Save(record); err != nil {
			return e.InternalServerError("", err)
		}
	}
	return request.RespondRecord(e, record)
}

// unreadFilter is the caller's delivered, unread, unexpired notifications.
const unreadFilter = "user = {:user} && readAt = '' && (expiresAt = '' || expiresAt > {:now})"

// notificationsReadAll marks every unread notification of the caller read
// in one transaction; each tab gets an update event per notification.
func notificationsReadAll(e *core.RequestEvent) error {
	now := types.NowDateTime()
	var count int
	err := e.App.RunInTransaction(func(txApp core.App) error {
		records, err := txApp.FindRecordsByFilter(collections.Notifications, unreadFilter, "", 0, 0,
			dbx.Params{"user": e.Auth.Id, "now": now.String()})
		if err != nil || len(records) == 0 {
			return err
		}
		ids := make([]any, len(records))
		for i, record := range records {
			ids[i] = record.Id
			record.Set(collections.NotificationReadAt, now)
			record.Set(collections.FieldUpdated, now)
		}
		_, err = txApp.DB().Update(collections.Notifications,
			dbx.Params{collections.NotificationReadAt: now.String(), collections.FieldUpdated: now.String()},
			dbx.In(collections.FieldId, ids...)).Execute()
		if err != nil {
			return err
		}
		count = len(records)
		Publish(txApp, realtime.ActionUpdate, records)
		return nil
	})
	if err != nil {
		return e.InternalServerError("", err)
	}
	return e.JSON(http.StatusOK, map[string]int{"count": count})
}

// notificationsUnreadCount answers {"count": delivered unread unexpired,
// "held": waiting for the end of quiet hours}.
func notificationsUnreadCount(e *core.RequestEvent) error {
	now := time.Now()
	var count int
	err := e.App.RecordQuery(collections.Notifications).Select("COUNT(*)").
		AndWhere(dbx.HashExp{collections.NotificationUser: e.Auth.Id, collections.NotificationReadAt: ""}).
		AndWhere(dbx.NewExp("([[expiresAt]] = '' OR [[expiresAt]] > {:now})",
			dbx.Params{"now": types.NowDateTime().String()})).
		Row(&count)
	if err != nil {
		return e.InternalServerError("", err)
	}
	held, err := HeldCount(e.App, e.Auth.Id, now)
	if err != nil {
		return e.InternalServerError("", err)
	}
	return e.JSON(http.StatusOK, map[string]int{"count": count, "held": held})
}

// testNotificationForm is the body of POST /api/notifications/test.
type testNotificationForm struct {
	Priority string `json:"priority"`
}

// Validate accepts an empty priority (normal) or one of the priorities.
func (form *testNotificationForm) Validate() error {
	return validation.ValidateStruct(form,
		validation.Field(&form.Priority, validation.In(records.Any(collections.NotificationPriorities)...).
			Error("Must be one of low, normal, high or urgent.")),
	)
}

// Submit sends the test notification to user under their preferences.
func (form *testNotificationForm) Submit(app core.App, userId string) (*Result, error) {
	return Send(app, Notification{
		Type:       collections.TypeTest,
		Recipients: []string{userId},
		Priority:   form.Priority,
		Title:      "Test notification",
		Message:    "Notifications work: this is how studyhall will reach you.",
		Data:       map[string]any{"priority": form.Priority},
	})
}

// The per-user limit of POST /api/notifications/test: each call can queue
// an email, so a user gets 3 at once and then one every 20 seconds.
const (
	testNotificationEvery = 20 * time.Second
	testNotificationBurst = 3
)

// notificationsTest is POST /api/notifications/test. Only a valid request
// takes from the caller's limit.
func notificationsTest(e *core.RequestEvent, limiter *request.UserLimiter) error {
	form := &testNotificationForm{}
	if err := request.BindForm(e, form); err != nil {
		return err
	}
	if err := request.LimitUser(e, limiter, "Too many test notifications; wait a moment and try again."); err != nil {
		return err
	}
	result, err := form.Submit(e.App, e.Auth.Id)
	if err != nil {
		return e.InternalServerError("", err)
	}
	response := map[string]any{"held": len(result.Held) > 0, "notification": nil}
	if len(result.Delivered) > 0 {
		record := result.Delivered[0]
		if err := apis.EnrichRecord(e, record); err != nil {
			return e.InternalServerError("", err)
		}
		response["notification"] = record
	}
	return e.JSON(http.StatusOK, response)
}

// ---------------------------------------------------------------------
// jobs

func bindNotificationJobs(app core.App) {
	// quiet hours end on the minute: release within 60 s of the end
	app.Cron().MustAdd("notificationsRelease", "* * * * *", func() {
		if _, err := ReleaseDue(app, time.Now()); err != nil {
			app.Logger().Error("notifications: release held notifications", "error", err)
		}
	})
	app.Cron().MustAdd("notificationsExpire", "17 3 * * *", func() {
		deleted, err := DeleteExpired(app, time.Now())
		if err != nil {
			app.Logger().Error("notifications: delete expired", "error", err)
			return
		}
		app.Logger().Info("notifications: deleted expired", "count", deleted)
	})
}
