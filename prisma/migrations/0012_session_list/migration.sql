-- Sessions a person can see and end (settings → Sessions): an id to name one by (the token hash
-- never leaves the server), the browser it was started from, and when it was last used (updated
-- at most every five minutes).
ALTER TABLE sessions ADD COLUMN id UUID NOT NULL DEFAULT gen_random_uuid();
CREATE UNIQUE INDEX sessions_id_idx ON sessions (id);
ALTER TABLE sessions ADD COLUMN user_agent VARCHAR(300);
ALTER TABLE sessions ADD COLUMN last_seen_at TIMESTAMPTZ;
