package event

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"math"
	"time"

	"gorm.io/gorm"

	"github.com/xuefa/xuefa/internal/audit"
	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/database"
)

// Check-in codes rotate every CodePeriod; a code is accepted in its own period and the next,
// so a QR code works for 30–60 s. Codes are issued and accepted only from CheckinOpensBefore the
// start until CheckinClosesAfter the end.
const (
	CodePeriod          = 30 * time.Second
	CheckinOpensBefore  = 30 * time.Minute
	CheckinClosesAfter  = 30 * time.Minute
	duplicateScanWindow = 5 * time.Minute
)

var (
	errCodeInvalid     = apperr.Invalid("checkin.invalid_code", "签到码无效", apperr.Field("token", "签到码无效"))
	errCodeExpired     = apperr.Invalid("checkin.code_expired", "签到码已过期，请扫描最新的二维码", apperr.Field("token", "已过期"))
	errCodeOtherEvent  = apperr.Invalid("checkin.wrong_event", "这是另一场活动的签到码", apperr.Field("token", "不属于本活动"))
	errOutsideWindow   = apperr.Conflict("checkin.outside_window", "不在签到时间内")
	errEventCancelled  = apperr.Conflict("checkin.event_cancelled", "活动已取消")
	errLocationNeeded  = apperr.Invalid("checkin.location_required", "本活动需要定位签到", apperr.Field("lat", "需要位置"), apperr.Field("lng", "需要位置"))
	errNotRegisteredIn = apperr.Conflict("checkin.not_registered", "本活动需报名后签到")
	errDuplicateScan   = apperr.Conflict("checkin.duplicate", "刚刚已签到，请在活动结束时再扫码签退")
	errCheckedOut      = apperr.Conflict("checkin.already_checked_out", "已签退")
	errAlreadyPresent  = apperr.Conflict("attendance.already_recorded", "该学员已有出勤记录")
)

// Code is a check-in code for the organiser's screen.
type Code struct {
	Token     string
	ExpiresAt time.Time // when this code stops being accepted
	RotatesAt time.Time // when the screen should fetch the next one
}

func (s *Service) sign(eventID, period int64) []byte {
	msg := make([]byte, 16)
	binary.BigEndian.PutUint64(msg[:8], uint64(eventID))
	binary.BigEndian.PutUint64(msg[8:], uint64(period))
	m := hmac.New(sha256.New, s.CodeKey)
	m.Write([]byte("xuefa/checkin/v1"))
	m.Write(msg)
	return append(msg, m.Sum(nil)[:16]...)
}

// CheckinCode issues the current code of an event to one of its organisers.
func (s *Service) CheckinCode(ctx context.Context, actor auth.Actor, eventID int64) (*Code, error) {
	r, err := s.organisedEvent(ctx, actor, eventID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if err := checkinOpen(r, now); err != nil {
		return nil, err
	}
	period := now.Unix() / int64(CodePeriod.Seconds())
	start := time.Unix(period*int64(CodePeriod.Seconds()), 0).UTC()
	return &Code{Token: base64.RawURLEncoding.EncodeToString(s.sign(eventID, period)),
		RotatesAt: start.Add(CodePeriod), ExpiresAt: start.Add(2 * CodePeriod)}, nil
}

func checkinOpen(r *Row, now time.Time) error {
	if r.Status == StatusCancelled {
		return errEventCancelled
	}
	if r.Status != StatusPublished || now.Before(r.StartsAt.Add(-CheckinOpensBefore)) || now.After(r.EndsAt.Add(CheckinClosesAfter)) {
		return errOutsideWindow
	}
	return nil
}

// verifyCode checks a scanned code's signature, event and age.
func (s *Service) verifyCode(token string, eventID int64, now time.Time) error {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) != 32 {
		return errCodeInvalid
	}
	codeEvent := int64(binary.BigEndian.Uint64(raw[:8]))
	period := int64(binary.BigEndian.Uint64(raw[8:16]))
	if !hmac.Equal(raw, s.sign(codeEvent, period)) {
		return errCodeInvalid
	}
	if codeEvent != eventID {
		return errCodeOtherEvent
	}
	current := now.Unix() / int64(CodePeriod.Seconds())
	if period > current || period < current-1 {
		return errCodeExpired
	}
	return nil
}

// Scan is a learner's check-in (or check-out) scan.
type Scan struct {
	Token    string
	Lat, Lng *float64
	Key      string // Idempotency-Key: a scan that repeats one gets the first answer back
}

