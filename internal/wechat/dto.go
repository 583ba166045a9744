package wechat

import (
	"time"

	"github.com/xuefa/xuefa/internal/account"
)

// LoginRequest carries the code from wx.login.
type LoginRequest struct {
	Code string `json:"code" binding:"required,max=128" example:"dev-alice"`
} // @name WeChatLoginRequest

// LoginResponse is a token pair; new_user is true at an openid's first login.
type LoginResponse struct {
	account.TokenResponse
	NewUser bool `json:"new_user" example:"true"`
} // @name WeChatLoginResponse

// BindRequest proves the caller is a learner: phone and password, or phone_code from the
// getPhoneNumber button.
type BindRequest struct {
	Phone     string `json:"phone" binding:"omitempty,len=11,numeric" example:"13800000001" validate:"optional"`
	Password  string `json:"password" binding:"omitempty,max=128" example:"Xuefa@2026" validate:"optional"`
	PhoneCode string `json:"phone_code" binding:"omitempty,max=128" example:"" validate:"optional"`
} // @name WeChatBindRequest

// SubscriptionResultItem is one template's answer from wx.requestSubscribeMessage.
type SubscriptionResultItem struct {
	TemplateID string `json:"template_id" binding:"required,max=128" example:"tmpl-reminder"`
	Result     string `json:"result" binding:"required,oneof=accept reject ban filter" example:"accept" enums:"accept,reject,ban,filter"`
} // @name WeChatSubscriptionResult

// SubscriptionsRequest records wx.requestSubscribeMessage's answers.
type SubscriptionsRequest struct {
	Items []SubscriptionResultItem `json:"items" binding:"required,min=1,max=20,dive" `
} // @name WeChatSubscriptionsRequest

// SubscriptionView is how many messages of a template may still be sent.
type SubscriptionView struct {
	TemplateID string    `json:"template_id" example:"tmpl-reminder"`
	Remaining  int       `json:"remaining" example:"1"`
	Status     string    `json:"status" example:"active" enums:"active,declined"`
	UpdatedAt  time.Time `json:"updated_at" format:"date-time"`
} // @name WeChatSubscription

// SubscriptionList is the caller's allowances.
type SubscriptionList struct {
	Items []SubscriptionView `json:"items"`
} // @name WeChatSubscriptionList

func (r BindRequest) toInput() BindInput {
	return BindInput{Phone: r.Phone, Password: r.Password, PhoneCode: r.PhoneCode}
}

func (r SubscriptionsRequest) toResults() []SubscriptionResult {
	out := make([]SubscriptionResult, 0, len(r.Items))
	for _, it := range r.Items {
		out = append(out, SubscriptionResult{TemplateID: it.TemplateID, Result: it.Result})
	}
	return out
}

func toSubscriptionList(subs []Subscription) SubscriptionList {
	out := SubscriptionList{Items: make([]SubscriptionView, 0, len(subs))}
	for _, s := range subs {
		out.Items = append(out.Items, SubscriptionView{TemplateID: s.TemplateID, Remaining: s.Remaining, Status: s.Status, UpdatedAt: s.UpdatedAt})
	}
	return out
}
