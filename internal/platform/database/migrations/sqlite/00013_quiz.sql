-- +goose Up
CREATE TABLE quiz_activities (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id     BIGINT       NOT NULL,
    name        TEXT NOT NULL,
    description TEXT         NOT NULL,
    audience    TEXT  NOT NULL,
    campaign_id BIGINT       NULL,
    created_by  BIGINT       NULL,
    created_at  DATETIME  NOT NULL,
    updated_at  DATETIME  NOT NULL
);
CREATE INDEX idx_quiz_activities_unit ON quiz_activities (unit_id);

-- seed_enc is the sealed draw seed (secret until the draw); seed is its hex, revealed at the draw.
CREATE TABLE quiz_rounds (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    activity_id          BIGINT       NOT NULL,
    name                 TEXT NOT NULL,
    starts_at            DATETIME  NOT NULL,
    ends_at              DATETIME  NOT NULL,
    question_count       INT          NOT NULL,
    bank_ids             TEXT NOT NULL DEFAULT '',
    fixed                BOOLEAN      NOT NULL DEFAULT FALSE,
    seconds_per_question INT          NOT NULL DEFAULT 0,
    seconds_per_play     INT          NOT NULL DEFAULT 0,
    plays_per_round      INT          NOT NULL DEFAULT 1,
    plays_per_day        INT          NOT NULL DEFAULT 0,
    points_per_correct   INT          NOT NULL DEFAULT 10,
    min_ms_per_answer    INT          NOT NULL DEFAULT 0,
    prize_threshold      INT          NOT NULL DEFAULT 0,
    claim_hours          INT          NOT NULL DEFAULT 168,
    seed_enc             TEXT NOT NULL,
    seed                 TEXT  NOT NULL DEFAULT '',
    commitment           TEXT     NOT NULL,
    beacon_name          TEXT NOT NULL DEFAULT '',
    beacon               TEXT NOT NULL DEFAULT '',
    eligible_count       INT          NOT NULL DEFAULT 0,
    eligible_digest      TEXT  NOT NULL DEFAULT '',
    closed_at            DATETIME  NULL,
    drawn_at             DATETIME  NULL,
    created_at           DATETIME  NOT NULL,
    updated_at           DATETIME  NOT NULL
);
CREATE INDEX idx_quiz_rounds_activity ON quiz_rounds (activity_id, starts_at);
CREATE INDEX idx_quiz_rounds_window ON quiz_rounds (ends_at, starts_at);

-- The question pool of a round, frozen (with versions) when the round is created.
CREATE TABLE quiz_round_questions (
    round_id    BIGINT NOT NULL,
    position    INT    NOT NULL,
    question_id BIGINT NOT NULL,
    version     INT    NOT NULL,
    PRIMARY KEY (round_id, position)
);

CREATE TABLE quiz_prizes (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    round_id  BIGINT       NOT NULL,
    position  INT          NOT NULL,
    name      TEXT NOT NULL,
    stock     INT          NOT NULL,
    remaining INT          NOT NULL,
    CONSTRAINT ck_quiz_prizes_remaining CHECK (remaining >= 0)
);
CREATE UNIQUE INDEX uq_quiz_prizes_round ON quiz_prizes (round_id, position);

-- seq and day_seq make "plays per round" and "plays per day" hold under concurrent starts: two
-- starts that counted the same plays collide on a unique key.
CREATE TABLE quiz_plays (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    round_id        BIGINT       NOT NULL,
    activity_id     BIGINT       NOT NULL,
    account_id      BIGINT       NOT NULL,
    seq             INT          NOT NULL,
    day             TEXT     NOT NULL,
    day_seq         INT          NOT NULL,
    status          TEXT  NOT NULL,
    paper           TEXT         NOT NULL,
    answers         TEXT         NOT NULL,
    started_at      DATETIME  NOT NULL,
    deadline        DATETIME  NOT NULL,
    submitted_at    DATETIME  NULL,
    score           INT          NOT NULL DEFAULT 0,
    correct_count   INT          NOT NULL DEFAULT 0,
    question_count  INT          NOT NULL DEFAULT 0,
    duration_ms     BIGINT       NOT NULL DEFAULT 0,
    flagged         BOOLEAN      NOT NULL DEFAULT FALSE,
    flag_reason     TEXT NOT NULL DEFAULT '',
    cleared_at      DATETIME  NULL,
    cleared_by      BIGINT       NULL,
    idempotency_key TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX uq_quiz_plays_seq ON quiz_plays (round_id, account_id, seq);
CREATE UNIQUE INDEX uq_quiz_plays_day ON quiz_plays (round_id, account_id, day, day_seq);
CREATE INDEX idx_quiz_plays_active ON quiz_plays (account_id, status, deadline);
CREATE INDEX idx_quiz_plays_flagged ON quiz_plays (round_id, flagged, cleared_at);

-- One row per player per board ("round:ID" or "activity:ID"): the best play of the round, or the
-- sum of best plays over the activity's rounds. rank_key orders by score desc then duration asc
-- in one ascending integer; submitted_ms then account_id break the remaining ties.
CREATE TABLE quiz_scores (
    board        TEXT NOT NULL,
    account_id   BIGINT      NOT NULL,
    play_id      BIGINT      NOT NULL,
    score        INT         NOT NULL,
    duration_ms  BIGINT      NOT NULL,
    submitted_ms BIGINT      NOT NULL,
    rank_key     BIGINT      NOT NULL,
    PRIMARY KEY (board, account_id)
);
CREATE INDEX idx_quiz_scores_rank ON quiz_scores (board, rank_key, submitted_ms, account_id);
CREATE INDEX idx_quiz_scores_play ON quiz_scores (board, play_id);

-- How many players of a board fall in each rank_key bucket (rank_key >> 10), so a rank is a sum
-- over a few thousand buckets plus a count inside one bucket, never a count over every player.
CREATE TABLE quiz_score_buckets (
    board  TEXT NOT NULL,
    bucket BIGINT      NOT NULL,
    n      BIGINT      NOT NULL,
    PRIMARY KEY (board, bucket)
);

CREATE TABLE quiz_awards (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    round_id        BIGINT       NOT NULL,
    prize_id        BIGINT       NOT NULL,
    play_id         BIGINT       NOT NULL,
    account_id      BIGINT       NOT NULL,
    draw_rank       INT          NOT NULL,
    ticket          TEXT     NOT NULL,
    status          TEXT  NOT NULL,
    expires_at      DATETIME  NOT NULL,
    name_enc        TEXT NOT NULL DEFAULT '',
    phone_enc       TEXT NOT NULL DEFAULT '',
    address_enc     TEXT         NOT NULL,
    claimed_at      DATETIME  NULL,
    idempotency_key TEXT NOT NULL DEFAULT '',
    created_at      DATETIME  NOT NULL
);
CREATE UNIQUE INDEX uq_quiz_awards_play ON quiz_awards (round_id, play_id);
CREATE INDEX idx_quiz_awards_account ON quiz_awards (account_id, id);

-- +goose Down
DROP TABLE quiz_awards;
DROP TABLE quiz_score_buckets;
DROP TABLE quiz_scores;
DROP TABLE quiz_plays;
DROP TABLE quiz_prizes;
DROP TABLE quiz_round_questions;
DROP TABLE quiz_rounds;
DROP TABLE quiz_activities;
