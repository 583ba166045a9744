package yearend

import (
	"fmt"
	"math"
	"math/big"
	"strings"

	"github.com/xuefa/xuefa/internal/credit"
)

// Facts are everything one learner's year result is computed from: who they are, their credit
// summary in the campaign, the exam result that counts, whether they are exempt, and the counts
// the result records (events attended, 述法 reports approved).
type Facts struct {
	LearnerID      int64
	UnitID         int64
	UnitPath       string
	Name           string
	Track          string
	Summary        credit.Summary // zero when the learner has no credit in the campaign
	Exam           *ExamFacts     // nil: sat neither the formula's exam nor a make-up of it
	Exempt         bool
	EventsAttended int
	LawReports     int
}

// ExamFacts is the counted exam result: the best of the formula's main exam and its make-ups.
type ExamFacts struct {
	ExamID   int64
	Score    float64
	MaxScore float64
	Passed   bool
}

// Compute is the year result of one learner under formula f, with the campaign's per-track
// credit targets. It is pure: the same facts always give the same result (CloseNo 0, no time).
//
// The score is [min(credits / target, 1) × (100 − w) + exam / full × w] on a 0–100 scale, in
// hundredths, rounded half up once at the end (exact arithmetic, no float drift). A target of
// 0 counts as met (the credit part is whole). Exempt learners are scored on credits only
// (w taken as 0) against ExemptTargetPercent of their track's target.
func Compute(f Formula, campaignID int64, targets map[string]credit.Amount, in Facts) Result {
	r := Result{
		CampaignID: campaignID, LearnerID: in.LearnerID, UnitID: in.UnitID, UnitPath: in.UnitPath,
		LearnerName: in.Name, Track: in.Track, Exempt: in.Exempt,
		Credits: in.Summary.Total, Study: in.Summary.Study, Practice: in.Summary.Practice, ExamCredits: in.Summary.Exam,
		EventCredits: in.Summary.Event, Quiz: in.Summary.Quiz, Adjustment: in.Summary.Adjustment,
		EventsAttended: in.EventsAttended, LawReports: in.LawReports,
	}
	r.Target = targets[in.Track]
	if in.Exempt {
		r.Target = percentOf(r.Target, f.ExemptTargetPercent)
	}
	if e := in.Exam; e != nil {
		id, score, maxScore, passed := e.ExamID, e.Score, e.MaxScore, e.Passed
		r.ExamID, r.ExamScore, r.ExamMaxScore, r.ExamPassed = &id, &score, &maxScore, &passed
	}
	weight := f.ExamWeight
	if in.Exempt {
		weight = 0
	}
	var exam *ExamFacts
	if weight > 0 {
		exam = in.Exam
	}
	r.Score = score(r.Credits, r.Target, weight, exam)
	r.Met = r.Score >= f.PassScore
	switch {
	case in.Exempt:
		r.Status = StatusExempt
	case f.ExamWeight > 0 && in.Exam == nil:
		// The formula counts an exam the learner did not sit: 未参考, never 达标.
		r.Status, r.Met = StatusAbsent, false
	case r.Met:
		r.Status = StatusMet
	default:
		r.Status = StatusNotMet
	}
	return r
}

// percentOf is a × pct / 100 rounded half up (the exempt target).
func percentOf(a credit.Amount, pct int) credit.Amount {
	n := big.NewInt(int64(a))
	n.Mul(n, big.NewInt(int64(pct)))
	return credit.Amount(roundHalfUp(n, big.NewInt(100)))
}

// score is the 年度成绩 in hundredths of a point (0–10000).
func score(credits, target credit.Amount, weight int, exam *ExamFacts) credit.Amount {
	// Credit part as a fraction got/of: min(credits, target) / target, whole when target ≤ 0.
	got, of := int64(max(min(credits, target), 0)), int64(target)
	if target <= 0 {
		got, of = 1, 1
	}
	// Exam part as a fraction eh/mh, in hundredths of a point so REAL scores stay exact.
	eh, mh := int64(0), int64(1)
	if exam != nil && exam.MaxScore > 0 {
		eh, mh = hundredths(exam.Score), hundredths(exam.MaxScore)
		eh = min(max(eh, 0), mh)
	}
	// score_h = 100 × [(100 − w) × got/of + w × eh/mh] = 100 × [(100−w)·got·mh + w·eh·of] / (of·mh)
	num := new(big.Int).Mul(big.NewInt(int64(100-weight)*got), big.NewInt(mh))
	num.Add(num, new(big.Int).Mul(big.NewInt(int64(weight)*eh), big.NewInt(of)))
	num.Mul(num, big.NewInt(100))
	den := new(big.Int).Mul(big.NewInt(of), big.NewInt(mh))
	return credit.Amount(roundHalfUp(num, den))
}

// hundredths is a REAL exam score in hundredths of a point (scores carry at most two decimals).
func hundredths(v float64) int64 { return int64(math.Round(v * 100)) }

// roundHalfUp is num/den rounded half up, for num ≥ 0 and den > 0.
func roundHalfUp(num, den *big.Int) int64 {
	n := new(big.Int).Mul(num, big.NewInt(2))
	n.Add(n, den)
	return n.Quo(n, new(big.Int).Mul(den, big.NewInt(2))).Int64()
}

