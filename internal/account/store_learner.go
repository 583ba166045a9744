package account

import (
	"context"

	"github.com/xuefa/xuefa/internal/platform/auth"
)

// Bulk sizes: values in one IN list, rows in one multi-row INSERT. Inserts stay smaller because
// the SQLite driver binds parameters in time quadratic in their number per statement.
const (
	bulkChunk   = 500
	insertBatch = 100
)

// CreateBatch inserts many accounts, a multi-row INSERT per chunk (imports).
func (s *Store) CreateBatch(ctx context.Context, accts []*Account) error {
	return s.conn(ctx).CreateInBatches(accts, insertBatch).Error
}

// phoneOwnerRow is an account found by its phone's blind index.
type phoneOwnerRow struct {
	ID         int64
	PhoneIndex string
	Role       auth.Role
}

// OwnersByPhoneIndex finds the accounts holding any of the phone indexes, a chunk per query.
func (s *Store) OwnersByPhoneIndex(ctx context.Context, indexes []string) ([]phoneOwnerRow, error) {
	var out []phoneOwnerRow
	for start := 0; start < len(indexes); start += bulkChunk {
		var rows []phoneOwnerRow
		if err := s.conn(ctx).Model(&Account{}).Select("id, phone_index, role").
			Where("phone_index IN ?", indexes[start:min(start+bulkChunk, len(indexes))]).Find(&rows).Error; err != nil {
			return nil, err
		}
		out = append(out, rows...)
	}
	return out, nil
}

// PhonesByIDs loads the sealed phones of many accounts, a chunk per query.
func (s *Store) PhonesByIDs(ctx context.Context, ids []int64) ([]Account, error) {
	var out []Account
	for start := 0; start < len(ids); start += bulkChunk {
		var rows []Account
		if err := s.conn(ctx).Select("id, phone_enc").Where("id IN ?", ids[start:min(start+bulkChunk, len(ids))]).Find(&rows).Error; err != nil {
			return nil, err
		}
		out = append(out, rows...)
	}
	return out, nil
}
