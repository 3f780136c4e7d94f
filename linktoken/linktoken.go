// Package linktoken signs and verifies the tokens of links that act
// without a signed-in session: an email's unsubscribe link, a personal
// calendar feed. Each kind derives its own key from one installation
// secret and names itself in a "type" claim, so a token of one kind never
// passes as another.
package linktoken

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
)

// Secret is the HMAC key of one kind of link token, named by label (such
// as "studyhall/email-unsubscribe/v1"). It is derived (HMAC-SHA256 of the
// label) from the users collection's auth token secret, which PocketBase
// generates per installation and keeps in the database: nothing new to
// store or back up, tokens of one installation never work on another,
// and "invalidate all tokens" in the dashboard (which rotates that secret)
// revokes every link too. The label keeps each derived key distinct from
// the auth token key and from the other kinds.
func Secret(app core.App, label string) ([]byte, error) {
	users, err := app.FindCachedCollectionByNameOrId(collections.Users)
	if err != nil {
		return nil, fmt.Errorf("find users collection: %w", err)
	}
	if users.AuthToken.Secret == "" {
		return nil, errors.New("users collection has no auth token secret")
	}
	mac := hmac.New(sha256.New, []byte(users.AuthToken.Secret))
	mac.Write([]byte(label))
	return mac.Sum(nil), nil
}

// Sign signs claims with HS256.
func Sign(secret []byte, claims jwt.Claims) (string, error) {
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(secret)
}

// Parse verifies token at now and decodes it into claims. Only HS256 is
// accepted (no "none", no algorithm confusion); an expiry, when the token
// has one, must lie after now. options add requirements, such as
// jwt.WithExpirationRequired().
func Parse(secret []byte, token string, claims jwt.Claims, now time.Time, options ...jwt.ParserOption) error {
	options = append([]jwt.ParserOption{
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithTimeFunc(func() time.Time { return now }),
	}, options...)
	_, err := jwt.ParseWithClaims(token, claims, func(*jwt.Token) (any, error) { return secret, nil }, options...)
	return err
}