// Explain says in plain words how a result was obtained under formula f, in the spirit of the
// credit explanation: the formula, the credit part, the exam part, the score and the status.
// It reads only the result and the formula, so a frozen result is explained by the formula its
// close froze.
func Explain(f Formula, r Result) []string {
	weight := f.ExamWeight
	if r.Exempt {
		weight = 0
	}
	lines := []string{formulaText(f)}
	ratio := creditRatio(r.Credits, r.Target)
	target := fmt.Sprintf("%s类学分目标 %s 学分", trackLabel(r.Track), r.Target)
	if r.Exempt {
		target = fmt.Sprintf("已免考，学分目标按%s类目标的 %d%% 计为 %s 学分", trackLabel(r.Track), f.ExemptTargetPercent, r.Target)
	}
	lines = append(lines, fmt.Sprintf("%s，已得 %s 学分（%s），完成度 %s%%%s。", target, r.Credits, bySourceText(r),
		ratio.FloatString(1), map[bool]string{true: "（超过目标按 100% 计）", false: ""}[r.Target > 0 && r.Credits > r.Target]))
	if r.Target <= 0 {
		lines[len(lines)-1] = fmt.Sprintf("%s为 0，视为已完成；已得 %s 学分（%s）。", target, r.Credits, bySourceText(r))
	}
	lines = append(lines, fmt.Sprintf("日常学法部分：完成度 × %d = %s 分。", 100-weight, pointsText(creditPart(r, weight))))
	lines = append(lines, examText(f, r, weight))
	lines = append(lines, fmt.Sprintf("年度成绩 %s 分（保留两位小数，四舍五入），合格线 %s 分：%s。", r.Score, f.PassScore, statusText(f, r)))
	lines = append(lines, fmt.Sprintf("本活动参加法治活动 %d 次，述法报告通过 %d 篇。", r.EventsAttended, r.LawReports))
	return lines
}

func formulaText(f Formula) string {
	if f.ExamWeight == 0 {
		return fmt.Sprintf("年度成绩 = 学分完成度 × 100（不计考试），合格线 %s 分。", f.PassScore)
	}
	return fmt.Sprintf("年度成绩 = 学分完成度 × %d + 考试得分率 × %d（取主考与补考中的最高分），合格线 %s 分；免考人员只按学分完成度计。",
		100-f.ExamWeight, f.ExamWeight, f.PassScore)
}

// creditRatio is the credit completion in percent, capped at 100 (100 when the target is 0).
func creditRatio(credits, target credit.Amount) *big.Rat {
	if target <= 0 {
		return big.NewRat(100, 1)
	}
	return big.NewRat(int64(max(min(credits, target), 0))*100, int64(target))
}

// creditPart is the credit part of the score in hundredths of a point (rounded on its own for
// the explanation; the score itself is rounded once, so the parts may differ from it by 0.01).
func creditPart(r Result, weight int) credit.Amount { return score(r.Credits, r.Target, weight, nil) }

// examPart is the exam part of the score in hundredths of a point (same rounding note).
func examPart(r Result, weight int) credit.Amount {
	if r.ExamScore == nil || r.ExamMaxScore == nil {
		return 0
	}
	return score(0, 1, weight, &ExamFacts{Score: *r.ExamScore, MaxScore: *r.ExamMaxScore})
}

func examText(f Formula, r Result, weight int) string {
	sat := ""
	if r.ExamID != nil {
		which := "主考"
		if f.ExamID != nil && *r.ExamID != *f.ExamID {
			which = "补考"
		}
		pass := "未及格"
		if r.ExamPassed != nil && *r.ExamPassed {
			pass = "及格"
		}
		sat = fmt.Sprintf("计入%s（考试编号 %d）成绩 %s / %s 分，%s", which, *r.ExamID, scoreText(*r.ExamScore), scoreText(*r.ExamMaxScore), pass)
	}
	switch {
	case f.ExamWeight == 0 && sat == "":
		return "考试部分：本活动的年度成绩不计考试。"
	case f.ExamWeight == 0:
		return "考试部分：本活动的年度成绩不计考试（" + sat + "，仅作记录）。"
	case r.Exempt && sat == "":
		return "考试部分：免考，不计考试。"
	case r.Exempt:
		return "考试部分：免考，不计考试（" + sat + "，仅作记录）。"
	case sat == "":
		return "考试部分：未参加考试（主考和补考均未参加），计 0 分，状态为未参考。"
	}
	return fmt.Sprintf("考试部分：%s；得分率 × %d = %s 分。", sat, weight, pointsText(examPart(r, weight)))
}

func statusText(f Formula, r Result) string {
	switch r.Status {
	case StatusExempt:
		if r.Met {
			return "免考，已达到免考目标（达标）"
		}
		return "免考，未达到免考目标（未达标）"
	case StatusAbsent:
		return "未参考（未参加计分考试，不能达标）"
	case StatusMet:
		return "达标"
	}
	return fmt.Sprintf("未达标（还差 %s 分）", f.PassScore-r.Score)
}

func bySourceText(r Result) string {
	parts := []string{}
	for _, p := range []struct {
		src credit.Source
		a   credit.Amount
	}{{credit.SourceStudy, r.Study}, {credit.SourcePractice, r.Practice}, {credit.SourceExam, r.ExamCredits},
		{credit.SourceEvent, r.EventCredits}, {credit.SourceQuiz, r.Quiz}, {credit.SourceAdjustment, r.Adjustment}} {
		parts = append(parts, fmt.Sprintf("%s %s", p.src.Label(), p.a))
	}
	return strings.Join(parts, "，")
}

// pointsText prints hundredths of a point as a score ("87.5").
func pointsText(a credit.Amount) string { return a.String() }

// scoreText prints a REAL exam score without float noise.
func scoreText(v float64) string { return credit.Amount(hundredths(v)).String() }

func trackLabel(t string) string {
	return map[string]string{"leader": "领航", "general": "普及", "judicial": "精准"}[t]
}
