-- +goose Up
CREATE TABLE quiz_activities (
    id          BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    unit_id     BIGINT       NOT NULL,
    name        VARCHAR(100) NOT NULL,
    description TEXT         NOT NULL,
    audience    VARCHAR(16)  NOT NULL,
    campaign_id BIGINT       NULL,
    created_by  BIGINT       NULL,
    created_at  DATETIME(6)  NOT NULL,
    updated_at  DATETIME(6)  NOT NULL,
    KEY idx_quiz_activities_unit (unit_id),
    CONSTRAINT fk_quiz_activities_unit FOREIGN KEY (unit_id) REFERENCES units (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- seed_enc is the sealed draw seed (secret until the draw); seed is its hex, revealed at the draw.
CREATE TABLE quiz_rounds (
    id                   BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    activity_id          BIGINT       NOT NULL,
    name                 VARCHAR(100) NOT NULL,
    starts_at            DATETIME(6)  NOT NULL,
    ends_at              DATETIME(6)  NOT NULL,
    question_count       INT          NOT NULL,
    bank_ids             VARCHAR(500) NOT NULL DEFAULT '',
    fixed                BOOLEAN      NOT NULL DEFAULT FALSE,
    seconds_per_question INT          NOT NULL DEFAULT 0,
    seconds_per_play     INT          NOT NULL DEFAULT 0,
    plays_per_round      INT          NOT NULL DEFAULT 1,
    plays_per_day        INT          NOT NULL DEFAULT 0,
    points_per_correct   INT          NOT NULL DEFAULT 10,
    min_ms_per_answer    INT          NOT NULL DEFAULT 0,
    prize_threshold      INT          NOT NULL DEFAULT 0,
    claim_hours          INT          NOT NULL DEFAULT 168,
    seed_enc             VARCHAR(200) NOT NULL,
    seed                 VARCHAR(64)  NOT NULL DEFAULT '',
    commitment           CHAR(64)     NOT NULL,
    beacon_name          VARCHAR(200) NOT NULL DEFAULT '',
    beacon               VARCHAR(200) NOT NULL DEFAULT '',
    eligible_count       INT          NOT NULL DEFAULT 0,
    eligible_digest      VARCHAR(64)  NOT NULL DEFAULT '',
    closed_at            DATETIME(6)  NULL,
    drawn_at             DATETIME(6)  NULL,
    created_at           DATETIME(6)  NOT NULL,
    updated_at           DATETIME(6)  NOT NULL,
    KEY idx_quiz_rounds_activity (activity_id, starts_at),
    KEY idx_quiz_rounds_window (ends_at, starts_at),
    CONSTRAINT fk_quiz_rounds_activity FOREIGN KEY (activity_id) REFERENCES quiz_activities (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- The question pool of a round, frozen (with versions) when the round is created.
CREATE TABLE quiz_round_questions (
    round_id    BIGINT NOT NULL,
    position    INT    NOT NULL,
    question_id BIGINT NOT NULL,
    version     INT    NOT NULL,
    PRIMARY KEY (round_id, position)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE quiz_prizes (
    id        BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    round_id  BIGINT       NOT NULL,
    position  INT          NOT NULL,
    name      VARCHAR(100) NOT NULL,
    stock     INT          NOT NULL,
    remaining INT          NOT NULL,
    UNIQUE KEY uq_quiz_prizes_round (round_id, position),
    CONSTRAINT ck_quiz_prizes_remaining CHECK (remaining >= 0)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- seq and day_seq make "plays per round" and "plays per day" hold under concurrent starts: two
-- starts that counted the same plays collide on a unique key.
CREATE TABLE quiz_plays (
    id              BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    round_id        BIGINT       NOT NULL,
    activity_id     BIGINT       NOT NULL,
    account_id      BIGINT       NOT NULL,
    seq             INT          NOT NULL,
    day             CHAR(10)     NOT NULL,
    day_seq         INT          NOT NULL,
    status          VARCHAR(16)  NOT NULL,
    paper           TEXT         NOT NULL,
    answers         TEXT         NOT NULL,
    started_at      DATETIME(6)  NOT NULL,
    deadline        DATETIME(6)  NOT NULL,
    submitted_at    DATETIME(6)  NULL,
    score           INT          NOT NULL DEFAULT 0,
    correct_count   INT          NOT NULL DEFAULT 0,
    question_count  INT          NOT NULL DEFAULT 0,
    duration_ms     BIGINT       NOT NULL DEFAULT 0,
    flagged         BOOLEAN      NOT NULL DEFAULT FALSE,
    flag_reason     VARCHAR(200) NOT NULL DEFAULT '',
    cleared_at      DATETIME(6)  NULL,
    cleared_by      BIGINT       NULL,
    idempotency_key VARCHAR(100) NOT NULL DEFAULT '',
    UNIQUE KEY uq_quiz_plays_seq (round_id, account_id, seq),
    UNIQUE KEY uq_quiz_plays_day (round_id, account_id, day, day_seq),
    KEY idx_quiz_plays_active (account_id, status, deadline),
    KEY idx_quiz_plays_flagged (round_id, flagged, cleared_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- One row per player per board ("round:ID" or "activity:ID"): the best play of the round, or the
-- sum of best plays over the activity's rounds. rank_key orders by score desc then duration asc
-- in one ascending integer; submitted_ms then account_id break the remaining ties.
CREATE TABLE quiz_scores (
    board        VARCHAR(32) NOT NULL,
    account_id   BIGINT      NOT NULL,
    play_id      BIGINT      NOT NULL,
    score        INT         NOT NULL,
    duration_ms  BIGINT      NOT NULL,
    submitted_ms BIGINT      NOT NULL,
    rank_key     BIGINT      NOT NULL,
    PRIMARY KEY (board, account_id),
    KEY idx_quiz_scores_rank (board, rank_key, submitted_ms, account_id),
    KEY idx_quiz_scores_play (board, play_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- How many players of a board fall in each rank_key bucket (rank_key >> 10), so a rank is a sum
-- over a few thousand buckets plus a count inside one bucket, never a count over every player.
CREATE TABLE quiz_score_buckets (
    board  VARCHAR(32) NOT NULL,
    bucket BIGINT      NOT NULL,
    n      BIGINT      NOT NULL,
    PRIMARY KEY (board, bucket)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE quiz_awards (
    id              BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    round_id        BIGINT       NOT NULL,
    prize_id        BIGINT       NOT NULL,
    play_id         BIGINT       NOT NULL,
    account_id      BIGINT       NOT NULL,
    draw_rank       INT          NOT NULL,
    ticket          CHAR(64)     NOT NULL,
    status          VARCHAR(16)  NOT NULL,
    expires_at      DATETIME(6)  NOT NULL,
    name_enc        VARCHAR(500) NOT NULL DEFAULT '',
    phone_enc       VARCHAR(200) NOT NULL DEFAULT '',
    address_enc     TEXT         NOT NULL,
    claimed_at      DATETIME(6)  NULL,
    idempotency_key VARCHAR(100) NOT NULL DEFAULT '',
    created_at      DATETIME(6)  NOT NULL,
    UNIQUE KEY uq_quiz_awards_play (round_id, play_id),
    KEY idx_quiz_awards_account (account_id, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE quiz_awards;
DROP TABLE quiz_score_buckets;
DROP TABLE quiz_scores;
DROP TABLE quiz_plays;
DROP TABLE quiz_prizes;
DROP TABLE quiz_round_questions;
DROP TABLE quiz_rounds;
DROP TABLE quiz_activities;
