package hooks

import (
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/plaintext"
)

// User search limits.
const (
	userSearchMinQuery     = 2
	userSearchDefaultLimit = 10
	userSearchMaxLimit     = 50
	// a burst of userSearchBurst searches, then one every
	// userSearchEvery: enough for search-as-you-type, too few to page
	// through every account
	userSearchBurst = 20
	userSearchEvery = 200 * time.Millisecond
)

// bindUserSearch binds GET /api/users/search, the people picker of
// invitations: names and avatars only, never emails.
func bindUserSearch(app core.App) {
	search := &userSearch{limiter: newUserLimiter(userSearchEvery, userSearchBurst)}
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.GET("/api/users/search", search.handle).Bind(apis.RequireAuth(collections.Users), requireJSONBody())
		return se.Next()
	})
}

// userSearch holds the per-user rate limiter of one app.
type userSearch struct {
	limiter *userLimiter
}

// userSearchResult is all a search shows of a user.
type userSearchResult struct {
	Id     string `db:"id" json:"id"`
	Name   string `db:"name" json:"name"`
	Avatar string `db:"avatar" json:"avatar"`
}

// handle answers {"items": [{"id","name","avatar"}]}: users whose name
// contains q (case-insensitive), the caller left out, and with
// excludeGroup the members and pending invitees of that group left out.
// Emails are neither matched nor returned.
func (s *userSearch) handle(e *core.RequestEvent) error {
	if err := limitUser(e, s.limiter, "Too many searches: wait a moment and try again."); err != nil {
		return err
	}

	query := e.Request.URL.Query()
	q := strings.TrimSpace(plaintext.Clean(query.Get("q")))
	if utf8.RuneCountInString(q) < userSearchMinQuery {
		return codedError(http.StatusBadRequest, "query_too_short", "Type at least 2 characters to search.")
	}
	limit := userSearchDefaultLimit
	if raw := query.Get("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 {
			return codedError(http.StatusBadRequest, "invalid_limit", "The limit must be a whole number from 1 to 50.")
		}
		limit = min(n, userSearchMaxLimit)
	}

	search := e.App.DB().Select("u.id", "u.name", "u.avatar").From(collections.Users+" u").
		Where(dbx.Like("u.name", q)).
		AndWhere(dbx.Not(dbx.HashExp{"u.id": e.Auth.Id})).
		OrderBy("u.name ASC", "u.id ASC").
		Limit(int64(limit))

	if groupId := query.Get("excludeGroup"); groupId != "" {
		// only a group the caller may view, so that the results never
		// tell who is in a private group
		group, err := findVisibleGroup(e, e.App, groupId)
		if err != nil {
			return err
		}
		search.AndWhere(dbx.NewExp(`NOT EXISTS (SELECT 1 FROM {{study_group_members}} m
				WHERE m.[[group]] = {:group} AND m.[[user]] = u.[[id]])
			AND NOT EXISTS (SELECT 1 FROM {{study_group_invitations}} i
				WHERE i.[[group]] = {:group} AND i.[[invitee]] = u.[[id]] AND i.[[status]] = {:pending})`,
			dbx.Params{"group": group.Id, "pending": collections.InvitationPending}))
	}

	items := []userSearchResult{}
	if err := search.All(&items); err != nil {
		return e.InternalServerError("", err)
	}
	return e.JSON(http.StatusOK, map[string]any{"items": items})
}
