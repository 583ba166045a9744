package learner

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"github.com/xuefa/xuefa/internal/account"
	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/crypto"
	"github.com/xuefa/xuefa/internal/platform/database"
)

// Import limits.
const (
	maxImportRows = 20_000 // a county's whole staff fits; bigger files are split
	maxRowErrors  = 1_000  // row errors listed in one answer (invalid_rows counts them all)
)

// Row-error messages shared by several columns.
const (
	msgRequired     = "必填"
	msgPhoneTaken   = "手机号已被其他账号使用"
	msgIDCardTaken  = "身份证号已被其他学员使用"
	msgMaskedNew    = "脱敏号码只能用于已有学员（请填写学员编号或完整号码）"
	msgMaskMismatch = "脱敏号码与该学员现有号码不符"
)

var errImportConflict = apperr.Conflict("learner.import_conflict", "导入期间学员数据被其他操作修改，请重新导入")

// RowError is one problem in one cell of an import; row 1 is the header, columns are named by
// their header text.
type RowError struct {
	Row     int
	Column  string
	Message string
}

// ImportResult says what an import did: rows read, learners created, updated and left as they
// were, and the invalid rows (skipped under partial, else the reason nothing was written).
type ImportResult struct {
	Rows        int
	Created     int
	Updated     int
	Unchanged   int
	InvalidRows int
	Errors      []RowError // at most maxRowErrors, in row order
}

// ImportRejected is an import that wrote nothing because the header or some rows are invalid:
// the error to answer (422) and the report that goes with it.
type ImportRejected struct {
	Err    *apperr.Error
	Result ImportResult
}

func (e *ImportRejected) Error() string { return e.Err.Error() }

// ImportInput is an uploaded file.
type ImportInput struct {
	Data []byte
	// Partial writes the valid rows and reports the others; by default any invalid row means
	// nothing is written.
	Partial bool
}

// importRow is one data row on its way in.
type importRow struct {
	num       int
	p         Profile // normalised; Phone / IDCard empty when the cell was blank or masked
	learnerID int64   // 学员编号, 0 when blank
	phoneMask string  // the cell when it held a masked phone
	idMask    string  // the cell when it held a masked ID number
	phoneOK   bool    // p.Phone is a valid mobile number
	idOK      bool    // p.IDCard is a valid ID number
	idIndex   string
	errs      []RowError

	match        *Row // the existing learner the row updates; nil creates one
	changed      []string
	phoneChanged bool
	idChanged    bool
}

func (r *importRow) fail(col, msg string) {
	r.errs = append(r.errs, RowError{Row: r.num, Column: header(col), Message: msg})
}

// Import creates and updates the actor's learners from an xlsx or CSV file (layout: the
// template). Rows are matched to existing learners by 学员编号, else by ID number, else by
// phone; a matched learner's changed fields are updated, any other row creates a learner and
// their account (with no usable password yet: see account.CreateImportedLearnerAccounts).
// Every lookup is done in bulk and every write in one transaction, with multi-row inserts.
// A masked phone or ID cell (as exports write them) keeps the learner's current value, and so
// does a blank ID cell: imports never remove an ID number.
func (s *Service) Import(ctx context.Context, actor auth.Actor, in ImportInput) (*ImportResult, error) {
	sheet, format, err := readSheet(in.Data, maxImportRows)
	if err != nil {
		return nil, err
	}
	dir, err := s.unitDirectory(ctx, actor)
	if err != nil {
		return nil, err
	}
	rows := make([]*importRow, 0, len(sheet))
	for _, sr := range sheet {
		rows = append(rows, s.parseRow(sr, dir))
	}
	markDuplicates(rows)
	if err := s.match(ctx, actor, rows); err != nil {
		return nil, err
	}
	res := &ImportResult{Rows: len(rows), Errors: []RowError{}}
	for _, r := range rows {
		if len(r.errs) > 0 {
			res.InvalidRows++
			res.Errors = append(res.Errors, r.errs[:min(len(r.errs), maxRowErrors-len(res.Errors))]...)
		}
	}
	if res.InvalidRows > 0 && !in.Partial {
		return nil, &ImportRejected{Err: apperr.Invalid("learner.import_invalid",
			fmt.Sprintf("有 %d 行数据有误，未导入任何数据", res.InvalidRows)), Result: *res}
	}
	err = database.WithTx(ctx, s.db, func(ctx context.Context) error {
		res.Created, res.Updated, res.Unchanged = 0, 0, 0
		var created []*importRow
		for _, r := range rows {
			switch {
			case len(r.errs) > 0:
			case r.match == nil:
				created = append(created, r)
			case len(r.changed) == 0:
				res.Unchanged++
			default:
				if err := s.updateImported(ctx, r); err != nil {
					return err
				}
				res.Updated++
			}
		}
		if err := s.createImported(ctx, created); err != nil {
			return err
		}
		res.Created = len(created)
		return s.record(ctx, actor, "learner.import", 0, map[string]any{"format": format, "partial": in.Partial,
			"rows": res.Rows, "created": res.Created, "updated": res.Updated, "unchanged": res.Unchanged, "invalid_rows": res.InvalidRows})
	})
	if err != nil {
		if e, ok := apperr.As(err); errors.Is(err, gorm.ErrDuplicatedKey) || errors.Is(err, gorm.ErrForeignKeyViolated) || (ok && e.Status == http.StatusConflict) {
			return nil, errImportConflict // someone wrote the same phone or ID number, or deleted a unit, meanwhile
		}
		return nil, err
	}
	return res, nil
}