// CheckinResult says what a scan did.
type CheckinResult struct {
	Attendance Attendance
	CheckedOut bool
	Credited   credit.Amount
}

// Checkin records a scan: the first is the check-in, a later one (after a few minutes) the
// check-out. Credit goes through the ledger once: at check-in when the event sets no minimum
// presence, else at check-out when presence reaches the minimum. A scan repeating the
// Idempotency-Key of an earlier one (a retry) gets that scan's answer and changes nothing.
func (s *Service) Checkin(ctx context.Context, actor auth.Actor, eventID int64, scan Scan) (*CheckinResult, error) {
	r, l, err := s.learnerEvent(ctx, actor, eventID)
	if err != nil {
		return nil, err
	}
	// A retry is answered before the checks: by now its code may have rotated out or the
	// window closed.
	if first, err := s.answered(ctx, eventID, l.LearnerID, scan.Key); first != nil || err != nil {
		return first, err
	}
	now := s.now()
	if err := checkinOpen(r, now); err != nil {
		return nil, err
	}
	if err := s.verifyCode(scan.Token, eventID, now); err != nil {
		return nil, err
	}
	if err := checkGeofence(r, scan); err != nil {
		return nil, err
	}
	out := &CheckinResult{}
	// READ COMMITTED: the locking read of a row not yet there locks no gap, so learners checking
	// in at once do not deadlock on the gap their rows go into (at REPEATABLE READ a crowd did,
	// past WithTx's retries: the cluster journey drill, docs/deployment.md). Two scans of one
	// learner still meet on the unique key: one inserts, the other gets errDuplicateScan.
	err = database.WithTxReadCommitted(ctx, s.DB, func(ctx context.Context) error {
		if r.RegistrationRequired {
			reg, err := s.Store.Registration(ctx, eventID, l.LearnerID)
			if err != nil || reg.Status != Registered {
				return errNotRegisteredIn
			}
		}
		a, err := s.Store.ScanRow(ctx, eventID, l.LearnerID)
		switch {
		case errors.Is(err, ErrNotFound):
			return s.checkIn(ctx, r, l, now, scan.Key, out)
		case err != nil:
			return err
		default:
			return s.checkOut(ctx, r, &a.Attendance, now, scan.Key, out)
		}
	})
	if err != nil {
		// The same key sent twice at once (a doubled retry): the request that took the row
		// first was waited for (row lock, or the insert's duplicate key) and answers for both.
		// A failed look-up leaves this scan's own error.
		if first, _ := s.answered(ctx, eventID, l.LearnerID, scan.Key); first != nil {
			return first, nil
		}
	}
	return out, err
}

// answered is the first answer to the scan of this learner and event that carried key; nil
// when none did (or there is no key).
func (s *Service) answered(ctx context.Context, eventID, learnerID int64, key string) (*CheckinResult, error) {
	if key == "" {
		return nil, nil
	}
	a, err := s.Store.ScanRow(ctx, eventID, learnerID)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return a.answer(key), nil
}

// answer rebuilds, from the row, the answer the scan carrying key got: the check-in's (the row
// as it stood then) or the check-out's; nil when neither carried it. Credit comes from one
// scan and credited_at is that scan's time, which tells whose answer carried the credit.
func (a *ScanRow) answer(key string) *CheckinResult {
	creditedAt := func(t time.Time) bool { return a.CreditedAt != nil && a.CreditedAt.Equal(t) }
	switch {
	case a.CheckinKey != nil && *a.CheckinKey == key:
		out := &CheckinResult{Attendance: a.Attendance}
		out.Attendance.CheckedOutAt, out.Attendance.CreditedAt = nil, nil
		if creditedAt(a.CheckedInAt) {
			out.Attendance.CreditedAt, out.Credited = a.CreditedAt, a.CreditsAwarded
		}
		return out
	case a.CheckoutKey != nil && *a.CheckoutKey == key:
		out := &CheckinResult{Attendance: a.Attendance, CheckedOut: true}
		if creditedAt(*a.CheckedOutAt) {
			out.Credited = a.CreditsAwarded
		}
		return out
	}
	return nil
}

// keyOrNil stores a missing key as NULL.
func keyOrNil(key string) *string {
	if key == "" {
		return nil
	}
	return &key
}

