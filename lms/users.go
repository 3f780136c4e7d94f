package lms

import (
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/records"
	"studyhall/request"
)

// bindUsers keeps the user fields SPEC fixes: a role (students by default),
// a valid IANA time zone (UTC by default), direct messages allowed unless
// turned off, an email no other user ever sees, and private settings hidden
// from everyone but the user.
func bindUsers(app core.App) {
	app.OnRecordCreate(collections.Users).BindFunc(func(e *core.RecordEvent) error {
		if e.Record.GetString(collections.UserRole) == "" {
			e.Record.Set(collections.UserRole, collections.RoleStudent)
		}
		if e.Record.GetString(collections.UserTimezone) == "" {
			e.Record.Set(collections.UserTimezone, collections.DefaultTimezone)
		}
		e.Record.SetEmailVisibility(false)
		return e.Next()
	})

	app.OnRecordUpdate(collections.Users).BindFunc(func(e *core.RecordEvent) error {
		if e.Record.GetString(collections.UserTimezone) == "" {
			e.Record.Set(collections.UserTimezone, collections.DefaultTimezone)
		}
		e.Record.SetEmailVisibility(false)
		return e.Next()
	})

	// a sign-up that says nothing about direct messages allows them
	app.OnRecordCreateRequest(collections.Users).BindFunc(func(e *core.RecordRequestEvent) error {
		info, err := e.RequestInfo()
		if err != nil {
			return err
		}
		if _, given := info.Body[collections.UserAllowDirectMessages]; !given {
			e.Record.Set(collections.UserAllowDirectMessages, true)
		}
		return e.Next()
	})

	app.OnRecordValidate(collections.Users).BindFunc(func(e *core.RecordEvent) error {
		if err := records.ValidateTimezone(e.Record.GetString(collections.UserTimezone)); err != nil {
			return validation.Errors{collections.UserTimezone: err}
		}
		return e.Next()
	})

	app.OnRecordEnrich(collections.Users).BindFunc(func(e *core.RecordEnrichEvent) error {
		if !request.IsSelfOrSuperuser(e.RequestInfo, e.Record.Id) {
			e.Record.Hide(collections.UserTimezone, collections.UserAllowDirectMessages)
		}
		return e.Next()
	})
}
