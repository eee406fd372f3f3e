-- OpenID tokens (Client-Server API "OpenID"): a user proves their identity to a third party (the
-- LiveKit JWT service of MatrixRTC, an integration manager), which checks the token with
-- GET /_matrix/federation/v1/openid/userinfo. Only a hash of the token is stored.
CREATE TABLE openid_tokens (
    token_hash VARCHAR PRIMARY KEY, -- SHA-256 of the token handed to the client
    user_id    VARCHAR NOT NULL,    -- whose identity the token proves
    expires_at BIGINT  NOT NULL     -- ms since the epoch; expired tokens are refused and purged
);
CREATE INDEX openid_tokens_expiry ON openid_tokens (expires_at);
