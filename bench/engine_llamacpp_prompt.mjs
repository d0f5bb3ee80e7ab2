// llama.cpp's prompt processing on a GGUF, the reference for our engine's forward (issue 3 item 11).
// Driven per DESIGN §5 (CPU prebuilt binaries, no flash attention, F32 KV cache); the prompt is the
// token sequence bench_llama_hooks feeds ((7919 i + 13) mod vocab), evaluated in one batch with the
// logits of the last position only (llama.cpp's usual prompt processing), or of every position
// with ALL_LOGITS=all (what our forward computes). Times the evaluation only:
// model load and context creation are outside the clock; one untimed warm-up evaluation first.
// usage: node bench/engine_llamacpp_prompt.mjs JS_DIR MODEL.gguf TOKENS THREADS REPEATS [all]
// prints one JSON line: {"tokens", "threads", "median_s", "fastest_s", "cpu_s" (median process CPU), "runs_s"}
import path from "node:path";
import { createRequire } from "node:module";

const [jsDir, modelPath, tokensArg, threadsArg, repeatsArg, logitsArg] = process.argv.slice(2);
if (!repeatsArg) {
  console.error("usage: node engine_llamacpp_prompt.mjs JS_DIR MODEL.gguf TOKENS THREADS REPEATS [all]");
  process.exit(2);
}
const tokens = Number(tokensArg), threads = Number(threadsArg), repeats = Number(repeatsArg);
const require = createRequire(path.join(path.resolve(jsDir), "package.json"));
const llamaCpp = await import(require.resolve("node-llama-cpp"));

const llama = await llamaCpp.getLlama({ gpu: false, build: "never", logLevel: "error" });
const model = await llama.loadModel({ modelPath });
const context = await model.createContext({
  contextSize: tokens, batchSize: tokens, sequences: 1, threads, flashAttention: false,
  experimentalKvCacheKeyType: "F32", experimentalKvCacheValueType: "F32",
});
const sequence = context.getSequence();
const vocab = Number(model.fileInfo.tensorInfo.find((t) => t.name === "token_embd.weight").dimensions[1]);
const prompt = Array.from({ length: tokens }, (_, i) => (7919 * i + 13) % vocab);
const allLogits = logitsArg === "all";
const items = prompt.map((t, i) => [t, allLogits || i === tokens - 1 ? { generateNext: { logits: true } } : {}]);

async function evaluate() {
  await sequence.clearHistory();
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  const results = await sequence.controlledEvaluate(items);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  if (!results[tokens - 1]?.next?.logits) throw new Error("llama.cpp returned no logits for the last position");
  return { seconds, cpu_seconds: (cpu.user + cpu.system) / 1e6 };
}

await evaluate();
const runs = [];
for (let r = 0; r < repeats; ++r) runs.push(await evaluate());
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const wall = runs.map((r) => r.seconds), cpu = runs.map((r) => r.cpu_seconds);
console.log(JSON.stringify({ tokens, threads, all_logits: allLogits, median_s: median(wall), fastest_s: Math.min(...wall), cpu_s: median(cpu), runs_s: wall }));
await context.dispose();
await model.dispose();
