package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/xuefa/xuefa/internal/wechat/wechatfake"
)

// manualText and ruleText mark the run's reminders.
func (j *journey) manualText() string {
	return "集群演练督促（" + j.run + "）：请抓紧完成本月学法任务。"
}
func (j *journey) ruleText() string {
	return "集群演练规则提醒（" + j.run + "）：学分落后，请抓紧学习。"
}

// bindWeChat has the laggards log in by WeChat, bind their learner accounts (phone and
// password) and accept the reminder template once: the manual reminder reaches them as a
// subscribe message at the fake WeChat too.
func (j *journey) bindWeChat() error {
	var err error
	if j.fakeCalls, err = j.fakeCounts(); err != nil {
		return fmt.Errorf("the fake WeChat API at %s: %w (cluster.sh up starts it)", j.wechat, err)
	}
	for k := range journeyLaggards {
		p := j.learners[journeyLearners+k]
		name := fmt.Sprintf("xfdrill-%s-b%d", j.run, k)
		c := j.newClient(900 + k)
		t, code := wechatLogin(c, name)
		if code != http.StatusOK {
			return fmt.Errorf("laggard %d logs in by WeChat: status %d %s", k, code, c.lastFailure())
		}
		c.token = t.AccessToken
		var bound wechatTokens
		if code := c.call(http.MethodPost, "/api/v1/auth/wechat/bind", map[string]string{"phone": p.username, "password": p.password}, &bound); code != http.StatusOK {
			return fmt.Errorf("laggard %d binds WeChat: status %d %s", k, code, c.lastFailure())
		}
		c.token = bound.AccessToken
		accept := map[string]any{"items": []any{map[string]string{"template_id": reminderTemplate, "result": "accept"}}}
		if code := c.call(http.MethodPut, "/api/v1/me/wechat-subscriptions", accept, nil); code != http.StatusOK {
			return fmt.Errorf("laggard %d accepts the reminder template: status %d %s", k, code, c.lastFailure())
		}
		j.bound = append(j.bound, wechatfake.OpenID(name))
	}
	return nil
}

// manualReminders sends one manual reminder to every learner of the run, as three taps at once
// on the three replicas: the taps take turns, so every learner is reminded once and the other
// taps skip them (throttled).
func (j *journey) manualReminders() {
	body := map[string]any{"campaign_id": j.campaign, "learner_ids": j.learnerIDs, "message": j.manualText(), "channels": []string{"inbox", "wechat"}}
	n := len(j.replicas)
	out, codes := make([]struct {
		Reminded int `json:"reminded"`
		Skipped  int `json:"skipped"`
	}, n), make([]int, n)
	each(n, func(r int) error {
		codes[r] = j.on(j.admin, r).call(http.MethodPost, "/api/v1/reminders", body, &out[r])
		return nil
	})
	reminded, skipped, ok := 0, 0, true
	for r := range out {
		reminded, skipped, ok = reminded+out[r].Reminded, skipped+out[r].Skipped, ok && codes[r] == http.StatusCreated
	}
	j.verdict.check("manual reminder", ok && reminded == len(j.learners) && skipped == (n-1)*len(j.learners),
		"one reminder of %d learners tapped on %d replicas at once: statuses %v, %d reminded, %d skipped as already reminded",
		len(j.learners), n, codes, reminded, skipped)
}

// reminderRule makes a credits_lagging rule for the run's unit, due since 00:00: the next
// minute's tick of some replica's scheduler runs it.
func (j *journey) reminderRule() error {
	rule := map[string]any{"campaign_id": j.campaign, "unit_id": j.unitID, "kind": "credits_lagging", "lag_status": "lagging",
		"send_at": "00:00", "channels": []string{"inbox"}, "min_interval_days": 1, "message": j.ruleText(), "enabled": true}
	var out idOnly
	if code := j.admin.call(http.MethodPost, "/api/v1/reminder-rules", rule, &out); code != http.StatusCreated {
		return fmt.Errorf("create the reminder rule: status %d %s", code, j.admin.lastFailure())
	}
	j.ruleID = out.ID
	j.ruleAt = time.Now()
	return nil
}

