// The calls the WeChat mini-program makes, written against the client generated from
// api/openapi.yaml (openapi-typescript → api.d.ts, gitignored, made by .ci/run). If the
// contract changes in a way that breaks these calls, `tsc` fails in CI.
//
// The quiz play submission joins this file when the quiz endpoints land (issue: quiz); until
// then the learner's write is the study heartbeat and the event check-in.
import createClient from "openapi-fetch";
import type { paths, components } from "./api";

type Standing = components["schemas"]["CreditStanding"];
type ErrorResponse = components["schemas"]["ErrorResponse"];

// Response properties are optional in the generated types (swag runs with
// --requiredByDefault=false), so every read says what it does when one is absent.
function fail(e: ErrorResponse): never {
  throw new Error(`${e.error?.code ?? "unknown"}: ${e.error?.message ?? ""} (request ${e.request_id ?? "?"})`);
}

const api = createClient<paths>({ baseUrl: "https://xuefa.example.gov.cn" });

export async function login(phone: string, password: string): Promise<string> {
  const { data, error } = await api.POST("/api/v1/auth/login", { body: { username: phone, password } });
  if (error) fail(error);
  if (!data.access_token) throw new Error("login answered no access_token");
  return data.access_token;
}

// WeChat login: the wx.login() code → tokens of the participant, or of the bound learner.
export async function wechatLogin(code: string): Promise<{ token: string; newUser: boolean }> {
  const { data, error } = await api.POST("/api/v1/auth/wechat", { body: { code } });
  if (error) fail(error);
  if (!data.access_token) throw new Error("wechat login answered no access_token");
  return { token: data.access_token, newUser: data.new_user ?? false };
}

// A participant proves they are a learner by phone and password; the answer is the learner's token.
export async function wechatBind(participantToken: string, phone: string, password: string): Promise<string> {
  const { data, error } = await api.POST("/api/v1/auth/wechat/bind", {
    headers: { Authorization: `Bearer ${participantToken}` },
    body: { phone, password },
  });
  if (error) fail(error);
  return data.access_token ?? "";
}

export async function myCredits(token: string, campaignId?: number): Promise<Standing> {
  const { data, error } = await api.GET("/api/v1/me/credits", {
    headers: { Authorization: `Bearer ${token}` },
    params: { query: campaignId === undefined ? {} : { campaign_id: campaignId } },
  });
  if (error) fail(error);
  const total: number = data.total ?? 0;
  const percent: number = data.percent ?? 0;
  console.log(`学分 ${total}（${percent}%）`, data.explanation);
  return data;
}

export async function heartbeat(token: string, sessionId: number, position: number): Promise<void> {
  const { error } = await api.PUT("/api/v1/study-sessions/{id}/heartbeat", {
    headers: { Authorization: `Bearer ${token}` },
    params: { path: { id: sessionId } },
    body: { position },
  });
  if (error) fail(error);
}

export async function checkIn(token: string, eventId: number, code: string, lat?: number, lng?: number): Promise<void> {
  const body: components["schemas"]["CheckinRequest"] = { token: code };
  if (lat !== undefined && lng !== undefined) {
    body.lat = lat;
    body.lng = lng;
  }
  const { error } = await api.POST("/api/v1/events/{id}/checkins", {
    headers: { Authorization: `Bearer ${token}`, "Idempotency-Key": crypto.randomUUID() },
    params: { path: { id: eventId } },
    body,
  });
  if (error) fail(error);
}

// An integrator: client-credentials token, then a learner's credits.
export async function integratorCredits(clientId: string, secret: string, learnerId: number, campaignId: number): Promise<Standing> {
  const tok = await api.POST("/api/v1/auth/token", {
    body: { grant_type: "client_credentials", client_id: clientId, client_secret: secret, scope: "credits:read" },
    bodySerializer: (b) => new URLSearchParams(b as Record<string, string>).toString(),
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
  });
  if (tok.error) fail(tok.error);
  const { data, error } = await api.GET("/api/v1/learners/{id}/credits", {
    headers: { Authorization: `Bearer ${tok.data.access_token ?? ""}` },
    params: { path: { id: learnerId }, query: { campaign_id: campaignId } },
  });
  if (error) fail(error);
  return data;
}