var scientific = regexp.MustCompile(`^[0-9](\.[0-9]+)?[eE]\+?[0-9]+$`)

// parseRow reads and checks one row's cells on their own (the unit against the actor's subtree).
func (s *Service) parseRow(sr sheetRow, dir *unitDirectory) *importRow {
	r := &importRow{num: sr.num, p: Profile{Name: sr.get(colName), Position: sr.get(colPosition)}}
	if v := sr.get(colID); v != "" {
		id, err := strconv.ParseInt(normaliseNumber(v), 10, 64)
		if err != nil || id <= 0 {
			r.fail(colID, "须为导出文件中的学员编号（正整数）；新学员留空")
		} else {
			r.learnerID = id
		}
	}
	if v := sr.get(colUnit); v == "" {
		r.fail(colUnit, msgRequired)
	} else if u, msg := dir.resolve(v); u == nil {
		r.fail(colUnit, msg)
	} else {
		r.p.UnitID = u.ID
	}
	track, trackOK := ParseTrack(strings.ToLower(sr.get(colTrack)))
	switch {
	case sr.get(colTrack) == "":
		r.fail(colTrack, msgRequired)
	case !trackOK:
		r.fail(colTrack, "须为 领航、普及、精准 或 leader、general、judicial")
	}
	r.p.Track = TrackGeneral // a stand-in so validate does not report the track twice
	phone := sr.get(colPhone)
	switch {
	case phone == "":
		r.fail(colPhone, msgRequired)
	case strings.Contains(phone, "*"):
		r.phoneMask = phone
	default:
		r.p.Phone = normalisePhone(phone)
	}
	idCard := sr.get(colIDCard)
	if strings.Contains(idCard, "*") {
		r.idMask = idCard
	} else {
		r.p.IDCard = strings.ReplaceAll(idCard, " ", "")
	}
	if err := r.p.validate(r.p.Phone != ""); err != nil {
		e, _ := apperr.As(err)
		for _, f := range e.Fields {
			switch f.Field {
			case "name":
				r.fail(colName, f.Message)
			case "phone":
				r.fail(colPhone, f.Message)
			case "position":
				r.fail(colPosition, f.Message)
			case "id_card":
				if scientific.MatchString(idCard) {
					r.fail(colIDCard, "身份证号被当作数字保存，丢失了位数：请把该列设为文本格式后重新填写")
				} else {
					r.fail(colIDCard, f.Message)
				}
			}
		}
	}
	r.p.Track = track
	r.phoneOK = r.p.Phone != "" && account.IsMobile(r.p.Phone)
	r.idOK = r.p.IDCard != "" && ValidIDCard(r.p.IDCard)
	if r.idOK {
		r.idIndex = s.sealer.Index("id_card", r.p.IDCard)
	}
	return r
}

// normalisePhone drops separators and a +86 prefix, and undoes a spreadsheet's number format.
func normalisePhone(s string) string {
	s = strings.NewReplacer(" ", "", "-", "", "\u3000", "").Replace(s)
	s = strings.TrimPrefix(s, "+86")
	if len(s) == 13 && strings.HasPrefix(s, "86") {
		s = s[2:]
	}
	return normaliseNumber(s)
}

