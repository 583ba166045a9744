// Drives example.ts against a running xuefa server with the demo seed (dev mode: WeChat is
// faked, code dev-<name> is always the same user). .ci/run starts the server, compiles this
// file with example.ts and runs: node dist/run.js http://127.0.0.1:PORT
//
// What the mini-program does, through its wx.request adapter: WeChat login as a participant,
// bind to a demo learner, a quiz play with its board, the credits screen, a study session's
// heartbeat, an exam autosaved and submitted, registration and check-in at the lecture the seed
// runs now; then an integrator the admin admits reads the learner's credits with its own token.
// Any answer the generated client does not expect throws, and the process exits 1.
import createClient from "openapi-fetch";
import type { paths } from "./api";
import { checkIn, heartbeat, integratorCredits, login, myCredits, openExams, playQuiz, register, sitExam, startStudy, useServer, wechatBind, wechatLogin } from "./example";
import type { WxRequestOptions } from "./example";

const demoLearnerPhone = "13800000001"; // 张伟, 华阳镇 (README: demo data)
const demoPassword = "Xuefa@2026";

// wx.request as the mini-program runtime provides it, made of Node's fetch.
const wx = {
  request(o: WxRequestOptions): void {
    const init: RequestInit = { method: o.method, headers: o.header };
    if (o.data !== undefined) init.body = o.data;
    fetch(o.url, init)
      .then(async (r) => {
        const header: Record<string, string> = {};
        r.headers.forEach((value, name) => {
          header[name] = value;
        });
        o.success({ data: await r.text(), statusCode: r.status, header });
      })
      .catch((e: unknown) => o.fail({ errMsg: String(e) }));
  },
};
Object.assign(globalThis, { wx });

async function main(baseUrl: string): Promise<void> {
  useServer(baseUrl);
  const participant = await wechatLogin("dev-ts-client-check");
  if (participant.role !== "participant") throw new Error(`a new WeChat user is a participant, got ${participant.role}`);
  const learner = await wechatBind(participant.token, demoLearnerPhone, demoPassword);

  const board = await playQuiz(learner, (q) => (q.type === "judge" ? "true" : q.type === "fill" ? "宪法" : "A"));
  console.log(`排行榜 ${board.items.length} 人`);

  const before = await myCredits(learner);
  const session = await startStudy(learner, 1);
  await heartbeat(learner, session, 5);

  const exam = (await openExams(learner))[0];
  if (exam === undefined) throw new Error("no open exam for the demo learner (the seed publishes one per track)");
  const result = await sitExam(learner, exam.id, (q) => (q.type === "judge" ? "true" : q.type === "fill" ? "宪法" : "A"));
  if (result === null) throw new Error("a submitted attempt answers its result");
  console.log(`考试 ${result.score}/${result.max_score}，${result.passed ? "通过" : "未通过"}；学分 ${before.total} → ${(await myCredits(learner)).total}`);

  // The county admin shows the lecture's check-in code (the seed runs it now); the learner
  // registers and scans it.
  const admin = await login("admin", demoPassword);
  const setup = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${admin}` } });
  const events = await setup.GET("/api/v1/events", { params: { query: { type: "lecture" } } });
  const lecture = events.data?.items[0];
  if (lecture === undefined) throw new Error(`no lecture in the demo seed: ${JSON.stringify(events.error)}`);
  const code = await setup.GET("/api/v1/events/{id}/checkin-code", { params: { path: { id: lecture.id } } });
  if (code.data === undefined) throw new Error(`no check-in code: ${JSON.stringify(code.error)}`);
  console.log(`报名 ${await register(learner, lecture.id)}`);
  await checkIn(learner, lecture.id, code.data.token);

  // An integrator the admin admits reads the learner's credits with its own token.
  const client = await setup.POST("/api/v1/integration/clients", { body: { name: "ts-client-check", scopes: ["credits:read"], unit_id: 1 } });
  if (client.data === undefined) throw new Error(`no integration client: ${JSON.stringify(client.error)}`);
  const standing = await integratorCredits(client.data.client_id, client.data.client_secret, before.learner_id, before.campaign_id);
  console.log(`集成方读到 ${standing.learner_name} 的学分 ${standing.total}`);
}

function baseUrlOf(): string {
  const url = process.argv[2];
  if (url === undefined) throw new Error("usage: node dist/run.js BASE_URL");
  return url;
}

declare const process: { argv: string[]; exitCode?: number };

main(baseUrlOf()).catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
