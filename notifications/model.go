package notifications

import (
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/collections"
	"studyhall/records"
)

// InboxItem is a record proxy for the notifications collection: one
// notification delivered to a user's inbox.
type InboxItem struct {
	core.BaseRecordProxy
}

// newInboxItem wraps a notifications record.
func newInboxItem(record *core.Record) *InboxItem {
	return records.Proxy[InboxItem](record)
}

// User is the id of the user the notification belongs to.
func (n *InboxItem) User() string { return n.GetString(collections.NotificationUser) }

// ReadAt is when the user first read it; zero while unread.
func (n *InboxItem) ReadAt() types.DateTime { return n.GetDateTime(collections.NotificationReadAt) }

// ArchivedAt is when the user put it away; zero while in the inbox.
func (n *InboxItem) ArchivedAt() types.DateTime {
	return n.GetDateTime(collections.NotificationArchivedAt)
}

// SeenAt is when the user first saw it listed; zero while unseen.
func (n *InboxItem) SeenAt() types.DateTime { return n.GetDateTime(collections.NotificationSeenAt) }

// MarkSeen sets seenAt to now unless it is set, and reports whether it
// changed.
func (n *InboxItem) MarkSeen(now types.DateTime) bool {
	if !n.SeenAt().IsZero() {
		return false
	}
	n.Set(collections.NotificationSeenAt, now)
	return true
}

// MarkRead sets readAt to now unless it is set (the first read stays),
// sees it too, and reports whether anything changed.
func (n *InboxItem) MarkRead(now types.DateTime) bool {
	seen := n.MarkSeen(now)
	if !n.ReadAt().IsZero() {
		return seen
	}
	n.Set(collections.NotificationReadAt, now)
	return true
}

// Archive sets archivedAt to now unless it is set, and reads the
// notification too, so that the unread count never counts what the user
// put away. It reports whether anything changed.
func (n *InboxItem) Archive(now types.DateTime) bool {
	changed := n.MarkRead(now)
	if n.ArchivedAt().IsZero() {
		n.Set(collections.NotificationArchivedAt, now)
		changed = true
	}
	return changed
}

// ---------------------------------------------------------------------

// HeldItem is a record proxy for the notification_holds collection: an
// in-app notification held back by the user's quiet hours.
type HeldItem struct {
	core.BaseRecordProxy
}

// Priority is the notification's priority, which decides whether quiet
// hours hold it.
func (h *HeldItem) Priority() string { return h.GetString(collections.NotificationPriority) }

// ReleaseAt is when the quiet-hours window that holds it ends.
func (h *HeldItem) ReleaseAt() types.DateTime { return h.GetDateTime(collections.HoldReleaseAt) }

// Expired reports whether the notification expired by now; one that
// expires while held is dropped, never delivered.
func (h *HeldItem) Expired(now time.Time) bool {
	expiresAt := h.GetDateTime(collections.NotificationExpiresAt)
	return !expiresAt.IsZero() && !expiresAt.Time().After(now)
}

// FindHeldItems lists a user's held notifications, oldest first.
func FindHeldItems(app core.App, userId string) ([]*HeldItem, error) {
	var items []*HeldItem
	err := app.RecordQuery(collections.NotificationHolds).
		AndWhere(dbx.HashExp{collections.NotificationUser: userId}).
		OrderBy(collections.FieldCreated + " ASC").
		All(&items)
	return items, err
}
