package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"studyhall/collections"
)

// Avatar thumbnails: the web app shows avatars at 24 to 64 pixels beside
// names (chat, members, attendees, queues) and asks for ?thumb=64x64.
// PocketBase serves a thumbnail only for the sizes the file field lists
// (and 100x100); any other size gets the full upload.
func init() {
	m.Register(func(app core.App) error {
		return setAvatarThumbs(app, []string{avatarThumb})
	}, func(app core.App) error {
		return setAvatarThumbs(app, nil)
	})
}

// avatarThumb is the thumbnail size of users.avatar the web app asks for.
const avatarThumb = "64x64"

// setAvatarThumbs sets the thumbnail sizes of users.avatar.
func setAvatarThumbs(app core.App, thumbs []string) error {
	users, err := app.FindCollectionByNameOrId(collections.Users)
	if err != nil {
		return err
	}
	avatar, ok := users.Fields.GetByName(collections.UserAvatar).(*core.FileField)
	if !ok {
		return nil
	}
	avatar.Thumbs = thumbs
	return app.Save(users)
}
