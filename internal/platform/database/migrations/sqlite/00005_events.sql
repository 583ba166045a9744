-- +goose Up
CREATE TABLE events (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id           INTEGER  NOT NULL REFERENCES campaigns (id),
    unit_id               INTEGER  NOT NULL REFERENCES units (id),
    type                  TEXT     NOT NULL,
    title                 TEXT     NOT NULL,
    description           TEXT     NULL,
    speakers              TEXT     NOT NULL,
    venue_name            TEXT     NOT NULL DEFAULT '',
    venue_address         TEXT     NOT NULL DEFAULT '',
    venue_type            TEXT     NOT NULL DEFAULT '',
    geofence_lat          REAL     NULL,
    geofence_lng          REAL     NULL,
    geofence_radius_m     INTEGER  NULL,
    starts_at             DATETIME NOT NULL,
    ends_at               DATETIME NOT NULL,
    capacity              INTEGER  NOT NULL DEFAULT 0,
    registered_count      INTEGER  NOT NULL DEFAULT 0,
    registration_required BOOLEAN  NOT NULL DEFAULT FALSE,
    audience_tracks       TEXT     NOT NULL DEFAULT '',
    audience_unit_ids     TEXT     NOT NULL DEFAULT '',
    credits               INTEGER  NOT NULL DEFAULT 0,
    min_minutes           INTEGER  NOT NULL DEFAULT 0,
    audience_reached      INTEGER  NOT NULL DEFAULT 0,
    court_name            TEXT     NOT NULL DEFAULT '',
    case_type             TEXT     NOT NULL DEFAULT '',
    case_number           TEXT     NOT NULL DEFAULT '',
    status                TEXT     NOT NULL,
    created_at            DATETIME NOT NULL,
    updated_at            DATETIME NOT NULL
);
CREATE INDEX idx_events_campaign ON events (campaign_id, starts_at);
CREATE INDEX idx_events_unit ON events (unit_id, starts_at);

CREATE TABLE event_organisers (
    event_id   INTEGER NOT NULL,
    account_id INTEGER NOT NULL,
    PRIMARY KEY (event_id, account_id)
);
CREATE INDEX idx_event_organisers_account ON event_organisers (account_id);

CREATE TABLE event_registrations (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id   INTEGER  NOT NULL,
    learner_id INTEGER  NOT NULL,
    status     TEXT     NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_event_registrations ON event_registrations (event_id, learner_id);
CREATE INDEX idx_event_registrations_status ON event_registrations (event_id, status, id);
CREATE INDEX idx_event_registrations_learner ON event_registrations (learner_id);

CREATE TABLE event_attendance (
    event_id       INTEGER  NOT NULL,
    learner_id     INTEGER  NOT NULL,
    checked_in_at  DATETIME NOT NULL,
    checked_out_at DATETIME NULL,
    source         TEXT     NOT NULL,
    marked_by      INTEGER  NULL,
    reason         TEXT     NOT NULL DEFAULT '',
    credited_at    DATETIME NULL,
    PRIMARY KEY (event_id, learner_id)
);
CREATE INDEX idx_event_attendance_learner ON event_attendance (learner_id);

CREATE TABLE event_summaries (
    event_id       INTEGER  NOT NULL PRIMARY KEY,
    summary        TEXT     NOT NULL,
    audience_count INTEGER  NOT NULL DEFAULT 0,
    photos         TEXT     NOT NULL,
    updated_by     INTEGER  NOT NULL,
    updated_at     DATETIME NOT NULL
);

-- +goose Down
DROP TABLE event_summaries;
DROP TABLE event_attendance;
DROP TABLE event_registrations;
DROP TABLE event_organisers;
DROP TABLE events;
