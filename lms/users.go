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
		user := records.Proxy[User](e.Record)
		if user.Role() == "" {
			user.SetRole(collections.RoleStudent)
		}
		setUserDefaults(user)
		return e.Next()
	})
	app.OnRecordUpdate(collections.Users).BindFunc(func(e *core.RecordEvent) error {
		setUserDefaults(records.Proxy[User](e.Record))
		return e.Next()
	})

	// a sign-up that says nothing about direct messages allows them
	app.OnRecordCreateRequest(collections.Users).BindFunc(func(e *core.RecordRequestEvent) error {
		body, err := loadPrivateFields(e)
		if err != nil {
			return err
		}
		if _, given := body[collections.UserAllowDirectMessages]; !given {
			e.Record.Set(collections.UserAllowDirectMessages, true)
		}
		return e.Next()
	})
	app.OnRecordUpdateRequest(collections.Users).BindFunc(func(e *core.RecordRequestEvent) error {
		if _, err := loadPrivateFields(e); err != nil {
			return err
		}
		return e.Next()
	})

	app.OnRecordValidate(collections.Users).BindFunc(func(e *core.RecordEvent) error {
		if err := records.ValidateTimezone(e.Record.GetString(collections.UserTimezone)); err != nil {
			return validation.Errors{collections.UserTimezone: err}
		}
		return e.Next()
	})

	// the private settings are Hidden in the schema (nobody else may read,
	// filter or sort by them); the user reads and writes their own
	app.OnRecordEnrich(collections.Users).BindFunc(func(e *core.RecordEnrichEvent) error {
		if request.IsSelfOrSuperuser(e.RequestInfo, e.Record.Id) {
			e.Record.Unhide(userPrivateFields...)
		} else {
			e.Record.Hide(userPrivateFields...)
		}
		return e.Next()
	})
}

// setUserDefaults gives a user without a time zone the default one, and
// keeps every email hidden from other users whoever saves the record.
func setUserDefaults(user *User) {
	if user.Timezone() == "" {
		user.SetTimezone(collections.DefaultTimezone)
	}
	user.SetEmailVisibility(false)
}

// userPrivateFields are the settings only the user (and superusers) see.
var userPrivateFields = []string{collections.UserTimezone, collections.UserAllowDirectMessages}

// loadPrivateFields sets the private settings the request body gives, and
// returns the body. The records API drops Hidden fields from the bodies of
// non-superusers before its hooks run; these are the caller's own
// settings (a user updates only their own record, and a sign-up creates
// it), so they are read again from the body, which PocketBase keeps
// rereadable.
func loadPrivateFields(e *core.RecordRequestEvent) (map[string]any, error) {
	body := map[string]any{}
	if err := e.BindBody(&body); err != nil {
		return nil, e.BadRequestError("Failed to read the submitted data.", err)
	}
	if e.HasSuperuserAuth() {
		return body, nil // PocketBase loads Hidden fields for superusers
	}
	for _, name := range userPrivateFields {
		if value, given := body[name]; given {
			e.Record.Set(name, value)
		}
	}
	return body, nil
}