// normaliseNumber turns a spreadsheet's rendering of an integer ("13912340001.0",
// "1.3912340001E+10") back into its digits; anything else stays as it is.
func normaliseNumber(s string) string {
	if !strings.ContainsAny(s, ".eE") {
		return s
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f <= 0 || f >= 1e15 || f != math.Trunc(f) {
		return s
	}
	return strconv.FormatFloat(f, 'f', 0, 64)
}

// markDuplicates flags the second and later rows that repeat a phone, an ID number or a
// learner id of an earlier row.
func markDuplicates(rows []*importRow) {
	phones, ids, learners := map[string]int{}, map[string]int{}, map[int64]int{}
	for _, r := range rows {
		if r.phoneOK {
			if first, ok := phones[r.p.Phone]; ok {
				r.fail(colPhone, fmt.Sprintf("与第 %d 行的手机号重复", first))
			} else {
				phones[r.p.Phone] = r.num
			}
		}
		if r.idOK {
			if first, ok := ids[r.p.IDCard]; ok {
				r.fail(colIDCard, fmt.Sprintf("与第 %d 行的身份证号重复", first))
			} else {
				ids[r.p.IDCard] = r.num
			}
		}
		if r.learnerID > 0 {
			if first, ok := learners[r.learnerID]; ok {
				r.fail(colID, fmt.Sprintf("与第 %d 行的学员编号重复", first))
			} else {
				learners[r.learnerID] = r.num
			}
		}
	}
}

// importIndex is what the database already holds for a file's keys, loaded in bulk.
type importIndex struct {
	byID      map[int64]*Row
	byIDCard  map[string]*Row
	byAccount map[int64]*Row
	owners    map[string]account.PhoneOwner
}

func (s *Service) loadIndex(ctx context.Context, rows []*importRow) (*importIndex, error) {
	var ids []int64
	var idIndexes, phones []string
	for _, r := range rows {
		if r.learnerID > 0 {
			ids = append(ids, r.learnerID)
		}
		if r.idOK {
			idIndexes = append(idIndexes, r.idIndex)
		}
		if r.phoneOK {
			phones = append(phones, r.p.Phone)
		}
	}
	ix := &importIndex{byID: map[int64]*Row{}, byIDCard: map[string]*Row{}, byAccount: map[int64]*Row{}}
	byID, err := s.store.RowsByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i := range byID {
		ix.byID[byID[i].ID] = &byID[i]
	}
	byIDCard, err := s.store.RowsByIDCardIndexes(ctx, idIndexes)
	if err != nil {
		return nil, err
	}
	for i := range byIDCard {
		ix.byIDCard[*byIDCard[i].IDCardIndex] = &byIDCard[i]
	}
	if ix.owners, err = s.accounts.PhoneOwners(ctx, phones); err != nil {
		return nil, err
	}
	var learnerAccounts []int64
	for _, o := range ix.owners {
		if o.Role == auth.RoleLearner {
			learnerAccounts = append(learnerAccounts, o.AccountID)
		}
	}
	byAccount, err := s.store.RowsByAccountIDs(ctx, learnerAccounts)
	if err != nil {
		return nil, err
	}
	for i := range byAccount {
		ix.byAccount[byAccount[i].AccountID] = &byAccount[i]
	}
	return ix, nil
}

// match finds the learner each row updates, checks that its phone and ID number are not
// another person's, and works out what changes.
func (s *Service) match(ctx context.Context, actor auth.Actor, rows []*importRow) error {
	ix, err := s.loadIndex(ctx, rows)
	if err != nil {
		return err
	}
	matchedAt := map[int64]int{}
	var accountIDs []int64
	for _, r := range rows {
		s.matchRow(actor, ix, r)
		if r.match == nil {
			if r.learnerID == 0 { // a new learner needs real numbers
				if r.phoneMask != "" {
					r.fail(colPhone, msgMaskedNew)
				}
				if r.idMask != "" {
					r.fail(colIDCard, msgMaskedNew)
				}
			}
			continue
		}
		if first, ok := matchedAt[r.match.ID]; ok {
			r.fail(colName, fmt.Sprintf("与第 %d 行是同一名学员", first))
			continue
		}
		matchedAt[r.match.ID] = r.num
		accountIDs = append(accountIDs, r.match.AccountID)
	}
	phones, err := s.accounts.Phones(ctx, accountIDs)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if r.match != nil {
			s.diff(r, phones[r.match.AccountID])
		}
	}
	return nil
}

// matchRow picks the learner a row means: by 学员编号, else by ID number, else by phone.
func (s *Service) matchRow(actor auth.Actor, ix *importIndex, r *importRow) {
	owner, phoneHeld := account.PhoneOwner{}, false
	if r.phoneOK {
		owner, phoneHeld = ix.owners[r.p.Phone]
	}
	var byIDCard *Row
	if r.idOK {
		byIDCard = ix.byIDCard[r.idIndex]
	}
	if r.learnerID > 0 {
		m, ok := ix.byID[r.learnerID]
		if !ok || !actor.Covers(m.UnitPath) {
			r.fail(colID, "学员不存在或不在管辖范围内")
			return
		}
		if byIDCard != nil && byIDCard.ID != m.ID {
			r.fail(colIDCard, msgIDCardTaken)
		}
		if phoneHeld && owner.AccountID != m.AccountID {
			r.fail(colPhone, msgPhoneTaken)
		}
		r.match = m
		return
	}
	matchedBy := colIDCard
	m := byIDCard
	switch {
	case m != nil:
		if phoneHeld && owner.AccountID != m.AccountID {
			r.fail(colPhone, msgPhoneTaken)
		}
	case phoneHeld:
		matchedBy = colPhone
		if m = ix.byAccount[owner.AccountID]; m == nil { // the phone is an admin's or another account's
			r.fail(colPhone, msgPhoneTaken)
			return
		}
	default:
		return // a new learner
	}
	if !actor.Covers(m.UnitPath) { // someone else's learner: say no more than a create would
		if matchedBy == colIDCard {
			r.fail(colIDCard, msgIDCardTaken)
		} else {
			r.fail(colPhone, msgPhoneTaken)
		}
		return
	}
	r.match = m
}

