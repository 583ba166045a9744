package learner

import "context"

// Bulk sizes: values in one IN list, rows in one multi-row INSERT. Inserts stay smaller because
// the SQLite driver binds parameters in time quadratic in their number per statement.
const (
	bulkChunk   = 500
	insertBatch = 100
)

// rowsIn loads the learners (with their units) whose column is any of values, a chunk per
// query. column is one of this file's constants, never input.
func rowsIn[T any](ctx context.Context, s *Store, column string, values []T) ([]Row, error) {
	var out []Row
	for start := 0; start < len(values); start += bulkChunk {
		var rows []Row
		if err := s.withUnit(ctx).Where(column+" IN ?", values[start:min(start+bulkChunk, len(values))]).Find(&rows).Error; err != nil {
			return nil, err
		}
		out = append(out, rows...)
	}
	return out, nil
}

// RowsByIDs loads learners by id (imports matching on 学员编号).
func (s *Store) RowsByIDs(ctx context.Context, ids []int64) ([]Row, error) {
	return rowsIn(ctx, s, "learners.id", ids)
}

// RowsByIDCardIndexes loads learners by the blind index of their ID numbers.
func (s *Store) RowsByIDCardIndexes(ctx context.Context, indexes []string) ([]Row, error) {
	return rowsIn(ctx, s, "learners.id_card_index", indexes)
}

// RowsByAccountIDs loads the learners behind accounts.
func (s *Store) RowsByAccountIDs(ctx context.Context, accountIDs []int64) ([]Row, error) {
	return rowsIn(ctx, s, "learners.account_id", accountIDs)
}
