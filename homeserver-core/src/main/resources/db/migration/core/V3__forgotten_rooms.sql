-- Rooms a user has forgotten after leaving (POST /rooms/{roomId}/forget). Forgotten rooms are
-- left out of the user's sync and room lists until the user joins again.
CREATE TABLE forgotten_rooms (
    user_id  VARCHAR NOT NULL, -- the user who forgot the room
    room_id  VARCHAR NOT NULL, -- the forgotten room
    PRIMARY KEY (user_id, room_id)
);
