-- +goose Up
-- One row per WeChat user (openid) of the mini-program: the participant account created at their
-- first login, and the learner account they bound, if any. No session_key is stored.
CREATE TABLE wechat_identities (
    id                     BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    open_id                VARCHAR(64)  NOT NULL,
    union_id               VARCHAR(64)  NULL,
    participant_account_id BIGINT       NOT NULL,
    learner_account_id     BIGINT       NULL,
    bound_at               DATETIME(6)  NULL,
    last_login_at          DATETIME(6)  NULL,
    created_at             DATETIME(6)  NOT NULL,
    updated_at             DATETIME(6)  NOT NULL,
    UNIQUE KEY uq_wechat_identities_open_id (open_id),
    UNIQUE KEY uq_wechat_identities_participant (participant_account_id),
    UNIQUE KEY uq_wechat_identities_learner (learner_account_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Subscribe messages a learner allowed (wx.requestSubscribeMessage), per template: each accept
-- allows one message; the reminder channel spends them.
CREATE TABLE wechat_subscriptions (
    id          BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    account_id  BIGINT       NOT NULL,
    template_id VARCHAR(128) NOT NULL,
    remaining   INT          NOT NULL DEFAULT 0,
    status      VARCHAR(16)  NOT NULL,
    updated_at  DATETIME(6)  NOT NULL,
    UNIQUE KEY uq_wechat_subscriptions (account_id, template_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE wechat_subscriptions;
DROP TABLE wechat_identities;
