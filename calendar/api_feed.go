package calendar

import (
	"errors"
	"net/http"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"studyhall/collections"
	"studyhall/request"
)

// feedRefresh is how often the feed asks calendar apps to fetch it again
// (REFRESH-INTERVAL, RFC 7986, and Outlook's X-PUBLISHED-TTL).
const feedRefresh = "PT1H"

// codeInvalidLink is data.code of a feed link that does not work.
const codeInvalidLink = "invalid_calendar_link"

// invalidFeedLink is the answer to a feed link that does not work,
// whatever the reason (forged, tampered, revoked, a deleted user): a 400,
// as the unsubscribe link answers a bad token, in PocketBase's JSON shape.
func invalidFeedLink() *router.ApiError {
	return request.CodedError(http.StatusBadRequest, codeInvalidLink,
		"This calendar link does not work: it is incomplete, was changed, or a newer link replaced it. Copy the current link from your profile.")
}

// serveFeed is GET /api/calendar/{token}.ics: the user's feed. No auth
// header: the signed token in the path is the authorisation.
func serveFeed(e *core.RequestEvent) error {
	token, ok := strings.CutSuffix(e.Request.PathValue("feed"), FeedPathSuffix)
	if !ok || token == "" {
		return invalidFeedLink()
	}
	user, err := feedUser(e.App, token, time.Now())
	if err != nil {
		if !errors.Is(err, errInvalidFeedToken) {
			e.App.Logger().Error("Calendar feed token check failed.", "error", err)
		}
		return invalidFeedLink()
	}
	// the token is in the URL: not to be cached by others, nor sent on
	h := e.Response.Header()
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Robots-Tag", "noindex")

	body, err := buildFeed(e.App, user, time.Now())
	if err != nil {
		return e.InternalServerError("", err)
	}
	return respondCalendar(e, body, "studyhall.ics")
}

// buildFeed is the feed of user at t: see feedSessions and feedSlots.
func buildFeed(app core.App, user *core.Record, t time.Time) (string, error) {
	sessions, err := feedSessions(app, user, t.Add(-feedHistory))
	if err != nil {
		return "", err
	}
	slots, err := feedSlots(app, user)
	if err != nil {
		return "", err
	}
	if err := expandNames(app, sessions, collections.LiveSessionCourse, collections.LiveSessionInstructor); err != nil {
		return "", err
	}
	if err := expandNames(app, slots, collections.OfficeHoursCourse, collections.OfficeHoursInstructor); err != nil {
		return "", err
	}
	joined, err := joinedSessions(app, user.Id, sessions)
	if err != nil {
		return "", err
	}

	name := app.Settings().Meta.AppName
	cal := newCalendar(name)
	cal.SetDescription("Live sessions and office hours of " + user.GetString(collections.UserName) + " in " + name + ".")
	cal.SetRefreshInterval(feedRefresh, ics.WithValue(string(ics.ValueDataTypeDuration)))
	cal.SetXPublishedTTL(feedRefresh)

	base := appURL(app)
	for _, s := range sessions {
		showMeeting := joined[s.Id] || s.GetString(collections.LiveSessionInstructor) == user.Id
		addSessionEvent(cal, asSessionEvent(s, showMeeting), base)
	}
	zones := map[string]*time.Location{}
	for _, slot := range slots {
		event := asSlotEvent(slot)
		if err := addSlotEvent(cal, event, base); err != nil {
			app.Logger().Warn("Office-hours slot left out of a calendar feed.", "slot", slot.Id, "error", err)
			continue
		}
		zones[event.Zone.String()] = event.Zone
	}
	addZones(cal, zones, t.Year())
	return serialize(cal), nil
}
