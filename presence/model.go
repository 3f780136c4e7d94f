package presence

import (
	"fmt"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/collections"
	"studyhall/records"
)

// Presence is a presence record with typed fields: one row per user, the
// status others see.
type Presence struct {
	core.BaseRecordProxy
}

// newPresence is a blank presence row, ready to fill.
func newPresence(app core.App) (*Presence, error) {
	return records.NewProxy[Presence](app, collections.Presence)
}

// presenceOf is record seen as a Presence.
func presenceOf(record *core.Record) *Presence { return records.Proxy[Presence](record) }

// User is the id of the user the row is about.
func (p *Presence) User() string { return p.GetString(collections.PresenceUser) }

// SetUser sets the user the row is about.
func (p *Presence) SetUser(userId string) { p.Set(collections.PresenceUser, userId) }

// Status is what others see: one of Statuses.
func (p *Presence) Status() string { return p.GetString(collections.PresenceStatus) }

// SetStatus sets what others see.
func (p *Presence) SetStatus(status string) { p.Set(collections.PresenceStatus, status) }

// ManualStatus is the status the user chose, ManualNone for automatic;
// only they read it.
func (p *Presence) ManualStatus() string { return p.GetString(collections.PresenceManualStatus) }

// SetManualStatus sets the status the user chose.
func (p *Presence) SetManualStatus(manual string) { p.Set(collections.PresenceManualStatus, manual) }

// Activity is what the user says they are doing.
func (p *Presence) Activity() string { return p.GetString(collections.PresenceActivity) }

// SetActivity sets what the user says they are doing.
func (p *Presence) SetActivity(activity string) { p.Set(collections.PresenceActivity, activity) }

// SetLastSeen sets the user's last connect, disconnect or heartbeat.
func (p *Presence) SetLastSeen(at types.DateTime) { p.Set(collections.PresenceLastSeen, at) }

// Created is when the row was first written.
func (p *Presence) Created() types.DateTime { return p.GetDateTime(collections.FieldCreated) }

// show sets what the row shows: to its own user (and superusers)
// everything, to others no manual status, and the activity only while
// the user does not show as offline.
func (p *Presence) show(own bool) {
	if own {
		p.Unhide(collections.PresenceManualStatus, collections.PresenceActivity)
		return
	}
	p.Hide(collections.PresenceManualStatus)
	if p.Status() == Offline {
		p.Hide(collections.PresenceActivity)
	} else {
		p.Unhide(collections.PresenceActivity)
	}
}

// public is a copy of the row as any user may see it.
func (p *Presence) public() *core.Record {
	public := presenceOf(p.Clone())
	public.show(false)
	return public.Record
}

// FindPresenceByUser is userId's presence row; its error wraps
// sql.ErrNoRows when they have none yet.
func FindPresenceByUser(app core.App, userId string) (*Presence, error) {
	p := &Presence{}
	err := app.RecordQuery(collections.Presence).
		AndWhere(dbx.HashExp{collections.PresenceUser: userId}).
		Limit(1).
		One(p)
	if err != nil {
		return nil, fmt.Errorf("find the presence of %s: %w", userId, err)
	}
	return p, nil
}

// StatusesOf is the status others see of each of userIds: offline
// for anyone without a presence row.
func StatusesOf(app core.App, userIds []string) map[string]string {
	statuses := make(map[string]string, len(userIds))
	if len(userIds) == 0 {
		return statuses
	}
	for _, id := range userIds {
		statuses[id] = Offline
	}
	var rows []struct {
		User   string `db:"user"`
		Status string `db:"status"`
	}
	err := app.DB().Select("user", "status").From(collections.Presence).
		Where(dbx.In("user", records.Any(userIds)...)).All(&rows)
	if err != nil {
		app.Logger().Warn("presence: read statuses", "error", err)
	}
	for _, row := range rows {
		statuses[row.User] = row.Status
	}
	return statuses
}
