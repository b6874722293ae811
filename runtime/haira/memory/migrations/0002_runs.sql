-- Runs of workflows with steps (/_api/runs); JSON kept as text so it reads back unchanged.
CREATE TABLE IF NOT EXISTS haira_runs (
    id TEXT PRIMARY KEY,
    workflow_name TEXT NOT NULL,
    workflow_path TEXT NOT NULL,
    status TEXT NOT NULL,
    params TEXT NOT NULL,
    steps TEXT NOT NULL,
    result TEXT,
    error TEXT,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    owner TEXT NOT NULL DEFAULT '',
    seq BIGSERIAL
);
CREATE INDEX IF NOT EXISTS haira_runs_by_start ON haira_runs (started_at DESC, seq DESC);
