// Package calendar is studyhall in people's calendar apps: a live
// session as an iCalendar (RFC 5545) event to download, and a personal
// feed, behind a signed and revocable link, of the user's sessions and
// the weekly office hours of their courses.
//
// Study groups have no sessions of their own in the schema (a group has
// a chat room, no scheduled meetings), so the feed has nothing of them.
package calendar

import (
	"crypto/sha256"
	"encoding/hex"
	"mime"
	"net/http"
	"strings"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/request"
)

// Register binds the calendar routes, and gives every new user a
// calendar key.
func Register(app core.App) {
	app.OnRecordCreate(collections.Users).BindFunc(func(e *core.RecordEvent) error {
		if e.Record.GetString(collections.UserCalendarKey) == "" {
			e.Record.Set(collections.UserCalendarKey, newCalendarKey())
		}
		return e.Next()
	})

	tokens := request.NewUserLimiter(tokenEvery, tokenBurst)
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.GET("/api/live-sessions/{id}/ics", sessionICS).
			Bind(apis.RequireAuth(collections.Users), request.RequireJSONBody())

		g := se.Router.Group("/api/calendar")
		g.Bind(request.RequireJSONBody())
		// the feed has no auth header: calendar apps fetch it, and the
		// signed token in its path is the authorisation. Successful
		// fetches stay out of the request log: calendar apps poll all day,
		// and the log would keep every user's link
		g.GET("/{feed}", serveFeed).Bind(apis.SkipSuccessActivityLog())
		g.GET("/token", func(e *core.RequestEvent) error { return answerToken(e, tokens, false) }).
			Bind(apis.RequireAuth(collections.Users))
		g.POST("/token", func(e *core.RequestEvent) error { return answerToken(e, tokens, true) }).
			Bind(apis.RequireAuth(collections.Users))
		return se.Next()
	})
}

// appURL is the web app's public URL (Settings → Application), without a
// trailing slash: the links in events and the feed URL are made on it, as
// email links are.
func appURL(app core.App) string {
	return strings.TrimRight(app.Settings().Meta.AppURL, "/")
}

// respondCalendar answers an iCalendar object as a download named
// filename. The ETag is the body's hash (the body is deterministic), so a
// calendar app polling a feed that has not changed gets a 304.
func respondCalendar(e *core.RequestEvent, body, filename string) error {
	sum := sha256.Sum256([]byte(body))
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	h := e.Response.Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", "private, no-cache")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": filename}))
	if match := e.Request.Header.Get("If-None-Match"); match != "" && etagMatches(match, etag) {
		return e.NoContent(http.StatusNotModified)
	}
	return e.Blob(http.StatusOK, "text/calendar; charset=utf-8", []byte(body))
}

// etagMatches reports whether an If-None-Match header names etag (weak
// comparison, as RFC 9110 has it for If-None-Match).
func etagMatches(header, etag string) bool {
	for _, candidate := range strings.Split(header, ",") {
		candidate = strings.TrimPrefix(strings.TrimSpace(candidate), "W/")
		if candidate == "*" || candidate == etag {
			return true
		}
	}
	return false
}

// filename is a safe download name made of title: ASCII letters, digits
// and dashes, at most 60 of them, else fallback.
func filename(title, fallback string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(title) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
		if b.Len() >= 60 {
			break
		}
	}
	if b.Len() == 0 {
		return fallback + ".ics"
	}
	return b.String() + ".ics"
}
