// Package certificate issues the verifiable certificates of the year: each learner who met a
// closed campaign's target gets a code, and the facts the certificate states (masked name, unit,
// campaign, score band, status, issue date) as a JSON payload signed with Ed25519. Anyone can
// read a certificate by its code at a public endpoint and check the signature against the
// published keys, or offline from a printed QR code; admins revoke certificates of results
// corrected after the close, and a re-close after a reopen supersedes the earlier ones.
package certificate

import (
	"time"
)

// Certificate is one row.
type Certificate struct {
	ID           int64 `gorm:"primaryKey"`
	Code         string
	CampaignID   int64
	CloseNo      int
	LearnerID    int64
	KeyID        string
	Payload      string // the exact signed bytes: canonical JSON of a Statement
	Signature    string // standard base64 of the Ed25519 signature of Payload
	IssuedAt     time.Time
	RevokedAt    *time.Time
	RevokedBy    *int64
	RevokeReason *string
}

// TableName pins the table.
func (Certificate) TableName() string { return "certificates" }

// ReasonSuperseded is the revoke reason of certificates replaced by a later close of their
// campaign (after a reopen).
const ReasonSuperseded = "superseded"

// StatementVersion is the payload format's version ("v"): a change of the fields a certificate
// states is a new version, so verifiers know what they read.
const StatementVersion = 1

// Statement is what a certificate states: the signed payload, in this field order. Nothing else
// about the learner is in it (no score, no id number): the masked name, unit and campaign are
// what a reader checks against the person presenting it.
type Statement struct {
	Version    int    `json:"v"`
	Code       string `json:"code"`
	Name       string `json:"name"`   // masked: 张*三, 张*
	Unit       string `json:"unit"`   // the learner's unit at the close
	Issuer     string `json:"issuer"` // the campaign's organiser unit
	CampaignID int64  `json:"campaign_id"`
	Campaign   string `json:"campaign"`
	Year       int    `json:"year"` // of the campaign's start date
	StartDate  string `json:"start_date"`
	EndDate    string `json:"end_date"`
	Band       string `json:"band"`      // 优秀 / 良好 / 合格
	Status     string `json:"status"`    // met | exempt (met the lowered target of the exempt)
	StatusText string `json:"status_cn"` // 达标 / 达标（免考）
	IssuedOn   string `json:"issued_on"` // Asia/Shanghai date
	KeyID      string `json:"kid"`
}

// Score bands, by the 年度成绩 (0–100): a certificate states the band, not the score.
const (
	BandExcellent = "优秀" // ≥ 90
	BandGood      = "良好" // ≥ 80
	BandPass      = "合格" // met the target below 80
)

// bandOf is the band of a score in hundredths.
func bandOf(scoreHundredths int64) string {
	switch {
	case scoreHundredths >= 9000:
		return BandExcellent
	case scoreHundredths >= 8000:
		return BandGood
	default:
		return BandPass
	}
}

// maskName hides the middle of a name, the rule of the quiz's public winners list:
// 张三 → 张*, 张小三 → 张*三, 欧阳小明 → 欧**明.
func maskName(name string) string {
	r := []rune(name)
	switch len(r) {
	case 0:
		return ""
	case 1:
		return "*"
	case 2:
		return string(r[0]) + "*"
	}
	return string(r[0]) + stars(len(r)-2) + string(r[len(r)-1])
}

func stars(n int) string {
	out := make([]rune, n)
	for i := range out {
		out[i] = '*'
	}
	return string(out)
}
