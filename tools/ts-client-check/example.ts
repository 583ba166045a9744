// The calls the WeChat mini-program makes, written against the client generated from
// api/openapi.yaml (openapi-typescript → api.d.ts, gitignored, made by .ci/run) and compiled
// with --strict, exactOptionalPropertyTypes and no `any`. If the contract changes in a way that
// breaks these calls, `tsc` fails in CI; run.ts then drives them against a running server.
//
// Every property the server always sends is required in the generated types, and a property
// with no value is `null` (never absent), so reads below need no `?? fallback`.
import createClient from "openapi-fetch";
import type { paths, components } from "./api";

type Schemas = components["schemas"];
type ErrorResponse = Schemas["ErrorResponse"];
type OAuthError = Schemas["OAuthError"];

// The mini-program runtime has no fetch: wx.request is the only way out. These are the parts
// of its API the adapter uses (https://developers.weixin.qq.com/miniprogram/dev/api/network/request/wx.request.html).
export interface WxRequestSuccess {
  data: string;
  statusCode: number;
  header: Record<string, string>;
}
export interface WxRequestOptions {
  url: string;
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  header: Record<string, string>;
  data?: string;
  dataType: "其他";
  responseType: "text";
  success: (res: WxRequestSuccess) => void;
  fail: (err: { errMsg: string }) => void;
}
declare const wx: { request(options: WxRequestOptions): void };

// wxFetch adapts wx.request to the fetch signature openapi-fetch calls. The body is passed and
// read as text, so JSON parsing stays in openapi-fetch and error bodies are typed like successes.
export async function wxFetch(req: Request): Promise<Response> {
  const header: Record<string, string> = {};
  req.headers.forEach((value, name) => {
    header[name] = value;
  });
  const body = req.method === "GET" ? undefined : await req.text();
  const method = req.method as WxRequestOptions["method"];
  return new Promise<Response>((resolve, reject) => {
    const options: WxRequestOptions = {
      url: req.url,
      method,
      header,
      dataType: "其他",
      responseType: "text",
      success: (res) => resolve(new Response(res.statusCode === 204 ? null : res.data, { status: res.statusCode, headers: res.header })),
      fail: (err) => reject(new Error(err.errMsg)),
    };
    if (body !== undefined) options.data = body;
    wx.request(options);
  });
}

let api = createClient<paths>({ baseUrl: "https://xuefa.example.gov.cn", fetch: wxFetch });
// An integrator's or admin tool's client runs on a server: plain fetch.
let server = createClient<paths>({ baseUrl: "https://xuefa.example.gov.cn" });

// useServer points the clients at another server (run.ts: the one CI started).
export function useServer(baseUrl: string): void {
  api = createClient<paths>({ baseUrl, fetch: wxFetch });
  server = createClient<paths>({ baseUrl });
}

function fail(e: ErrorResponse): never {
  const fields = e.error.fields.map((f) => `${f.field}: ${f.message}`).join("; ");
  throw new Error(`${e.error.code}: ${e.error.message} ${fields} (request ${e.request_id})`);
}

