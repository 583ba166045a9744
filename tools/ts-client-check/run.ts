// Drives example.ts against a running xuefa server with the demo seed (dev mode: WeChat is
// faked, code dev-<name> is always the same user). .ci/run starts the server, compiles this
// file with example.ts and runs: node dist/run.js http://127.0.0.1:PORT
//
// What the mini-program does, through its wx.request adapter: WeChat login as a participant,
// bind to a demo learner, a quiz play with its board, the credits screen, a study session's
// heartbeat, and an exam autosaved, resumed and submitted. Any answer the generated client does
// not expect throws, and the process exits 1.
import { heartbeat, myCredits, openExams, playQuiz, sitExam, startStudy, useServer, wechatBind, wechatLogin } from "./example";
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
