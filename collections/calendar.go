package collections

// UserCalendarKey is the version of a user's calendar feed link (Hidden:
// nobody reads it through the API). The feed token names it, and making a
// new link replaces it, which revokes every older link.
const UserCalendarKey = "calendarKey"
