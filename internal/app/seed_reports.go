package app

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/xuefa/xuefa/internal/account"
	"github.com/xuefa/xuefa/internal/consultation"
	"github.com/xuefa/xuefa/internal/lawreport"
	"github.com/xuefa/xuefa/internal/platform/auth"
)

// seedReportsAndConsultations adds a 述法 report by the leader-track learner 王芳 (华阳镇) in the
// demo campaign, waiting for review, and a consultation by 张伟 answered by the county admin.
func (a *App) seedReportsAndConsultations(ctx context.Context, system auth.Actor, out io.Writer) error {
	wang, err := a.learnerActor(ctx, "13800000002")
	if err != nil {
		return err
	}
	running, err := a.Campaigns.ActiveFor(ctx, wang.UnitPath)
	if err != nil {
		return err
	}
	if len(running) == 0 {
		return errors.New("seed reports: no running campaign")
	}
	campaignID := running[0].ID
	if _, err := a.LawReports.Create(ctx, wang, lawreport.Input{CampaignID: campaignID, Content: lawreport.Content{
		Title: "华阳镇副镇长 2026 年度述法报告",
		Body: "一、履行推进法治建设第一责任人职责情况：带头学习宪法和民法典，组织镇党委理论学习中心组专题学法 4 次。\n" +
			"二、依法决策情况：重大行政决策均经合法性审查和集体讨论，全年未发生行政复议被纠错案件。\n" +
			"三、存在的不足和下一步打算：基层执法队伍法治培训覆盖面仍需扩大，明年将推动“以案释法”进村入企。",
		Attachments: []string{"https://www.jixi.gov.cn/"},
	}}); err != nil {
		return fmt.Errorf("seed law report: %w", err)
	}

	zhang, err := a.learnerActor(ctx, "13800000001")
	if err != nil {
		return err
	}
	asked, err := a.Consultations.Ask(ctx, zhang, consultation.AskInput{CampaignID: campaignID,
		Question: "单位拖欠工资三个月，劳动者可以向哪些部门投诉或申请仲裁？需要准备哪些材料？"})
	if err != nil {
		return fmt.Errorf("seed consultation: %w", err)
	}
	admins, _, err := a.Accounts.List(ctx, system, account.ListInput{UnitID: system.UnitID, Role: auth.RoleAdmin, Limit: 1})
	if err != nil {
		return err
	}
	answerer := system
	if len(admins) > 0 {
		r := admins[0]
		answerer = auth.Actor{AccountID: r.ID, Name: r.DisplayName, Role: r.Role, UnitID: r.UnitID, UnitPath: r.UnitPath}
	}
	if _, err := a.Consultations.Answer(ctx, answerer, asked.Row.ID,
		"可以向用人单位所在地的劳动保障监察机构投诉，也可以向劳动人事争议仲裁委员会申请仲裁（时效一年）。"+
			"请准备劳动合同或工资条、考勤记录等能证明劳动关系和欠薪数额的材料；经济困难的可以向县法律援助中心申请法律援助。"); err != nil {
		return fmt.Errorf("seed consultation answer: %w", err)
	}
	fmt.Fprintln(out, "  a 述法 report by 王芳 (13800000002) awaiting review, and an answered consultation by 张伟")
	return nil
}

// learnerActor acts as a demo learner (found by phone).
func (a *App) learnerActor(ctx context.Context, phone string) (auth.Actor, error) {
	accountID, err := a.Accounts.AccountIDByPhone(ctx, phone)
	if err != nil {
		return auth.Actor{}, err
	}
	l, err := a.Learners.ForAccount(ctx, accountID)
	if err != nil {
		return auth.Actor{}, err
	}
	return auth.Actor{AccountID: accountID, Name: l.Name, Role: auth.RoleLearner, UnitID: l.UnitID, UnitPath: l.UnitPath}, nil
}
