package calendar

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/security"

	"studyhall/collections"
	"studyhall/linktoken"
)

// The feed token: a JWT signed like the unsubscribe token (package
// linktoken: HS256, a key derived from the installation's auth token
// secret), naming the user and the user's current calendar key.
//
//   - Revocable: making a new link gives the user a new calendarKey, and a
//     token whose key is not the user's current one is refused. So is
//     every token of the installation when a superuser invalidates all
//     tokens in the dashboard (which rotates the secret the key derives
//     from).
//   - No expiry: a calendar app subscribes once and polls for years; a
//     feed that died by itself would silently stop updating. Revoking is
//     how a link ends.
//   - Deterministic: the token carries no issue time, so the same user and
//     key give the same URL, and the profile page shows the same link on
//     every visit.

// feedSecretLabel names the feed tokens' derived key (linktoken.Secret).
const feedSecretLabel = "studyhall/calendar-feed/v1"

// feedTokenType is the token's "type" claim, so no other token signed by
// the installation passes as a feed token.
const feedTokenType = "calendar"

// calendarKeyLength is the length of a calendar key: random, so that a
// revoked key never comes back.
const calendarKeyLength = 32

// FeedPathPrefix and FeedPathSuffix frame a token in the feed's path.
const (
	FeedPathPrefix = "/api/calendar/"
	FeedPathSuffix = ".ics"
)

// feedClaims are the claims of a feed token: the user is the subject.
type feedClaims struct {
	Type string `json:"type"`
	Key  string `json:"key"`
	jwt.RegisteredClaims
}

// errInvalidFeedToken covers every token that must not open a feed:
// forged, tampered, of another kind, revoked, or of a deleted user.
var errInvalidFeedToken = errors.New("invalid calendar feed token")

// signFeedToken signs the feed token of userId with calendar key key.
func signFeedToken(secret []byte, userId, key string) (string, error) {
	if userId == "" || key == "" {
		return "", fmt.Errorf("sign calendar token: empty user %q or key", userId)
	}
	return linktoken.Sign(secret, feedClaims{
		Type:             feedTokenType,
		Key:              key,
		RegisteredClaims: jwt.RegisteredClaims{Subject: userId},
	})
}

// parseFeedToken verifies a token's signature and shape at now.
func parseFeedToken(secret []byte, token string, now time.Time) (*feedClaims, error) {
	claims := &feedClaims{}
	if err := linktoken.Parse(secret, token, claims, now); err != nil {
		return nil, fmt.Errorf("%w: %w", errInvalidFeedToken, err)
	}
	if claims.Type != feedTokenType || claims.Subject == "" || claims.Key == "" {
		return nil, errInvalidFeedToken
	}
	return claims, nil
}

// feedUser is the user whose feed token is token, when it is valid and
// current (its key is the user's calendar key).
func feedUser(app core.App, token string, now time.Time) (*core.Record, error) {
	secret, err := linktoken.Secret(app, feedSecretLabel)
	if err != nil {
		return nil, err
	}
	claims, err := parseFeedToken(secret, token, now)
	if err != nil {
		return nil, err
	}
	user, err := app.FindRecordById(collections.Users, claims.Subject)
	if err != nil {
		return nil, errInvalidFeedToken
	}
	current := user.GetString(collections.UserCalendarKey)
	if current == "" || subtle.ConstantTimeCompare([]byte(current), []byte(claims.Key)) != 1 {
		return nil, errInvalidFeedToken
	}
	return user, nil
}

// feedToken is the current feed token of userId, giving the user a
// calendar key first if they have none (users inserted outside the
// records API). Two first uses at once agree on one key: only an empty
// key is replaced, and the key is read back after.
func feedToken(app core.App, userId string) (string, error) {
	if _, err := app.DB().Update(collections.Users,
		dbx.Params{collections.UserCalendarKey: newCalendarKey()},
		dbx.HashExp{collections.FieldId: userId, collections.UserCalendarKey: ""},
	).Execute(); err != nil {
		return "", fmt.Errorf("give user %s a calendar key: %w", userId, err)
	}
	return currentFeedToken(app, userId)
}

// renewFeedToken gives userId a new calendar key, revoking every older
// link, and returns the new token.
func renewFeedToken(app core.App, userId string) (string, error) {
	if _, err := app.DB().Update(collections.Users,
		dbx.Params{collections.UserCalendarKey: newCalendarKey()},
		dbx.HashExp{collections.FieldId: userId},
	).Execute(); err != nil {
		return "", fmt.Errorf("renew the calendar key of user %s: %w", userId, err)
	}
	return currentFeedToken(app, userId)
}

// currentFeedToken signs the token of the key userId has now.
func currentFeedToken(app core.App, userId string) (string, error) {
	var key string
	if err := app.DB().Select(collections.UserCalendarKey).From(collections.Users).
		Where(dbx.HashExp{collections.FieldId: userId}).Row(&key); err != nil {
		return "", fmt.Errorf("read the calendar key of user %s: %w", userId, err)
	}
	secret, err := linktoken.Secret(app, feedSecretLabel)
	if err != nil {
		return "", err
	}
	return signFeedToken(secret, userId, key)
}

// newCalendarKey is a fresh random calendar key.
func newCalendarKey() string {
	return security.RandomString(calendarKeyLength)
}

// FeedURL is the absolute https (or http) URL of a feed token on the
// app's public URL.
func FeedURL(appURL, token string) string {
	return strings.TrimRight(appURL, "/") + FeedPathPrefix + token + FeedPathSuffix
}

// WebcalURL is url with the webcal scheme, which calendar apps open as a
// subscription.
func WebcalURL(url string) string {
	for _, scheme := range []string{"https://", "http://"} {
		if rest, ok := strings.CutPrefix(url, scheme); ok {
			return "webcal://" + rest
		}
	}
	return url
}
