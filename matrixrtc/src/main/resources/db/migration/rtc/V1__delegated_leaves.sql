-- Delayed leaves handed to the LiveKit service (a token request with delay_id, or
-- delegate_delayed_leave): while LiveKit sees the participant, the server restarts the delayed
-- event itself; when LiveKit reports the participant gone, it sends it at once. One row per
-- LiveKit participant, kept until the leave is sent or the delayed event is gone, so that a
-- restart of the homeserver picks the watch up again.
CREATE TABLE rtc_delegated_leaves (
    livekit_room     VARCHAR NOT NULL, -- the LiveKit room name (SHA-256 of the Matrix room and slot, as lk-jwt-service derives it)
    livekit_identity VARCHAR NOT NULL, -- the participant identity in that room (as lk-jwt-service derives it)
    user_id          VARCHAR NOT NULL, -- the local user who owns the delayed event
    delay_id         VARCHAR NOT NULL, -- the MSC4140 delay ID of the leave
    timeout_ms       BIGINT  NOT NULL, -- the delayed event's delay as the client gave it; restarts come at 80 % of it
    created_ts       BIGINT  NOT NULL, -- when the leave was handed over (ms since the epoch)
    PRIMARY KEY (livekit_room, livekit_identity)
);
