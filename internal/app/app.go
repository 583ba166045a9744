// Package app is the composition root: config → database → stores → services → router. Nothing
// else builds long-lived objects, and nothing is kept in package-level variables.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/redis/go-redis/v9"
	"gorm.io/gorm"

	"github.com/xuefa/xuefa/api"
	"github.com/xuefa/xuefa/internal/account"
	"github.com/xuefa/xuefa/internal/audit"
	"github.com/xuefa/xuefa/internal/campaign"
	"github.com/xuefa/xuefa/internal/certificate"
	"github.com/xuefa/xuefa/internal/consultation"
	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/event"
	"github.com/xuefa/xuefa/internal/exam"
	"github.com/xuefa/xuefa/internal/integration"
	"github.com/xuefa/xuefa/internal/lawreport"
	"github.com/xuefa/xuefa/internal/learner"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/config"
	"github.com/xuefa/xuefa/internal/platform/crypto"
	"github.com/xuefa/xuefa/internal/platform/database"
	"github.com/xuefa/xuefa/internal/platform/ratelimit"
	"github.com/xuefa/xuefa/internal/practice"
	"github.com/xuefa/xuefa/internal/questionbank"
	"github.com/xuefa/xuefa/internal/quiz"
	"github.com/xuefa/xuefa/internal/reminder"
	"github.com/xuefa/xuefa/internal/server"
	"github.com/xuefa/xuefa/internal/study"
	"github.com/xuefa/xuefa/internal/supervision"
	"github.com/xuefa/xuefa/internal/unit"
	"github.com/xuefa/xuefa/internal/wechat"
	"github.com/xuefa/xuefa/internal/wechat/wechatfake"
	"github.com/xuefa/xuefa/internal/yearend"
)

// App is the wired application.
type App struct {
	Config      config.Config
	Log         *slog.Logger
	DB          *gorm.DB
	Redis       *redis.Client
	Server      *server.Server
	Units       *unit.Service
	Accounts    *account.Service
	Audit       *audit.Service
	Learners    *learner.Service
	Campaigns   *campaign.Service
	Credits     *credit.Service
	Study       *study.Service
	Events      *event.Service
	Oversight   *supervision.Service
	Reminders   *reminder.Service
	Banks       *questionbank.Service
	Practice    *practice.Service
	Integration *integration.Service
	Quiz        *quiz.Service
	// Dispatcher delivers webhooks; Serve runs it, tests call DispatchOnce.
	Dispatcher *integration.Dispatcher
	now        func() time.Time

	// LawReports are the 述法 reports; Consultations the consultation channel.
	LawReports    *lawreport.Service
	Consultations *consultation.Service

	// WeChat is mini-program login and subscribe messages; WeChatClient is nil when
	// wechat.mode is off, FakeWeChat is the in-process fake when it is fake (tests script it).
	WeChat       *wechat.Service
	WeChatClient *wechat.Client
	FakeWeChat   *wechatfake.Server
	// Exams are the formal exams; Serve runs their deadline sweeper.
	Exams *exam.Service
	// YearEnd is the year's formula, live and frozen results, close-out and reports.
	YearEnd *yearend.Service
	// Certificates are the year's signed certificates (issued by the close-out).
	Certificates *certificate.Service

	stopBus func() // ends the principal-cache subscription
}

// Options let tests and the CLI adjust how the app is built.
type Options struct {
	Now            func() time.Time
	PasswordParams auth.PasswordParams
	// DB, when set, is used instead of opening config.Database (tests pass dbtest databases).
	DB *gorm.DB
}

