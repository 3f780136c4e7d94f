package studygroups

import (
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/search"

	"studyhall/collections"
	"studyhall/plaintext"
	"studyhall/records"
	"studyhall/request"
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

// userSearch is GET /api/users/search, the people picker of invitations:
// names and avatars only, never emails. It holds the per-user rate
// limiter of one app.
type userSearch struct {
	limiter *request.UserLimiter
}

// newUserSearch is a user search with its own rate limiter.
func newUserSearch() *userSearch {
	return &userSearch{limiter: request.NewUserLimiter(userSearchEvery, userSearchBurst)}
}

// userSearchResult is all a search shows of a user.
type userSearchResult struct {
	Id     string `db:"id" json:"id"`
	Name   string `db:"name" json:"name"`
	Avatar string `db:"avatar" json:"avatar"`
}

// handle answers {"items": [{"id","name","avatar"}]}: users whose name
// contains q (case-insensitive), the caller left out, and with
// excludeGroup the members and pending invitees of that group left out
// (see groupExclusions).
// Emails are neither matched nor returned.
func (s *userSearch) handle(e *core.RequestEvent) error {
	if err := request.LimitUser(e, s.limiter, "Too many searches: wait a moment and try again."); err != nil {
		return err
	}

	query := e.Request.URL.Query()
	q := strings.TrimSpace(plaintext.Clean(query.Get("q")))
	if utf8.RuneCountInString(q) < userSearchMinQuery {
		return request.CodedError(http.StatusBadRequest, codeQueryTooShort, "Type at least 2 characters to search.")
	}
	limit := userSearchDefaultLimit
	if raw := query.Get("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 {
			return request.CodedError(http.StatusBadRequest, codeInvalidLimit, "The limit must be a whole number from 1 to 50.")
		}
		limit = min(n, userSearchMaxLimit)
	}

	matches := e.App.DB().Select("u.id", "u.name", "u.avatar").From(collections.Users+" u").
		Where(dbx.Like("u.name", q)).
		AndWhere(dbx.Not(dbx.HashExp{"u.id": e.Auth.Id})).
		OrderBy("u.name ASC", "u.id ASC").
		Limit(int64(limit))

	if groupId := query.Get("excludeGroup"); groupId != "" {
		excluded, err := groupExclusions(e, groupId)
		if err != nil {
			return err
		}
		if len(excluded) > 0 {
			matches.AndWhere(dbx.NotIn("u.id", excluded...))
		}
	}

	items := []userSearchResult{}
	if err := matches.All(&items); err != nil {
		return e.InternalServerError("", err)
	}
	return e.JSON(http.StatusOK, map[string]any{"items": items})
}

// groupExclusions is who excludeGroup leaves out: the group's members and
// its pending invitees, each as the caller may list them under their
// collection's own list rule. A group the caller may not view, or whose
// members they may not list (a private group they are only invited to),
// answers exactly as a group that does not exist, so that the results
// never tell who is in it.
func groupExclusions(e *core.RequestEvent, groupId string) ([]any, error) {
	if _, err := findVisibleGroup(e, e.App, groupId); err != nil {
		return nil, err
	}
	members, err := listableColumn(e, collections.StudyGroupMembers, collections.GroupMemberUser,
		dbx.HashExp{collections.StudyGroupMembers + "." + collections.GroupMemberGroup: groupId})
	if err != nil {
		return nil, e.InternalServerError("", err)
	}
	if len(members) == 0 {
		// every group has a member; none listable means not allowed
		return nil, e.NotFoundError("", nil)
	}
	invitees, err := listableColumn(e, collections.StudyGroupInvitations, collections.InvitationInvitee, dbx.HashExp{
		collections.StudyGroupInvitations + "." + collections.InvitationGroup:  groupId,
		collections.StudyGroupInvitations + "." + collections.InvitationStatus: collections.InvitationPending,
	})
	if err != nil {
		return nil, e.InternalServerError("", err)
	}
	return append(members, invitees...), nil
}

// listableColumn is column of the records of collection matching where
// that the caller may list: the collection's list rule applied as the
// records API applies it.
func listableColumn(e *core.RequestEvent, collection, column string, where dbx.Expression) ([]any, error) {
	c, err := e.App.FindCachedCollectionByNameOrId(collection)
	if err != nil {
		return nil, err
	}
	info, err := e.RequestInfo()
	if err != nil {
		return nil, err
	}
	query := e.App.RecordQuery(c).Select("[[" + c.Name + "." + column + "]]").Distinct(true).AndWhere(where)
	if !info.HasSuperuserAuth() {
		if c.ListRule == nil {
			return nil, nil
		}
		if *c.ListRule != "" {
			resolver := core.NewRecordFieldResolver(e.App, c, info, true)
			expr, err := search.FilterData(*c.ListRule).BuildExpr(resolver)
			if err != nil {
				return nil, err
			}
			query.AndWhere(expr)
			if err := resolver.UpdateQuery(query); err != nil {
				return nil, err
			}
		}
	}
	var values []string
	if err := query.Column(&values); err != nil {
		return nil, err
	}
	return records.Any(values), nil
}
