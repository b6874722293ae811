-- Agent memory and recorded chats (the same tables as the SQLite store).
CREATE TABLE IF NOT EXISTS haira_memory (
    id BIGSERIAL PRIMARY KEY,
    agent TEXT NOT NULL,
    session TEXT NOT NULL,
    role TEXT NOT NULL,
    content TEXT NOT NULL,
    interrupted BOOLEAN NOT NULL DEFAULT FALSE,
    created_at DOUBLE PRECISION NOT NULL
);
CREATE INDEX IF NOT EXISTS haira_memory_by_session ON haira_memory (agent, session, id);
CREATE TABLE IF NOT EXISTS haira_chats (
    session_id TEXT PRIMARY KEY,
    workflow TEXT NOT NULL,
    title TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    updated_at DOUBLE PRECISION NOT NULL
);
CREATE INDEX IF NOT EXISTS haira_chats_by_update ON haira_chats (updated_at DESC, session_id);
CREATE TABLE IF NOT EXISTS haira_chat_messages (
    id BIGSERIAL PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES haira_chats (session_id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    content TEXT NOT NULL,
    interrupted BOOLEAN NOT NULL DEFAULT FALSE,
    created_at DOUBLE PRECISION NOT NULL
);
CREATE INDEX IF NOT EXISTS haira_chat_messages_by_session ON haira_chat_messages (session_id, id);