func (s *Service) checkIn(ctx context.Context, r *Row, l *LearnerFacts, now time.Time, key string, out *CheckinResult) error {
	row := &ScanRow{Attendance: Attendance{EventID: r.ID, LearnerID: l.LearnerID, CheckedInAt: now, Source: "qr"}, CheckinKey: keyOrNil(key)}
	if err := s.Store.CreateScanRow(ctx, row); err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return errDuplicateScan
		}
		return err
	}
	a := &row.Attendance
	out.Attendance = *a
	if err := s.emitAttendance(ctx, r, l, a); err != nil {
		return err
	}
	if r.MinMinutes == 0 {
		return s.credit(ctx, r, a, now, out)
	}
	return nil
}

// EventAttendanceRecorded is emitted when a check-in or a manual attendance is recorded.
const EventAttendanceRecorded = "event.attendance_recorded"

// AttendanceEvent is the data of an event.attendance_recorded webhook event (its schema is in
// the published contract: keep the swag tags).
type AttendanceEvent struct {
	EventID      int64      `json:"event_id"`
	EventType    Type       `json:"event_type"`
	CampaignID   int64      `json:"campaign_id"`
	LearnerID    int64      `json:"learner_id"`
	Source       string     `json:"source" enums:"qr,manual"`
	CheckedInAt  time.Time  `json:"checked_in_at" format:"date-time"`
	CheckedOutAt *time.Time `json:"checked_out_at,omitempty" format:"date-time"`
} // @name EventAttendanceRecordedEvent

// emitAttendance writes the webhook event in the attendance's transaction (for the learner's
// unit subtree).
func (s *Service) emitAttendance(ctx context.Context, r *Row, l *LearnerFacts, a *Attendance) error {
	if s.Events == nil {
		return nil
	}
	return s.Events.Emit(ctx, EventAttendanceRecorded, l.UnitPath, AttendanceEvent{EventID: r.ID, EventType: r.Type, CampaignID: r.CampaignID,
		LearnerID: a.LearnerID, Source: a.Source, CheckedInAt: a.CheckedInAt.UTC(), CheckedOutAt: ptrUTC(a.CheckedOutAt)})
}

func (s *Service) checkOut(ctx context.Context, r *Row, a *Attendance, now time.Time, key string, out *CheckinResult) error {
	if a.CheckedOutAt != nil {
		return errCheckedOut
	}
	if now.Sub(a.CheckedInAt) < duplicateScanWindow {
		return errDuplicateScan
	}
	if err := s.Store.UpdateAttendance(ctx, r.ID, a.LearnerID, map[string]any{"checked_out_at": now, "checkout_key": keyOrNil(key)}); err != nil {
		return err
	}
	a.CheckedOutAt, out.CheckedOut = &now, true
	out.Attendance = *a
	if r.MinMinutes > 0 && presence(r, a) >= time.Duration(r.MinMinutes)*time.Minute {
		return s.credit(ctx, r, a, now, out)
	}
	return nil
}

// presence is the time a learner was there, counted inside the event's own hours.
func presence(r *Row, a *Attendance) time.Duration {
	if a.CheckedOutAt == nil {
		return 0
	}
	from := a.CheckedInAt
	if from.Before(r.StartsAt) {
		from = r.StartsAt
	}
	to := *a.CheckedOutAt
	if to.After(r.EndsAt) {
		to = r.EndsAt
	}
	return max(to.Sub(from), 0)
}

// credit awards the event's attendance credit once, through the ledger.
func (s *Service) credit(ctx context.Context, r *Row, a *Attendance, now time.Time, out *CheckinResult) error {
	amount := r.Credits
	if amount == 0 {
		c, err := s.Campaigns.Facts(ctx, r.CampaignID)
		if err != nil {
			return err
		}
		amount = c.Rules.EventAttendance
	}
	if amount > 0 {
		res, err := s.Credits.Award(ctx, credit.Award{LearnerID: a.LearnerID, CampaignID: r.CampaignID, Source: credit.SourceEvent,
			SourceID: "event:" + itoa(int(r.ID)), Amount: amount, Reason: "参加活动《" + r.Title + "》"})
		if err != nil {
			return err
		}
		out.Credited = res.Credited
	}
	a.CreditedAt = &now
	out.Attendance.CreditedAt = &now
	return s.Store.UpdateAttendance(ctx, r.ID, a.LearnerID, map[string]any{"credited_at": now, "credits_awarded": out.Credited})
}

