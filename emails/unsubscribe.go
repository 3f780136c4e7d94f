package emails

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/linktoken"
	"studyhall/notifications"
)

// UnsubscribePath is the route of the unsubscribe page and its one-click
// POST, the one non-JSON route of the API.
const UnsubscribePath = "/api/email/unsubscribe"

// UnsubscribeTokenTTL is how long an unsubscribe link works: long enough
// for a mail found in an archive, short enough that leaked links die.
const UnsubscribeTokenTTL = 365 * 24 * time.Hour

// unsubscribeTokenType is the token's "type" claim, so no other JWT signed
// with the same key (there is none today) could ever pass as one.
const unsubscribeTokenType = "unsubscribe"

// UnsubscribeClaims are the claims of an unsubscribe token: the user is
// the subject, Scope is "all" or a category.
type UnsubscribeClaims struct {
	Type  string `json:"type"`
	Scope string `json:"scope"`
	jwt.RegisteredClaims
}

// ErrInvalidUnsubscribeToken covers every token that must not be honoured:
// forged, tampered, expired, or naming an unknown scope.
var ErrInvalidUnsubscribeToken = errors.New("invalid unsubscribe token")

// UnsubscribeSecret is the HMAC key of unsubscribe tokens, derived from
// the installation's auth token secret (see linktoken.Secret), so that
// "invalidate all tokens" in the dashboard revokes every unsubscribe link
// too.
func UnsubscribeSecret(app core.App) ([]byte, error) {
	return linktoken.Secret(app, "studyhall/email-unsubscribe/v1")
}

// ValidUnsubscribeScope reports whether scope is "all" or a category.
func ValidUnsubscribeScope(scope string) bool {
	return scope == collections.UnsubscribeAll || slices.Contains(collections.NotificationCategories, scope)
}

// SignUnsubscribeToken signs a token that unsubscribes userId from scope.
func SignUnsubscribeToken(secret []byte, userId, scope string, now time.Time) (string, error) {
	if userId == "" || !ValidUnsubscribeScope(scope) {
		return "", fmt.Errorf("sign unsubscribe token: bad user %q or scope %q", userId, scope)
	}
	claims := UnsubscribeClaims{
		Type:  unsubscribeTokenType,
		Scope: scope,
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   userId,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(UnsubscribeTokenTTL)),
		},
	}
	return linktoken.Sign(secret, claims)
}

// ParseUnsubscribeToken verifies token at now and returns its claims. Only
// HS256 is accepted (no "none", no algorithm confusion), the expiry is
// required, and the scope must be known.
func ParseUnsubscribeToken(secret []byte, token string, now time.Time) (*UnsubscribeClaims, error) {
	claims := &UnsubscribeClaims{}
	if err := linktoken.Parse(secret, token, claims, now, jwt.WithExpirationRequired()); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidUnsubscribeToken, err)
	}
	if claims.Type != unsubscribeTokenType || claims.Subject == "" || !ValidUnsubscribeScope(claims.Scope) {
		return nil, ErrInvalidUnsubscribeToken
	}
	return claims, nil
}

// UnsubscribeURL is the absolute link of a token; "" when the app has no
// URL to build it on.
func UnsubscribeURL(appURL, token string) string {
	appURL = strings.TrimRight(appURL, "/")
	if appURL == "" {
		return ""
	}
	return appURL + UnsubscribePath + "?token=" + url.QueryEscape(token)
}

// UnsubscribeHeaders are the RFC 8058 one-click headers of a link.
func UnsubscribeHeaders(link string) map[string]string {
	if link == "" {
		return nil
	}
	return map[string]string{
		"List-Unsubscribe":      "<" + link + ">",
		"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
	}
}

// ApplyUnsubscribe turns email off for the claims' user: the email master
// switch for "all", or the category's email channel. The preferences row
// is saved through the record API's model hooks, so the user's open tabs
// see the change as a realtime update. A user without a row gets one.
func ApplyUnsubscribe(app core.App, claims *UnsubscribeClaims) error {
	userId := claims.Subject
	if _, err := app.FindRecordById(collections.Users, userId); err != nil {
		return fmt.Errorf("find user %s: %w", userId, err)
	}
	prefs, err := app.FindFirstRecordByData(collections.NotificationPreferences, collections.PreferenceUser, userId)
	if err != nil {
		c, cErr := app.FindCachedCollectionByNameOrId(collections.NotificationPreferences)
		if cErr != nil {
			return cErr
		}
		prefs = core.NewRecord(c)
		prefs.Set(collections.PreferenceUser, userId)
		prefs.Load(notifications.DefaultPreferenceFields())
	}
	if claims.Scope == collections.UnsubscribeAll {
		prefs.Set(collections.PreferenceEmailEnabled, false)
	} else {
		categories := map[string]map[string]any{}
		if raw := prefs.GetString(collections.PreferenceCategories); raw != "" && raw != "null" {
			if err := json.Unmarshal([]byte(raw), &categories); err != nil {
				categories = map[string]map[string]any{}
			}
		}
		entry := categories[claims.Scope]
		if entry == nil {
			entry = map[string]any{}
		}
		entry[collections.ChannelEmail] = false
		categories[claims.Scope] = entry
		prefs.Set(collections.PreferenceCategories, categories)
	}
	return app.Save(prefs)
}

// PageView is the unsubscribe page.
type PageView struct {
	AppName string
	AppURL  string
	Title   string
	Message string
	// Confirm shows the button that POSTs to Action.
	Confirm bool
	Action  string
}

// RenderPage renders the unsubscribe page.
func RenderPage(view PageView) (string, error) {
	if err := loadTemplates(); err != nil {
		return "", err
	}
	var b bytes.Buffer
	if err := pageTmpl.Execute(&b, view); err != nil {
		return "", fmt.Errorf("render unsubscribe page: %w", err)
	}
	return b.String(), nil
}

// ScopeLabel is how a page or a footer names a scope.
func ScopeLabel(scope string) string {
	if scope == collections.UnsubscribeAll || scope == "" {
		return "all notification emails"
	}
	return scope + " notification emails"
}
