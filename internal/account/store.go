package account

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/database"
)

// ErrNotFound is returned when no row matches.
var ErrNotFound = errors.New("account not found")

// Store is the only place that queries accounts, sessions and refresh tokens.
type Store struct {
	db         *gorm.DB
	principals *principalCache // nil: every Principal reads the database
}

// NewStore builds a store on db.
func NewStore(db *gorm.DB) *Store { return &Store{db: db} }

// CachePrincipals keeps principals for ttl (at most maxEntries; 0 or less: no cache) and
// returns the function that applies other replicas' drop messages (see PrincipalBus).
func (s *Store) CachePrincipals(ttl time.Duration, maxEntries int, bus PrincipalBus) func(message string) {
	if ttl <= 0 || maxEntries <= 0 {
		s.principals = nil
		return func(string) {}
	}
	s.principals = newPrincipalCache(ttl, maxEntries, bus)
	return s.principals.Forget
}

// changed drops an account's cached principals: every write that can change one calls it.
func (s *Store) changed(ctx context.Context, accountID int64) {
	if s.principals != nil {
		s.principals.drop(ctx, strconv.FormatInt(accountID, 10))
	}
}

// UnitsMoved drops every cached principal: a moved unit changes the unit paths of its subtree.
func (s *Store) UnitsMoved(ctx context.Context) {
	if s.principals != nil {
		s.principals.drop(ctx, allAccounts)
	}
}

func (s *Store) conn(ctx context.Context) *gorm.DB { return database.Conn(ctx, s.db) }

func takeAccount(q *gorm.DB) (*Account, error) { return database.Take[Account](q, ErrNotFound) }

// Create inserts an account.
func (s *Store) Create(ctx context.Context, a *Account) error {
	return s.conn(ctx).Create(a).Error
}

// Get loads an account by id.
func (s *Store) Get(ctx context.Context, id int64) (*Account, error) {
	return takeAccount(s.conn(ctx).Where("id = ?", id))
}

