package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"studyhall/collections"
)

// Users: name, avatar, role, time zone and the direct-message switch.
//
// Any signed-in user may view a user by id (names and avatars appear beside
// messages and in groups) but lists only themselves: discovery goes through
// /api/users/search. Emails are never visible to other users and a hook
// hides the private fields (timezone, allowDirectMessages) from others.
// Sign-up creates students; only superusers change a role.
func init() {
	m.Register(func(app core.App) error {
		users, err := app.FindCollectionByNameOrId(collections.Users)
		if err != nil {
			return err
		}

		users.ListRule = rule("id = @request.auth.id")
		users.ViewRule = rule("@request.auth.id != ''")
		users.CreateRule = rule("@request.body.role:isset = false || @request.body.role = 'student'")
		users.UpdateRule = rule("id = @request.auth.id && (@request.body.role:isset = false || @request.body.role = role)")
		users.DeleteRule = rule("id = @request.auth.id")

		if name, ok := users.Fields.GetByName(collections.UserName).(*core.TextField); ok {
			name.Required = true
			name.Max = collections.MaxNameLength
		}
		users.Fields.Add(
			&core.SelectField{Name: collections.UserRole, Values: collections.Roles, MaxSelect: 1},
			&core.TextField{Name: collections.UserTimezone, Max: 64},
			&core.BoolField{Name: collections.UserAllowDirectMessages},
		)

		return app.Save(users)
	}, func(app core.App) error {
		users, err := app.FindCollectionByNameOrId(collections.Users)
		if err != nil {
			return err
		}
		users.Fields.RemoveByName(collections.UserRole)
		users.Fields.RemoveByName(collections.UserTimezone)
		users.Fields.RemoveByName(collections.UserAllowDirectMessages)
		users.ListRule = rule("id = @request.auth.id")
		users.ViewRule = rule("id = @request.auth.id")
		users.CreateRule = rule("")
		users.UpdateRule = rule("id = @request.auth.id")
		users.DeleteRule = rule("id = @request.auth.id")
		return app.Save(users)
	})
}
