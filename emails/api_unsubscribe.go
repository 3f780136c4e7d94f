package emails

import (
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// The unsubscribe page of UnsubscribePath: a GET shows what the link will
// do, a POST (the page's button or a mail client's RFC 8058 one-click)
// applies it. Tokens and their effect on preferences are in unsubscribe.go.

// unsubscribePage shows what a link will do and a button that confirms it
// with a POST: mail scanners follow GET links, so a GET never applies it.
func unsubscribePage(e *core.RequestEvent) error {
	claims, ok := parseUnsubscribeRequest(e)
	if !ok {
		return invalidUnsubscribePage(e)
	}
	return renderUnsubscribePage(e, http.StatusOK, PageView{
		Title:   "Unsubscribe from " + ScopeLabel(claims.Scope) + "?",
		Message: unsubscribeEffect(claims.Scope),
		Confirm: true,
		Action:  UnsubscribePath + "?token=" + url.QueryEscape(e.Request.URL.Query().Get("token")),
	})
}

// unsubscribeApply applies a link: from the page's button, or as an
// RFC 8058 one-click POST (body List-Unsubscribe=One-Click) from a mail
// client. No auth: the signed token is the authorisation.
func unsubscribeApply(e *core.RequestEvent) error {
	claims, ok := parseUnsubscribeRequest(e)
	if !ok {
		return invalidUnsubscribePage(e)
	}
	if err := ApplyUnsubscribe(e.App, claims); err != nil {
		e.App.Logger().Warn("emails: unsubscribe not applied", "user", claims.Subject, "scope", claims.Scope, "error", err)
		return invalidUnsubscribePage(e)
	}
	e.App.Logger().Info("emails: unsubscribed", "user", claims.Subject, "scope", claims.Scope)
	return renderUnsubscribePage(e, http.StatusOK, PageView{
		Title:   "You are unsubscribed",
		Message: "You will no longer receive " + ScopeLabel(claims.Scope) + ". Emails about your account, payments and security still reach you. You can turn notifications back on in your notification settings at any time.",
	})
}

// parseUnsubscribeRequest verifies the token of the query string (or, for
// a POST, of the form body, which requireFormBody has parsed).
func parseUnsubscribeRequest(e *core.RequestEvent) (*UnsubscribeClaims, bool) {
	token := e.Request.URL.Query().Get("token")
	if token == "" && e.Request.Method == http.MethodPost {
		token = e.Request.PostForm.Get("token")
	}
	if token == "" {
		return nil, false
	}
	secret, err := UnsubscribeSecret(e.App)
	if err != nil {
		e.App.Logger().Error("emails: unsubscribe secret unavailable", "error", err)
		return nil, false
	}
	claims, err := ParseUnsubscribeToken(secret, token, time.Now())
	if err != nil {
		if !errors.Is(err, ErrInvalidUnsubscribeToken) {
			e.App.Logger().Warn("emails: unsubscribe token check failed", "error", err)
		}
		return nil, false
	}
	return claims, true
}

func unsubscribeEffect(scope string) string {
	return "You will stop receiving " + ScopeLabel(scope) +
		". Emails about your account, payments and security are always sent."
}

func invalidUnsubscribePage(e *core.RequestEvent) error {
	return renderUnsubscribePage(e, http.StatusBadRequest, PageView{
		Title:   "This unsubscribe link does not work",
		Message: "The link is incomplete, has expired or was changed. Open the link from a recent email again, or change your notification settings in the app.",
	})
}

// renderUnsubscribePage answers the one non-JSON route of the API. The
// token is in the URL, so the page is neither cached nor sent on as a
// referrer.
func renderUnsubscribePage(e *core.RequestEvent, status int, view PageView) error {
	meta := e.App.Settings().Meta
	view.AppName = meta.AppName
	view.AppURL = AbsoluteURL(meta.AppURL, "/")
	body, err := RenderPage(view)
	if err != nil {
		return err
	}
	h := e.Response.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Robots-Tag", "noindex")
	return e.HTML(status, body)
}
