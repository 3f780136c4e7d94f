package calendar

import (
	"net/http"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"studyhall/request"
)

// The per-user limit of POST /api/calendar/token: each new link is a
// write, and nobody needs more than a few a minute. GET writes at most
// once per user (the first key) and is not limited beyond PocketBase's
// per-IP limiter.
const (
	tokenEvery = 6 * time.Second
	tokenBurst = 10
)

// tokenAnswer is the answer of the token routes: the feed's URL, and the
// same with the webcal scheme that calendar apps open as a subscription.
type tokenAnswer struct {
	URL       string `json:"url"`
	WebcalURL string `json:"webcalUrl"`
}

// answerToken is GET /api/calendar/token (the current link, made on first
// use) and, with renew, POST /api/calendar/token (a new link; every older
// one stops working).
func answerToken(e *core.RequestEvent, limiter *request.UserLimiter, renew bool) error {
	if renew {
		if err := request.LimitUser(e, limiter, "Too many new calendar links; try again in a few seconds."); err != nil {
			return err
		}
	}
	var token string
	var err error
	if renew {
		token, err = renewFeedToken(e.App, e.Auth.Id)
	} else {
		token, err = feedToken(e.App, e.Auth.Id)
	}
	if err != nil {
		return e.InternalServerError("", err)
	}
	if renew {
		e.App.Logger().Info("Calendar link renewed.", "user", e.Auth.Id)
	}
	url := FeedURL(appURL(e.App), token)
	e.Response.Header().Set("Cache-Control", "no-store")
	return e.JSON(http.StatusOK, tokenAnswer{URL: url, WebcalURL: WebcalURL(url)})
}
