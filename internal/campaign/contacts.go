package campaign

import "context"

// ContactCard is a campaign's name and consultation channels (政策咨询渠道), shown next to
// what learners and the public ask in it.
type ContactCard struct {
	CampaignID int64
	Name       string
	Contacts   []Contact
}

// ContactsOf returns the contact card of each given campaign by id, in one query; ids that name
// no campaign are left out.
func (s *Service) ContactsOf(ctx context.Context, ids []int64) (map[int64]ContactCard, error) {
	rows, err := s.store.ByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]ContactCard, len(rows))
	for _, c := range rows {
		out[c.ID] = ContactCard{CampaignID: c.ID, Name: c.Name, Contacts: c.contacts()}
	}
	return out, nil
}
