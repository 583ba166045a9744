package certificate_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
)

type myCertificates struct {
	Items []struct {
		Code         string  `json:"code"`
		Name         string  `json:"name"`
		Status       string  `json:"status"`
		Revoked      bool    `json:"revoked"`
		RevokeReason *string `json:"revoke_reason"`
	} `json:"items"`
	Total int `json:"total"`
}

// The whole path through the API: a learner meets the target, the county closes the campaign,
// the learner finds their certificate and the public check verifies it; a reopen and a second
// close supersede it with a new one. Learners who did not meet the target get none.
func TestCloseIssuesVerifiableCertificates(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		cid := demoCampaign(t, e)
		county, zhang := e.Token("admin"), e.Token("13800000001")
		var zhangID int64
		require.NoError(t, e.DB.Table("learners").Select("id").Where("name = ?", "张伟").Scan(&zhangID).Error)
		adjust := e.Call(http.MethodPost, "/api/v1/credits/adjustments", county,
			map[string]any{"learner_id": zhangID, "campaign_id": cid, "amount": 30, "reason": "线下集中学习补录"})
		require.Equal(t, http.StatusCreated, adjust.Status, "%s", adjust.Body)

		closePath := fmt.Sprintf("/api/v1/campaigns/%d/close", cid)
		closed := e.Call(http.MethodPost, closePath, county, nil)
		require.Equal(t, http.StatusOK, closed.Status, "%s", closed.Body)

		var mine myCertificates
		e.Call(http.MethodGet, "/api/v1/me/certificates", zhang, nil).JSON(t, &mine)
		require.Equal(t, 1, mine.Total, "张伟 reached the general track's 30 credits")
		first := mine.Items[0]
		assert.Equal(t, "张*", first.Name)
		assert.Equal(t, "met", first.Status)
		assert.False(t, first.Revoked)

		pub := e.Call(http.MethodGet, certPath(first.Code), "", nil)
		require.Equal(t, http.StatusOK, pub.Status)
		stated, err := verifyCertificate(pub.Body, e.Call(http.MethodGet, "/api/v1/certificates/keys", "", nil).Body)
		require.NoError(t, err)
		assert.Equal(t, first.Code, stated["code"])
		assert.Equal(t, "第九个机关集中学法月", stated["campaign"])

		var none myCertificates
		e.Call(http.MethodGet, "/api/v1/me/certificates", e.Token("13800000003"), nil).JSON(t, &none)
		assert.Zero(t, none.Total, "李娜 has no credits")

		reopen := e.Call(http.MethodPost, fmt.Sprintf("/api/v1/campaigns/%d/reopen", cid), county, map[string]any{"reason": "复核更正"})
		require.Equal(t, http.StatusOK, reopen.Status, "%s", reopen.Body)
		require.Equal(t, http.StatusOK, e.Call(http.MethodPost, closePath, county, nil).Status)

		var after myCertificates
		e.Call(http.MethodGet, "/api/v1/me/certificates", zhang, nil).JSON(t, &after)
		require.Equal(t, 2, after.Total)
		assert.NotEqual(t, first.Code, after.Items[0].Code, "the second close issued a new certificate")
		assert.False(t, after.Items[0].Revoked)
		assert.Equal(t, first.Code, after.Items[1].Code)
		assert.True(t, after.Items[1].Revoked)
		assert.Equal(t, "superseded", *after.Items[1].RevokeReason)
		assert.Equal(t, true, e.Call(http.MethodGet, certPath(first.Code), "", nil).Map(t)["revoked"])
	})
}
