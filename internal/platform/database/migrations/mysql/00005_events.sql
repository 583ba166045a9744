-- +goose Up
CREATE TABLE events (
    id                    BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
    campaign_id           BIGINT        NOT NULL,
    unit_id               BIGINT        NOT NULL,
    type                  VARCHAR(24)   NOT NULL,
    title                 VARCHAR(200)  NOT NULL,
    description           TEXT          NULL,
    speakers              TEXT          NOT NULL,
    venue_name            VARCHAR(200)  NOT NULL DEFAULT '',
    venue_address         VARCHAR(300)  NOT NULL DEFAULT '',
    venue_type            VARCHAR(16)   NOT NULL DEFAULT '',
    geofence_lat          DOUBLE        NULL,
    geofence_lng          DOUBLE        NULL,
    geofence_radius_m     INT           NULL,
    starts_at             DATETIME(6)   NOT NULL,
    ends_at               DATETIME(6)   NOT NULL,
    capacity              INT           NOT NULL DEFAULT 0,
    registered_count      INT           NOT NULL DEFAULT 0,
    registration_required BOOLEAN       NOT NULL DEFAULT FALSE,
    audience_tracks       VARCHAR(64)   NOT NULL DEFAULT '',
    audience_unit_ids     VARCHAR(1000) NOT NULL DEFAULT '',
    credits               BIGINT        NOT NULL DEFAULT 0,
    min_minutes           INT           NOT NULL DEFAULT 0,
    audience_reached      INT           NOT NULL DEFAULT 0,
    court_name            VARCHAR(100)  NOT NULL DEFAULT '',
    case_type             VARCHAR(50)   NOT NULL DEFAULT '',
    case_number           VARCHAR(100)  NOT NULL DEFAULT '',
    status                VARCHAR(16)   NOT NULL,
    created_at            DATETIME(6)   NOT NULL,
    updated_at            DATETIME(6)   NOT NULL,
    KEY idx_events_campaign (campaign_id, starts_at),
    KEY idx_events_unit (unit_id, starts_at),
    CONSTRAINT fk_events_campaign FOREIGN KEY (campaign_id) REFERENCES campaigns (id),
    CONSTRAINT fk_events_unit FOREIGN KEY (unit_id) REFERENCES units (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE event_organisers (
    event_id   BIGINT NOT NULL,
    account_id BIGINT NOT NULL,
    PRIMARY KEY (event_id, account_id),
    KEY idx_event_organisers_account (account_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE event_registrations (
    id         BIGINT      NOT NULL AUTO_INCREMENT PRIMARY KEY,
    event_id   BIGINT      NOT NULL,
    learner_id BIGINT      NOT NULL,
    status     VARCHAR(16) NOT NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    UNIQUE KEY uq_event_registrations (event_id, learner_id),
    KEY idx_event_registrations_status (event_id, status, id),
    KEY idx_event_registrations_learner (learner_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE event_attendance (
    event_id       BIGINT       NOT NULL,
    learner_id     BIGINT       NOT NULL,
    checked_in_at  DATETIME(6)  NOT NULL,
    checked_out_at DATETIME(6)  NULL,
    source         VARCHAR(16)  NOT NULL,
    marked_by      BIGINT       NULL,
    reason         VARCHAR(255) NOT NULL DEFAULT '',
    credited_at    DATETIME(6)  NULL,
    PRIMARY KEY (event_id, learner_id),
    KEY idx_event_attendance_learner (learner_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE event_summaries (
    event_id       BIGINT      NOT NULL PRIMARY KEY,
    summary        TEXT        NOT NULL,
    audience_count INT         NOT NULL DEFAULT 0,
    photos         TEXT        NOT NULL,
    updated_by     BIGINT      NOT NULL,
    updated_at     DATETIME(6) NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE event_summaries;
DROP TABLE event_attendance;
DROP TABLE event_registrations;
DROP TABLE event_organisers;
DROP TABLE events;
