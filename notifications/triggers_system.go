package notifications

import (
	"strconv"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
)

// The notices of the system: payment_receipt, refund_confirmation,
// password_changed and account_deleted.

func notifyPayment(app core.App, payment, before *core.Record) error {
	status := payment.GetString(collections.PaymentStatus)
	if before != nil && before.GetString(collections.PaymentStatus) == status {
		return nil
	}
	userId := payment.GetString(collections.PaymentUser)
	if userId == "" {
		return nil
	}
	amount := strconv.FormatFloat(payment.GetFloat(collections.PaymentAmount), 'f', 2, 64) + " " +
		payment.GetString(collections.PaymentCurrency)
	receipt := payment.GetString(collections.PaymentReceiptNumber)
	data := map[string]any{
		"paymentId":     payment.Id,
		"courseId":      payment.GetString(collections.PaymentCourse),
		"amount":        payment.GetFloat(collections.PaymentAmount),
		"currency":      payment.GetString(collections.PaymentCurrency),
		"receiptNumber": receipt,
	}
	switch status {
	case collections.PaymentSucceeded:
		return send(app, Notification{
			Type:              collections.TypePaymentReceipt,
			Recipients:        []string{userId},
			Title:             "Payment received: " + amount,
			Message:           "Thank you for your payment. Receipt " + receipt + ".",
			Data:              data,
			ActionURL:         "/payments/" + payment.Id,
			ActionText:        "View the receipt",
			DedupeKey:         Key(collections.TypePaymentReceipt, payment.Id),
			RelatedCollection: collections.Payments,
			RelatedId:         payment.Id,
		})
	case collections.PaymentRefunded:
		return send(app, Notification{
			Type:              collections.TypeRefundConfirmation,
			Recipients:        []string{userId},
			Title:             "Refund issued: " + amount,
			Message:           "Your payment " + receipt + " was refunded.",
			Data:              data,
			ActionURL:         "/payments/" + payment.Id,
			DedupeKey:         Key(collections.TypeRefundConfirmation, payment.Id),
			RelatedCollection: collections.Payments,
			RelatedId:         payment.Id,
		})
	}
	return nil
}

// passwordHashField is the users' stored password hash: a change of it is
// a password change, whichever way it was made.
const passwordHashField = "password:hash"

// notifyPasswordChanged tells the user, urgently, when this save changed
// their password (beforeHash is the stored hash before it).
func notifyPasswordChanged(app core.App, user *core.Record, beforeHash string) error {
	if user.GetString(passwordHashField) == beforeHash {
		return nil
	}
	return send(app, Notification{
		Type:       collections.TypePasswordChanged,
		Recipients: []string{user.Id},
		Title:      "Your password was changed",
		Message:    "If this was not you, reset your password now and contact support.",
		Data:       map[string]any{"changedAt": time.Now().UTC().Format(time.RFC3339)},
		ActionURL:  "/profile",
		ActionText: "Review your account",
	})
}

// notifyAccountDeleted records account_deleted, which is email only
// (notification_emails keeps the address), before the user row goes, and
// drops the rest of the user's notifications. It has no actionUrl: there
// is no account left to open.
func notifyAccountDeleted(app core.App, user *core.Record) error {
	err := send(app, Notification{
		Type:       collections.TypeAccountDeleted,
		Recipients: []string{user.Id},
		Title:      "Your studyhall account was deleted",
		Message:    "Your account and its data have been deleted. If this was not you, contact support.",
		DedupeKey:  Key(collections.TypeAccountDeleted, user.Id),
	})
	if err != nil {
		return err
	}
	return dropNotificationsOf(app, user.Id)
}

// dropNotificationsOf removes a leaving user's preferences, inbox, held and
// pending email-only notifications in bulk (no per-row hooks or realtime
// events: their only reader is gone), and detaches the account_deleted
// row, which keeps the address for the email worker.
func dropNotificationsOf(app core.App, userId string) error {
	owned := dbx.HashExp{collections.NotificationUser: userId}
	for _, table := range []string{collections.NotificationPreferences, collections.Notifications, collections.NotificationHolds} {
		if _, err := app.DB().Delete(table, owned).Execute(); err != nil {
			return err
		}
	}
	_, err := app.DB().Delete(collections.NotificationEmails, dbx.And(owned,
		dbx.Not(dbx.HashExp{collections.NotificationType: collections.TypeAccountDeleted}))).Execute()
	if err != nil {
		return err
	}
	_, err = app.DB().Update(collections.NotificationEmails, dbx.Params{collections.NotificationUser: ""}, owned).Execute()
	return err
}
