package campaign

import "context"

// ByIDs loads the given campaigns (those that exist), in one query.
func (s *Store) ByIDs(ctx context.Context, ids []int64) ([]Campaign, error) {
	out := []Campaign{}
	if len(ids) == 0 {
		return out, nil
	}
	err := s.conn(ctx).Where("id IN ?", ids).Find(&out).Error
	return out, err
}