// New builds the app from cfg. The caller closes it.
func New(cfg config.Config, log *slog.Logger, opts Options) (*App, error) {
	if opts.Now == nil {
		opts.Now = func() time.Time { return time.Now().UTC() }
	}
	if opts.PasswordParams == (auth.PasswordParams{}) {
		opts.PasswordParams = auth.DefaultPasswordParams()
		if cfg.Auth.PasswordHashing == config.PasswordHashingFast {
			opts.PasswordParams = auth.FastPasswordParams()
		}
	}
	a := &App{Config: cfg, Log: log, DB: opts.DB}
	if a.DB == nil {
		db, err := database.Open(database.Options{
			Driver: cfg.Database.Driver, DSN: cfg.Database.DSN, MaxOpenConns: cfg.Database.MaxOpenConns,
			MaxIdleConns: cfg.Database.MaxIdleConns, ConnMaxLifetime: cfg.Database.ConnMaxLifetime.Std(),
			SlowQuery: cfg.Database.SlowQuery.Std(), Logger: log,
		})
		if err != nil {
			return nil, err
		}
		a.DB = db
	}
	if err := a.wire(opts); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

func (a *App) wire(opts Options) error {
	cfg := a.Config
	keys, err := auth.NewKeySet(cfg.Auth.JWTKeyID, cfg.Auth.JWTSigningKey, cfg.Auth.JWTPreviousKeys)
	if err != nil {
		return fmt.Errorf("auth keys: %w", err)
	}
	sealer, err := crypto.NewSealer(cfg.Crypto.DataKey)
	if err != nil {
		return err
	}
	issuer := auth.NewIssuer(auth.IssuerConfig{Keys: keys, Issuer: cfg.Auth.Issuer, Audience: cfg.Auth.Audience, AccessTTL: cfg.Auth.AccessTTL.Std()}, opts.Now)
	limiter, err := a.limiter(opts.Now)
	if err != nil {
		return err
	}

	a.Audit = audit.NewService(audit.NewStore(a.DB), opts.Now)
	a.Units = unit.NewService(a.DB, unit.NewStore(a.DB), a.Audit)
	accounts := account.NewStore(a.DB)
	if err := a.cachePrincipals(accounts); err != nil {
		return err
	}
	a.Units.OnMove(accounts.UnitsMoved)
	a.Accounts, err = account.NewService(account.Deps{
		DB: a.DB, Store: accounts, Units: a.Units, Audit: a.Audit,
		Hasher: auth.NewHasher(opts.PasswordParams), Issuer: issuer, Sealer: sealer, Limiter: limiter, Now: opts.Now,
		Settings: account.Settings{
			RefreshTTL:               cfg.Auth.RefreshTTL.Std(),
			LoginPerIPPerMinute:      cfg.Auth.LoginPerIPPerMinute,
			LoginPerAccountPerMinute: cfg.Auth.LoginPerAccountPerMinute,
		},
	})
	if err != nil {
		return err
	}
	a.Units.AddDependents(a.Accounts)
	a.wireWeChat(limiter, opts.Now)
	ic := cfg.Integration
	a.Integration = integration.NewService(integration.Deps{
		DB: a.DB, Store: integration.NewStore(a.DB), Units: a.Units, Audit: a.Audit, Issuer: issuer, Sealer: sealer,
		Limiter: limiter, Now: opts.Now,
		Settings: integration.Settings{
			SecretGrace: ic.SecretGrace.Std(), TokenPerClientPerMinute: ic.TokenPerClientPerMinute,
			RequestsPerClientPerMinute: ic.RequestsPerClientPerMinute, AllowPrivateWebhooks: ic.AllowPrivateWebhooks,
			WebhookTimeout: ic.WebhookTimeout.Std(), WebhookMaxAttempts: ic.WebhookMaxAttempts,
			WebhookBackoff: ic.WebhookBackoff.Std(), WebhookDisableAfter: ic.WebhookDisableAfter,
			DeliveryRetention: ic.DeliveryRetention.Std(),
		},
	})
	a.Dispatcher = integration.NewDispatcher(a.Integration, a.Log)
	a.Campaigns = campaign.NewService(a.DB, campaign.NewStore(a.DB), a.Units, a.Audit, opts.Now, cfg.Campaign.FactsTTL.Std())
	a.Credits = credit.NewService(credit.Deps{
		DB: a.DB, Store: credit.NewStore(a.DB), Campaigns: a.Campaigns, Units: a.Units, Audit: a.Audit, Now: opts.Now,
		Events: a.Integration, UnitRankingTTL: cfg.Credit.UnitRankingTTL.Std(),
	})
	a.Learners = learner.NewService(learner.Deps{
		DB: a.DB, Store: learner.NewStore(a.DB), Accounts: a.Accounts, Units: a.Units, Audit: a.Audit, Sealer: sealer,
		Now: opts.Now, Credits: a.Credits,
	})
	a.Units.AddDependents(a.Learners)
	a.Study = study.NewService(study.Deps{
		DB: a.DB, Store: study.NewStore(a.DB), Campaigns: a.Campaigns, Credits: a.Credits,
		Learners: studyLearners{a.Learners}, Audit: a.Audit, Now: opts.Now,
	})
	a.Events = event.NewService(event.Deps{
		DB: a.DB, Store: event.NewStore(a.DB), Campaigns: a.Campaigns, Units: a.Units, Learners: eventLearners{a.Learners},
		Accounts: a.Accounts, Credits: a.Credits, Audit: a.Audit, CodeKey: []byte(cfg.Auth.JWTSigningKey), Now: opts.Now,
		Events: a.Integration,
	})
	a.Banks = questionbank.NewService(a.DB, questionbank.NewStore(a.DB), a.Units, a.Audit, opts.Now)
	a.Units.AddDependents(a.Banks)
	a.Practice = practice.NewService(practice.Deps{
		DB: a.DB, Store: practice.NewStore(a.DB), Questions: a.Banks, Now: opts.Now,
		Settings: practice.Settings{RemoveAfter: practice.DefaultRemoveAfter},
		Credits:  a.Credits,
	})
	examStore := exam.NewStore(a.DB)
	a.Exams = exam.NewService(exam.Deps{
		DB: a.DB, Store: examStore, Campaigns: a.Campaigns, Credits: a.Credits, WrongBook: a.Practice,
		Events: a.Integration, Audit: a.Audit, Now: opts.Now,
	})
	a.Banks.UseExamStats(examStore)
	a.Oversight = supervision.NewService(supervision.NewStore(a.DB), a.Units, a.Campaigns, opts.Now, cfg.Supervision.DashboardTTL.Std())
	a.Reminders = reminder.NewService(reminder.Deps{
		DB: a.DB, Store: reminder.NewStore(a.DB), Standings: a.Credits, Lagging: a.Oversight, Phones: a.Accounts,
		SMS: reminder.LogSMS{Log: a.Log}, WeChat: a.WeChat, Exams: a.Exams, Units: a.Units, Campaigns: a.Campaigns, Audit: a.Audit, Events: a.Integration, Log: a.Log, Now: opts.Now,
	})
	a.Oversight.UseReminders(a.Reminders)
	a.LawReports = lawreport.NewService(lawreport.Deps{
		DB: a.DB, Store: lawreport.NewStore(a.DB), Campaigns: a.Campaigns, Learners: reportLearners{a.Learners},
		Units: a.Units, Audit: a.Audit, Now: opts.Now,
	})
	a.Consultations = consultation.NewService(consultation.Deps{
		DB: a.DB, Store: consultation.NewStore(a.DB), Campaigns: a.Campaigns, Audit: a.Audit, Now: opts.Now,
	})
	certKeys, err := certificate.NewKeySet(cfg.Certificates.KeyID, cfg.Certificates.SigningKey, cfg.Certificates.PreviousKeys)
	if err != nil {
		return fmt.Errorf("certificate keys: %w", err)
	}
	a.Certificates = certificate.NewService(certificate.Deps{
		DB: a.DB, Store: certificate.NewStore(a.DB), Keys: certKeys, Audit: a.Audit, Limiter: limiter,
		LookupPerIPPerMinute: cfg.Certificates.LookupPerIPPerMinute, Now: opts.Now,
	})
	a.YearEnd = yearend.NewService(yearend.Deps{
		DB: a.DB, Store: yearend.NewStore(a.DB), Campaigns: a.Campaigns, Audit: a.Audit, Events: a.Integration, Now: opts.Now,
		Certifier: a.Certificates,
	})
	a.now = opts.Now
	a.Quiz = a.newQuiz(sealer, limiter, opts.Now)

	registry := prometheus.NewRegistry()
	sqlDB, err := a.DB.DB()
	if err != nil {
		return err
	}
	registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewDBStatsCollector(sqlDB, "xuefa"))
	a.Server, err = server.New(server.Options{
		TrustedProxies: cfg.HTTP.TrustedProxies, CORSOrigins: cfg.HTTP.CORSOrigins, BodyLimitBytes: cfg.HTTP.BodyLimitBytes,
		Log: a.Log, Registry: registry, Issuer: issuer, Authenticator: principals{accounts: a.Accounts, clients: a.Integration},
		Ping:    func(ctx context.Context) error { return database.Ping(ctx, a.DB) },
		DBGrace: cfg.HTTP.ReadinessDBGrace.Std(), Now: opts.Now,
		OpenAPI: api.OpenAPIJSON, MetricsOnAPI: cfg.MetricsOnAPI(),
	}, server.Handlers{
		Accounts:      account.NewHandler(a.Accounts),
		Units:         unit.NewHandler(a.Units),
		Audit:         audit.NewHandler(a.Audit),
		Learners:      learner.NewHandler(a.Learners),
		Campaigns:     campaign.NewHandler(a.Campaigns),
		Credits:       credit.NewHandler(a.Credits),
		Study:         study.NewHandler(a.Study),
		Events:        event.NewHandler(a.Events),
		Oversight:     supervision.NewHandler(a.Oversight),
		Reminders:     reminder.NewHandler(a.Reminders),
		Banks:         questionbank.NewHandler(a.Banks),
		Practice:      practice.NewHandler(a.Practice),
		LawReports:    lawreport.NewHandler(a.LawReports),
		Consultations: consultation.NewHandler(a.Consultations),
		Integration:   integration.NewHandler(a.Integration),
		WeChat:        wechat.NewHandler(a.WeChat),
		Quiz:          quiz.NewHandler(a.Quiz),
		Exams:         exam.NewHandler(a.Exams),
		YearEnd:       yearend.NewHandler(a.YearEnd),
		Certificates:  certificate.NewHandler(a.Certificates),
	})
	return err
}

// limiter shares counts through Redis when redis.addr is set, else keeps them in memory.
func (a *App) limiter(now func() time.Time) (ratelimit.Limiter, error) {
	if a.Config.Redis.Addr == "" {
		return ratelimit.NewMemory(now), nil
	}
	a.Redis = redis.NewClient(&redis.Options{Addr: a.Config.Redis.Addr, Password: a.Config.Redis.Password, DB: a.Config.Redis.DB})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := a.Redis.Ping(ctx).Err(); err != nil {
		return nil, fmt.Errorf("redis %s: %w", a.Config.Redis.Addr, err)
	}
	return ratelimit.NewRedis(a.Redis, "xuefa:rl:"), nil
}

// Close releases the database pool and Redis.
func (a *App) Close() {
	if a.stopBus != nil {
		a.stopBus()
	}
	if a.Redis != nil {
		_ = a.Redis.Close()
	}
	if a.DB != nil {
		_ = database.Close(a.DB)
	}
}