// reminders checks, once every replica's scheduler has ticked since the rule was made: the rule
// ran once (its reminders made in one run, one per learner, the laggards among them), every
// delivery was made once (each learner's inbox holds the manual reminder once and the rule's as
// often as it reminded them), and each bound learner got one subscribe message at the fake.
func (j *journey) reminders() {
	db, err := sql.Open("mysql", j.dsn)
	if err != nil {
		j.verdict.check("reminder rule", false, "%v", err)
		return
	}
	defer db.Close()
	time.Sleep(time.Until(j.ruleAt.Add(62 * time.Second)))
	perLearner, runs, claims, err := j.ruleRun(db)
	once, laggards := err == nil, err == nil
	for _, n := range perLearner {
		once = once && n == 1
	}
	for _, id := range j.learnerIDs[journeyLearners:] {
		laggards = laggards && (!j.lagging || perLearner[id] == 1)
	}
	j.verdict.check("reminder rule", once && laggards && runs <= 1 && claims <= 1 && (runs == 1 || !j.lagging),
		"made %.0f s before, run by one replica: %d claim, reminders made in %d run, %d learners reminded (each once: %v; laggards behind the calendar %v, reminded %v)%s",
		time.Since(j.ruleAt).Seconds(), claims, runs, len(perLearner), once, j.lagging, laggards, errSuffix(err))

	// The deliveries: wait until none of the run's is pending, then one more dispatch interval
	// (10 s) so a second sender would have shown, then read the inboxes through the balancer.
	ids := make([]string, len(j.learnerIDs))
	for i, id := range j.learnerIDs {
		ids[i] = strconv.FormatInt(id, 10)
	}
	pendingQuery := "SELECT COUNT(*) FROM reminder_deliveries d JOIN reminders r ON r.id = d.reminder_id WHERE d.status = 'pending' AND r.learner_id IN (" + strings.Join(ids, ",") + ")"
	pending := -1
	for waited := time.Now(); time.Since(waited) < 60*time.Second; time.Sleep(2 * time.Second) {
		if err := db.QueryRow(pendingQuery).Scan(&pending); err != nil || pending == 0 {
			break
		}
	}
	time.Sleep(11 * time.Second)
	ruleKnown := perLearner != nil
	errs := each(len(j.learners), func(i int) error {
		p := j.learners[i]
		var inbox struct {
			Items []struct {
				Body string `json:"body"`
			} `json:"items"`
		}
		if code := p.call(http.MethodGet, "/api/v1/me/messages?page_size=100", nil, &inbox); code != http.StatusOK {
			return fmt.Errorf("learner %d's inbox: status %d", i, code)
		}
		manual, rule := 0, 0
		for _, m := range inbox.Items {
			switch m.Body {
			case j.manualText():
				manual++
			case j.ruleText():
				rule++
			}
		}
		if manual != 1 || ruleKnown && rule != perLearner[j.learnerIDs[i]] || rule > 1 {
			return fmt.Errorf("learner %d's inbox holds the manual reminder %d times and the rule's %d times (reminded by the rule %d)", i, manual, rule, perLearner[j.learnerIDs[i]])
		}
		return nil
	})
	bad, first := firstError(errs)
	sent, err := j.fakeSent()
	perOpenID := map[string]int{}
	for _, s := range sent {
		perOpenID[s.ToUser]++
	}
	wechatOnce := err == nil
	var got []int
	for _, o := range j.bound {
		got = append(got, perOpenID[o])
		wechatOnce = wechatOnce && perOpenID[o] == 1
	}
	calls, _ := j.fakeCounts()
	j.verdict.check("reminder deliveries", pending == 0 && bad == 0 && wechatOnce,
		"pending deliveries left %d; %d inboxes read through the balancer, wrong %d%s; subscribe messages at the fake WeChat per bound learner %v%s; fake WeChat calls during the run: jscode2session %d, stable_token %d, subscribe/send %d",
		pending, len(j.learners), bad, errSuffix(first), got, errSuffix(err),
		calls["sns/jscode2session"]-j.fakeCalls["sns/jscode2session"], calls["cgi-bin/stable_token"]-j.fakeCalls["cgi-bin/stable_token"],
		calls["cgi-bin/message/subscribe/send"]-j.fakeCalls["cgi-bin/message/subscribe/send"])
}

// ruleRun reads the rule's reminders from the database, waiting up to a minute for its run when
// the laggards are behind: reminders per learner, the runs they were made in (their creation
// times) and the job_runs claims of the rule.
func (j *journey) ruleRun(db *sql.DB) (perLearner map[int64]int, runs, claims int, err error) {
	for waited := time.Now(); ; time.Sleep(2 * time.Second) {
		perLearner = map[int64]int{}
		rows, err := db.Query("SELECT learner_id, COUNT(*) FROM reminders WHERE rule_id = ? GROUP BY learner_id", j.ruleID)
		if err != nil {
			return nil, 0, 0, err
		}
		for rows.Next() {
			var id int64
			var n int
			if err := rows.Scan(&id, &n); err != nil {
				rows.Close()
				return nil, 0, 0, err
			}
			perLearner[id] = n
		}
		rows.Close()
		if len(perLearner) > 0 || !j.lagging || time.Since(waited) > 60*time.Second {
			break
		}
	}
	if err := db.QueryRow("SELECT COUNT(DISTINCT created_at) FROM reminders WHERE rule_id = ?", j.ruleID).Scan(&runs); err != nil {
		return nil, 0, 0, err
	}
	err = db.QueryRow("SELECT COUNT(*) FROM job_runs WHERE job = ?", fmt.Sprintf("reminder_rule:%d", j.ruleID)).Scan(&claims)
	return perLearner, runs, claims, err
}

func (j *journey) fakeCounts() (map[string]int, error) {
	calls := map[string]int{}
	return calls, getJSON(j.wechat+"/_drill/calls", &calls)
}

func (j *journey) fakeSent() ([]wechatfake.Sent, error) {
	var sent []wechatfake.Sent
	return sent, getJSON(j.wechat+"/_drill/sent", &sent)
}

func getJSON(url string, out any) error {
	res, err := http.Get(url)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: status %d", url, res.StatusCode)
	}
	return json.NewDecoder(res.Body).Decode(out)
}
