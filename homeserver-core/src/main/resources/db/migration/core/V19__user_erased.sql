-- Accounts deactivated with erase=true (their profile is gone and must stay gone), as the admin API reports them.
ALTER TABLE users ADD COLUMN erased BOOLEAN NOT NULL DEFAULT FALSE;
