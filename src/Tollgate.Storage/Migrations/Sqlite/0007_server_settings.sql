-- Values every node must share, created once by whichever node starts first: the key that signs portal links and
-- console sessions, so a link made on one node opens on any other.
CREATE TABLE server_settings (
    name        TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
