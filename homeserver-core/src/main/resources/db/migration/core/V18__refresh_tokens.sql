-- Core schema, part 18: refresh tokens (Client-Server API "Refreshing access tokens").
--
-- A login that asks for a refresh token gets an access token that expires and a refresh token
-- that trades for a new pair. The old refresh token (and the access token issued with it) stay
-- valid until the new pair is first used, so a client that lost the answer can retry.
ALTER TABLE access_tokens ADD COLUMN expires_ts BIGINT;          -- milliseconds since the epoch after which the token is refused; NULL: never
ALTER TABLE access_tokens ADD COLUMN refresh_token_hash VARCHAR; -- the refresh token issued with this access token, NULL for none

CREATE TABLE refresh_tokens (
    token_hash     VARCHAR NOT NULL PRIMARY KEY, -- SHA-256 of the refresh token, base64url
    user_id        VARCHAR NOT NULL,             -- its user
    device_id      VARCHAR NOT NULL,             -- its device; deleting the device deletes it
    created_ts     BIGINT  NOT NULL,             -- milliseconds since the epoch
    expires_ts     BIGINT,                       -- when it can no longer be used; NULL: never
    previous_hash  VARCHAR                       -- the refresh token it replaced, deleted (with its access token) when this pair is first used
);
CREATE INDEX refresh_tokens_user_device ON refresh_tokens (user_id, device_id);
CREATE INDEX refresh_tokens_previous ON refresh_tokens (previous_hash);
CREATE INDEX access_tokens_refresh ON access_tokens (refresh_token_hash);
