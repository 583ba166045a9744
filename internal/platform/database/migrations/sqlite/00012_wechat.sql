-- +goose Up
-- One row per WeChat user (openid) of the mini-program: the participant account created at their
-- first login, and the learner account they bound, if any. No session_key is stored.
CREATE TABLE wechat_identities (
    id                     INTEGER PRIMARY KEY AUTOINCREMENT,
    open_id                TEXT     NOT NULL,
    union_id               TEXT     NULL,
    participant_account_id INTEGER  NOT NULL,
    learner_account_id     INTEGER  NULL,
    bound_at               DATETIME NULL,
    last_login_at          DATETIME NULL,
    created_at             DATETIME NOT NULL,
    updated_at             DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_wechat_identities_open_id ON wechat_identities (open_id);
CREATE UNIQUE INDEX uq_wechat_identities_participant ON wechat_identities (participant_account_id);
CREATE UNIQUE INDEX uq_wechat_identities_learner ON wechat_identities (learner_account_id);

-- Subscribe messages a learner allowed (wx.requestSubscribeMessage), per template: each accept
-- allows one message; the reminder channel spends them.
CREATE TABLE wechat_subscriptions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id  INTEGER  NOT NULL,
    template_id TEXT     NOT NULL,
    remaining   INTEGER  NOT NULL DEFAULT 0,
    status      TEXT     NOT NULL,
    updated_at  DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_wechat_subscriptions ON wechat_subscriptions (account_id, template_id);

-- +goose Down
DROP TABLE wechat_subscriptions;
DROP TABLE wechat_identities;