// /auth/token answers RFC 6749 §5.2 errors; a body too large or a rate limit keeps the envelope.
function failToken(e: OAuthError | ErrorResponse): never {
  if (typeof e.error === "string") {
    const oauth = e as OAuthError;
    throw new Error(`${oauth.error} (${oauth.error_code}): ${oauth.error_description} (request ${oauth.request_id})`);
  }
  return fail(e as ErrorResponse);
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

export async function login(phone: string, password: string): Promise<string> {
  const { data, error } = await api.POST("/api/v1/auth/login", { body: { username: phone, password } });
  if (error) fail(error);
  return data.access_token;
}

// WeChat login: the wx.login() code → tokens of the participant, or of the bound learner.
export async function wechatLogin(code: string): Promise<{ token: string; newUser: boolean; role: string }> {
  const { data, error } = await api.POST("/api/v1/auth/wechat", { body: { code } });
  if (error) fail(error);
  return { token: data.access_token, newUser: data.new_user, role: data.account.role };
}

// A participant proves they are a learner by phone and password; the answer is the learner's token.
export async function wechatBind(participantToken: string, phone: string, password: string): Promise<string> {
  const { data, error } = await api.POST("/api/v1/auth/wechat/bind", {
    headers: bearer(participantToken),
    body: { phone, password },
  });
  if (error) fail(error);
  return data.access_token;
}

// The quiz: the rounds open now → a play (the server times it) → submit → the board.
export async function playQuiz(token: string, pick: (q: Schemas["QuizPlayQuestion"]) => string): Promise<Schemas["QuizLeaderboard"]> {
  const rounds = await api.GET("/api/v1/quiz/rounds/current", { headers: bearer(token) });
  if (rounds.error) fail(rounds.error);
  const round = rounds.data.items.find((r) => !r.closed && r.plays_left > 0);
  if (round === undefined) throw new Error("no round open to play");

  const play = await api.POST("/api/v1/quiz/rounds/{id}/plays", { headers: bearer(token), params: { path: { id: round.id } } });
  if (play.error) fail(play.error);
  console.log(`${round.activity_name} ${round.name}：${play.data.questions.length} 题，截止 ${play.data.deadline}`);

  const answers: Schemas["QuizAnswer"][] = play.data.questions.map((q) => ({ question_id: q.question_id, answer: pick(q) }));
  const result = await api.POST("/api/v1/quiz/plays/{id}/submit", {
    headers: { ...bearer(token), "Idempotency-Key": crypto.randomUUID() },
    params: { path: { id: play.data.id } },
    body: { answers },
  });
  if (result.error) fail(result.error);
  const rank = result.data.rank === null ? "未上榜" : `第 ${result.data.rank} 名`;
  const flagged = result.data.flagged ? "（答题过快，待复核，不上榜）" : "";
  console.log(`得分 ${result.data.score}（${result.data.correct_count}/${result.data.question_count}），${rank}${flagged}`);
  for (const q of result.data.questions.filter((g) => !g.correct)) {
    console.log(`${q.stem} 正确答案 ${q.answer}：${q.analysis}（${q.legal_basis.law}${q.legal_basis.article}）`);
  }

  const board = await api.GET("/api/v1/quiz/rounds/{id}/leaderboard", { headers: bearer(token), params: { path: { id: round.id } } });
  if (board.error) fail(board.error);
  if (board.data.me !== null) console.log(`我的名次 ${board.data.me.rank}`);
  return board.data;
}

export async function myCredits(token: string, campaignId?: number): Promise<Schemas["CreditStanding"]> {
  const { data, error } = await api.GET("/api/v1/me/credits", {
    headers: bearer(token),
    params: { query: campaignId === undefined ? {} : { campaign_id: campaignId } },
  });
  if (error) fail(error);
  console.log(`学分 ${data.total}（${data.percent}%）`, data.explanation);
  return data;
}

// Studying: open a session on a course, then report the playback position; the server credits
// the time it saw pass.
export async function startStudy(token: string, courseId: number): Promise<number> {
  const { data, error } = await api.POST("/api/v1/courses/{id}/sessions", { headers: bearer(token), params: { path: { id: courseId } } });
  if (error) fail(error);
  return data.id;
}

export async function heartbeat(token: string, sessionId: number, position: number): Promise<boolean> {
  const { data, error } = await api.PUT("/api/v1/study-sessions/{id}/heartbeat", {
    headers: bearer(token),
    params: { path: { id: sessionId } },
    body: { position },
  });
  if (error) fail(error);
  if (data.daily_cap_reached) console.log("今日学习学分已达上限");
  return data.ended;
}

// The exams open to me now, for the exam screen.
export async function openExams(token: string): Promise<Schemas["MyExam"][]> {
  const { data, error } = await api.GET("/api/v1/me/exams", { headers: bearer(token) });
  if (error) fail(error);
  return data.items.filter((e) => e.window === "open" && e.eligible);
}

// An exam: start (or resume the active attempt after the app was killed), autosave each answer,
// submit. Submit is retried with the same Idempotency-Key, so a lost answer is not a second attempt.
export async function sitExam(token: string, examId: number, pick: (q: Schemas["ExamPaperQuestion"]) => string): Promise<Schemas["ExamAttemptResult"] | null> {
  const mine = await api.GET("/api/v1/me/exams", { headers: bearer(token) });
  if (mine.error) fail(mine.error);
  const exam = mine.data.items.find((e) => e.id === examId);
  if (exam === undefined || !exam.eligible) throw new Error("exam not open to this learner");

  const attempt = exam.active_attempt_id === null
    ? await api.POST("/api/v1/exams/{id}/attempts", { headers: bearer(token), params: { path: { id: examId } } })
    : await api.GET("/api/v1/attempts/{id}", { headers: bearer(token), params: { path: { id: exam.active_attempt_id } } });
  if (attempt.error) fail(attempt.error);
  const paper = attempt.data.questions ?? [];

  for (const q of paper.filter((q) => q.answer === null)) {
    const saved = await api.PUT("/api/v1/attempts/{id}/answers/{question_id}", {
      headers: bearer(token),
      params: { path: { id: attempt.data.id, question_id: q.question_id } },
      body: { answer: pick(q) },
    });
    if (saved.error) fail(saved.error);
    if (saved.data.seconds_left <= 0) break;
  }

  const key = crypto.randomUUID();
  const submit = () => api.POST("/api/v1/attempts/{id}/submit", {
    headers: { ...bearer(token), "Idempotency-Key": key },
    params: { path: { id: attempt.data.id } },
  });
  const done = await submit().catch(submit);
  if (done.error) fail(done.error);
  return done.data.result;
}

// Events: register (when the event asks for it), then scan the code shown at the venue.
export async function register(token: string, eventId: number): Promise<string> {
  const { data, error } = await api.POST("/api/v1/events/{id}/registrations", {
    headers: bearer(token),
    params: { path: { id: eventId } },
  });
  if (error) fail(error);
  return data.status;
}

export async function checkIn(token: string, eventId: number, code: string, lat?: number, lng?: number): Promise<void> {
  const body: Schemas["CheckinRequest"] = { token: code };
  if (lat !== undefined && lng !== undefined) {
    body.lat = lat;
    body.lng = lng;
  }
  const { error } = await api.POST("/api/v1/events/{id}/checkins", {
    headers: { ...bearer(token), "Idempotency-Key": crypto.randomUUID() },
    params: { path: { id: eventId } },
    body,
  });
  if (error) fail(error);
}

// An integrator (on a server, plain fetch): client-credentials token, then a learner's credits.

export async function integratorCredits(clientId: string, secret: string, learnerId: number, campaignId: number): Promise<Schemas["CreditStanding"]> {
  const tok = await server.POST("/api/v1/auth/token", {
    body: { grant_type: "client_credentials", client_id: clientId, client_secret: secret, scope: "credits:read" },
    bodySerializer: (b) => new URLSearchParams(b as Record<string, string>).toString(),
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
  });
  if (tok.error) failToken(tok.error);
  const { data, error } = await server.GET("/api/v1/learners/{id}/credits", {
    headers: bearer(tok.data.access_token),
    params: { path: { id: learnerId }, query: { campaign_id: campaignId } },
  });
  if (error) fail(error);
  return data;
}