// diff checks masked cells against the matched learner and lists the fields that change.
func (s *Service) diff(r *importRow, curPhone string) {
	m := r.match
	if r.phoneMask != "" && crypto.MaskPhone(curPhone) != r.phoneMask {
		r.fail(colPhone, msgMaskMismatch)
	}
	if r.idMask != "" && (m.IDCardEnc == nil || s.MaskedIDCard(m.Learner) != strings.ToUpper(r.idMask)) {
		r.fail(colIDCard, msgMaskMismatch)
	}
	add := func(field string, changed bool) {
		if changed {
			r.changed = append(r.changed, field)
		}
	}
	add("name", r.p.Name != m.Name)
	add("unit_id", r.p.UnitID != m.UnitID)
	add("track", r.p.Track != m.Track)
	add("position", r.p.Position != m.Position)
	r.idChanged = r.idOK && (m.IDCardIndex == nil || *m.IDCardIndex != r.idIndex)
	add("id_card", r.idChanged)
	r.phoneChanged = r.phoneOK && r.p.Phone != curPhone
	add("phone", r.phoneChanged)
}

// createImported inserts the new learners and their accounts, a multi-row INSERT per batch.
func (s *Service) createImported(ctx context.Context, rows []*importRow) error {
	if len(rows) == 0 {
		return nil
	}
	inputs := make([]account.LearnerAccountInput, 0, len(rows))
	for _, r := range rows {
		inputs = append(inputs, account.LearnerAccountInput{DisplayName: r.p.Name, UnitID: r.p.UnitID, Phone: r.p.Phone})
	}
	accountIDs, err := s.accounts.CreateImportedLearnerAccounts(ctx, inputs)
	if err != nil {
		return err
	}
	learners := make([]*Learner, 0, len(rows))
	for _, r := range rows {
		enc, idx, err := s.sealIDCard(r.p.IDCard)
		if err != nil {
			return err
		}
		accountID := accountIDs[r.p.Phone]
		if accountID == 0 {
			return fmt.Errorf("import: no account created for row %d", r.num)
		}
		learners = append(learners, &Learner{AccountID: accountID, UnitID: r.p.UnitID, Name: r.p.Name, Track: r.p.Track,
			Position: r.p.Position, IDCardEnc: enc, IDCardIndex: idx, Status: StatusActive})
	}
	return s.store.CreateBatch(ctx, learners)
}

// updateImported writes one matched row's changes to the learner and mirrors name, unit and
// phone to the account (a unit change signs the learner out, as an edit does).
func (s *Service) updateImported(ctx context.Context, r *importRow) error {
	m := r.match
	cols := map[string]any{}
	if r.p.Name != m.Name {
		cols["name"] = r.p.Name
	}
	if r.p.UnitID != m.UnitID {
		cols["unit_id"] = r.p.UnitID
	}
	if r.p.Track != m.Track {
		cols["track"] = r.p.Track
	}
	if r.p.Position != m.Position {
		cols["position"] = r.p.Position
	}
	if r.idChanged {
		enc, idx, err := s.sealIDCard(r.p.IDCard)
		if err != nil {
			return err
		}
		cols["id_card_enc"], cols["id_card_index"] = enc, idx
	}
	// The phone is kept on the account but shown as the learner's: a new revision either way.
	if len(cols) > 0 || r.phoneChanged {
		if err := s.store.Update(ctx, m.ID, cols); err != nil {
			return err
		}
	}
	// Summaries follow their learner's unit and track, as an edit moves them.
	if r.p.UnitID != m.UnitID || r.p.Track != m.Track {
		if err := s.credits.MoveLearner(ctx, m.ID, r.p.UnitID, string(r.p.Track)); err != nil {
			return err
		}
	}
	var profile account.LearnerProfile
	if r.p.Name != m.Name {
		profile.DisplayName = &r.p.Name
	}
	if r.p.UnitID != m.UnitID {
		profile.UnitID = &r.p.UnitID
	}
	if r.phoneChanged {
		profile.Phone = &r.p.Phone
	}
	if profile == (account.LearnerProfile{}) {
		return nil
	}
	return s.accounts.SyncLearnerProfile(ctx, m.AccountID, profile)
}
