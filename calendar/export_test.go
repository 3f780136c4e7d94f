package calendar

// What the tests of package calendar_test use of the inside: the event
// builders with plain inputs, and the zone arithmetic.

type (
	SessionEvent = sessionEvent
	SlotEvent    = slotEvent
)

var (
	NewCalendar     = newCalendar
	AddSessionEvent = addSessionEvent
	AddSlotEvent    = addSlotEvent
	AddZones        = addZones
	Serialize       = serialize
	FormatOffset    = formatOffset
)

// RuleYears is how many years ahead a VTIMEZONE is checked and listed.
const RuleYears = ruleYears

// ICSLocalFormat is a local DATE-TIME's layout.
const ICSLocalFormat = icsLocalFormat