// checkGeofence refuses scans outside the event's circle, when it has one.
func checkGeofence(r *Row, scan Scan) error {
	if r.GeofenceLat == nil {
		return nil
	}
	if scan.Lat == nil || scan.Lng == nil {
		return errLocationNeeded
	}
	d := distanceM(*r.GeofenceLat, *r.GeofenceLng, *scan.Lat, *scan.Lng)
	if d > float64(*r.GeofenceRadiusM) {
		return apperr.Invalid("checkin.outside_geofence", "不在活动地点范围内", apperr.Field("lat",
			"距活动地点约 "+itoa(int(math.Round(d)))+" 米，超出 "+itoa(*r.GeofenceRadiusM)+" 米范围"))
	}
	return nil
}

// distanceM is the great-circle distance in metres (haversine).
func distanceM(lat1, lng1, lat2, lng2 float64) float64 {
	const earthRadius = 6371000.0
	rad := math.Pi / 180
	dLat, dLng := (lat2-lat1)*rad, (lng2-lng1)*rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * earthRadius * math.Asin(math.Sqrt(h))
}

// ManualInput marks a learner present by hand (no phone), with a reason.
type ManualInput struct {
	LearnerID    int64
	CheckedInAt  *time.Time // default: the event's start
	CheckedOutAt *time.Time // default: the event's end
	Reason       string
}

// MarkAttendance records a learner's presence by hand (organisers; audited) and credits it
// under the same rules as a scan.
func (s *Service) MarkAttendance(ctx context.Context, actor auth.Actor, eventID int64, in ManualInput) (*CheckinResult, error) {
	r, err := s.organisedEvent(ctx, actor, eventID)
	if err != nil {
		return nil, err
	}
	if r.Status == StatusCancelled || r.Status == StatusDraft {
		return nil, errClosedEvent
	}
	l, err := s.Learners.ByID(ctx, in.LearnerID)
	if err != nil || !s.inAudience(ctx, l, r) {
		return nil, apperr.Invalid("attendance.learner_not_in_audience", "该学员不在活动受众范围内", apperr.Field("learner_id", "不在活动受众范围内"))
	}
	now := s.now()
	if err := in.check(r, now); err != nil {
		return nil, err
	}
	out := &CheckinResult{}
	err = database.WithTx(ctx, s.DB, func(ctx context.Context) error {
		actorID := actor.AccountID
		a := &Attendance{EventID: eventID, LearnerID: in.LearnerID, CheckedInAt: in.CheckedInAt.UTC(), CheckedOutAt: ptrUTC(in.CheckedOutAt),
			Source: "manual", MarkedBy: &actorID, Reason: in.Reason}
		if err := s.Store.CreateAttendance(ctx, a); err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return errAlreadyPresent
			}
			return err
		}
		out.Attendance, out.CheckedOut = *a, a.CheckedOutAt != nil
		if err := s.emitAttendance(ctx, r, l, a); err != nil {
			return err
		}
		if r.MinMinutes == 0 || presence(r, a) >= time.Duration(r.MinMinutes)*time.Minute {
			if err := s.credit(ctx, r, a, now, out); err != nil {
				return err
			}
		}
		return s.Audit.Record(ctx, audit.Entry{Actor: &actor, Action: "event.mark_attendance", ResourceType: "event", ResourceID: eventID,
			Outcome: audit.Success, Detail: map[string]any{"learner_id": in.LearnerID, "reason": in.Reason}})
	})
	return out, err
}

// check refuses attendance recorded for what has not happened yet, and fills the times left
// out: from the start, to the end (or to now while the event is still on).
func (in *ManualInput) check(r *Row, now time.Time) error {
	if now.Before(r.StartsAt) {
		return errNotStartedYet
	}
	if in.CheckedInAt == nil {
		in.CheckedInAt = &r.StartsAt
	}
	if in.CheckedOutAt == nil {
		out := r.EndsAt
		if now.Before(out) {
			out = now
		}
		in.CheckedOutAt = &out
	}
	for field, t := range map[string]*time.Time{"checked_in_at": in.CheckedInAt, "checked_out_at": in.CheckedOutAt} {
		if t.After(now) {
			return apperr.Invalid("request.validation", "请求参数有误", apperr.Field(field, "不能晚于当前时间"))
		}
	}
	return nil
}

var errNotStartedYet = apperr.Conflict("event.not_started", "活动尚未开始，不能登记出席")

func ptrUTC(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
