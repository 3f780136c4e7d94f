package collections

// ChatRooms holds every chat room; the server creates them (session, study
// group and office-hours rooms, direct rooms) and keeps their participants.
const ChatRooms = "chat_rooms"

// Fields of chat_rooms.
const (
	ChatRoomName          = "name"
	ChatRoomType          = "type"
	ChatRoomParticipants  = "participants"
	ChatRoomCourse        = "course"
	ChatRoomCreatedBy     = "createdBy"
	ChatRoomLastMessageAt = "lastMessageAt"
)

// Chat room types.
const (
	ChatRoomTypeDirect      = "direct"
	ChatRoomTypeGroup       = "group"
	ChatRoomTypeCourse      = "course"
	ChatRoomTypeSession     = "session"
	ChatRoomTypeStudyGroup  = "study_group"
	ChatRoomTypeOfficeHours = "office_hours"
)

// ChatRoomTypes lists every chat room type.
var ChatRoomTypes = []string{ChatRoomTypeDirect, ChatRoomTypeGroup, ChatRoomTypeCourse, ChatRoomTypeSession, ChatRoomTypeStudyGroup, ChatRoomTypeOfficeHours}

// MaxChatParticipants bounds the participants of one room; a relation field
// needs a maximum to hold many ids.
const MaxChatParticipants = 100000