// GetForUpdate loads an account and locks it until the transaction ends (MySQL).
func (s *Store) GetForUpdate(ctx context.Context, id int64) (*Account, error) {
	return takeAccount(s.conn(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", id))
}

// ByUsername loads an account by its (lower-cased) username.
func (s *Store) ByUsername(ctx context.Context, username string) (*Account, error) {
	return takeAccount(s.conn(ctx).Where("username = ?", username))
}

// ByPhoneIndex loads an account by the blind index of its phone.
func (s *Store) ByPhoneIndex(ctx context.Context, index string) (*Account, error) {
	return takeAccount(s.conn(ctx).Where("phone_index = ?", index))
}

// Update writes the given columns as the account's next revision.
func (s *Store) Update(ctx context.Context, id int64, cols map[string]any) error {
	s.changed(ctx, id)
	return s.conn(ctx).Model(&Account{}).Where("id = ?", id).Updates(database.NextRevision(cols)).Error
}

// Bookkeep writes login bookkeeping (failure count, lock, last login) without a new revision:
// someone signing in must not make an admin's pending edit of their account fail with 412.
func (s *Store) Bookkeep(ctx context.Context, id int64, cols map[string]any) error {
	s.changed(ctx, id)
	return s.conn(ctx).Model(&Account{}).Where("id = ?", id).Updates(cols).Error
}

// RecordFailedLogin adds one failure and returns the new count.
func (s *Store) RecordFailedLogin(ctx context.Context, id int64) (int, error) {
	var n int
	err := database.WithTx(ctx, s.db, func(ctx context.Context) error {
		if err := s.conn(ctx).Model(&Account{}).Where("id = ?", id).
			Update("failed_logins", gorm.Expr("failed_logins + 1")).Error; err != nil {
			return err
		}
		return s.conn(ctx).Model(&Account{}).Where("id = ?", id).Select("failed_logins").Scan(&n).Error
	})
	return n, err
}

// HasRole reports whether any account has role.
func (s *Store) HasRole(ctx context.Context, role auth.Role) (bool, error) {
	var n int64
	err := s.conn(ctx).Model(&Account{}).Where("role = ?", role).Limit(1).Count(&n).Error
	return n > 0, err
}

// CountInUnit counts accounts in a unit (keeps the unit from being deleted).
func (s *Store) CountInUnit(ctx context.Context, unitID int64) (int64, error) {
	var n int64
	err := s.conn(ctx).Model(&Account{}).Where("unit_id = ?", unitID).Count(&n).Error
	return n, err
}

// Filter narrows an account listing.
type Filter struct {
	PathPrefix string
	UnitID     int64
	Role       auth.Role
	Status     Status
	Query      string
}

// Row is an account with its unit's path and name, for listings and scope checks.
type Row struct {
	Account
	UnitPath string
	UnitName string
}

func (s *Store) withUnit(ctx context.Context) *gorm.DB {
	return s.conn(ctx).Table("accounts").
		Select("accounts.*, units.path AS unit_path, units.name AS unit_name").
		Joins("JOIN units ON units.id = accounts.unit_id")
}

// GetRow loads one account with its unit.
func (s *Store) GetRow(ctx context.Context, id int64) (*Row, error) {
	var r Row
	err := s.withUnit(ctx).Where("accounts.id = ?", id).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	return &r, err
}

// List returns a page of accounts with their units (one query, no N+1) and the total.
func (s *Store) List(ctx context.Context, f Filter, offset, limit int) ([]Row, int64, error) {
	q := s.withUnit(ctx).Where("units.path LIKE ?", f.PathPrefix+"%")
	if f.UnitID > 0 {
		q = q.Where("accounts.unit_id = ?", f.UnitID)
	}
	if f.Role != "" {
		q = q.Where("accounts.role = ?", f.Role)
	}
	if f.Status != "" {
		q = q.Where("accounts.status = ?", f.Status)
	}
	if f.Query != "" {
		like := "%" + strings.NewReplacer("!", "!!", "%", "!%", "_", "!_").Replace(f.Query) + "%"
		q = q.Where("(accounts.username LIKE ? ESCAPE '!' OR accounts.display_name LIKE ? ESCAPE '!')", like, like)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []Row
	err := q.Order("accounts.id").Offset(offset).Limit(limit).Find(&rows).Error
	return rows, total, err
}

// Principal returns what authenticating a request needs: the account, its unit's current path,
// and the state of the token's session; from the cache when it holds them (now is the clock
// of the caller, which also checks the session's expiry).
func (s *Store) Principal(ctx context.Context, accountID int64, sessionID string, now time.Time) (*principal, error) {
	if s.principals == nil {
		return s.readPrincipal(ctx, accountID, sessionID)
	}
	p, gen, refresh := s.principals.get(accountID, sessionID, now)
	if refresh {
		go s.refreshPrincipal(context.WithoutCancel(ctx), accountID, sessionID, gen, now)
	}
	if p != nil {
		return p, nil
	}
	p, err := s.readPrincipal(ctx, accountID, sessionID)
	if err == nil {
		s.principals.put(p, sessionID, gen, now)
	}
	return p, err
}

// refreshPrincipal reads a cached principal again before it expires (see principalCache.get).
// A failed read changes nothing: the entry then expires and the next request reads it.
func (s *Store) refreshPrincipal(ctx context.Context, accountID int64, sessionID string, gen uint64, now time.Time) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if p, err := s.readPrincipal(ctx, accountID, sessionID); err == nil {
		s.principals.put(p, sessionID, gen, now)
	}
}

// readPrincipal loads a principal in one query.
func (s *Store) readPrincipal(ctx context.Context, accountID int64, sessionID string) (*principal, error) {
	var row struct {
		ID                 int64
		DisplayName        string
		Role               auth.Role
		UnitID             int64
		UnitPath           string
		Status             Status
		TokenVersion       int64
		MustChangePassword bool
		SessionID          *string
		SessionRevokedAt   *time.Time
		SessionExpiresAt   *time.Time
	}
	err := s.conn(ctx).Table("accounts").
		Select(`accounts.id, accounts.display_name, accounts.role, accounts.unit_id, accounts.status,
			accounts.token_version, accounts.must_change_password, units.path AS unit_path,
			sessions.id AS session_id, sessions.revoked_at AS session_revoked_at, sessions.expires_at AS session_expires_at`).
		Joins("JOIN units ON units.id = accounts.unit_id").
		Joins("LEFT JOIN sessions ON sessions.id = ? AND sessions.account_id = accounts.id", sessionID).
		Where("accounts.id = ?", accountID).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return &principal{
		ID: row.ID, DisplayName: row.DisplayName, Role: row.Role, UnitID: row.UnitID, UnitPath: row.UnitPath,
		Status: row.Status, TokenVersion: row.TokenVersion, MustChangePassword: row.MustChangePassword,
		SessionFound: row.SessionID != nil, SessionRevokedAt: row.SessionRevokedAt, SessionExpiresAt: row.SessionExpiresAt,
	}, nil
}

// ByIDs loads accounts by id.
func (s *Store) ByIDs(ctx context.Context, ids []int64) ([]Account, error) {
	var out []Account
	if len(ids) == 0 {
		return out, nil
	}
	err := s.conn(ctx).Where("id IN ?", ids).Find(&out).Error
	return out, err
}
