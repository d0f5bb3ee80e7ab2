// Logits conformance: our engine's logits (CASES_DIR/<case>.<variant>.npy, from lm_logits_cases) against
// llama.cpp's raw logits at every position for the same GGUF and tokens, driven per DESIGN §5: CPU
// prebuilt binaries, no flash attention, F32 KV cache, controlledEvaluate with generateNext.logits.
// Every variant must agree to max|Δ| ≤ 1e-4·max(1, max|logit|) + rounding_effect: F32 cases and the
// emulation of llama.cpp's activation rounding on non-F32 weights (ModelOptions::llama_cpp_rounding)
// with rounding_effect 0; our default fp32 numerics on non-F32 weights with the effect of that
// rounding on the case's own logits, max|rounded − fp32| (lm_logits_cases computes it).
// usage: node logits_conformance.mjs JS_DIR CASES_DIR        exit 0 ok, 1 mismatch, 77 skipped
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

const [jsDir, casesDir] = process.argv.slice(2);
const require = createRequire(path.join(path.resolve(jsDir), "package.json"));
let llamaCpp;
try {
  llamaCpp = await import(require.resolve("node-llama-cpp"));
} catch (e) {
  console.log(`skipped: node-llama-cpp missing in ${jsDir} (run scripts/setup.sh): ${e.message}`);
  process.exit(77);
}

/** A float32 C-order matrix from a .npy file: {shape, data}. */
function readNpy(file) {
  const bytes = fs.readFileSync(file);
  const headerLength = bytes.readUInt16LE(8);
  const header = bytes.toString("latin1", 10, 10 + headerLength);
  if (!header.includes("'descr': '<f4'") || !header.includes("'fortran_order': False")) throw new Error(`${file}: not '<f4' C order`);
  const shape = header.match(/'shape': \((\d+), (\d+)\)/).slice(1).map(Number);
  const start = 10 + headerLength;
  const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + bytes.length));
  return { shape, data };
}

const cases = JSON.parse(fs.readFileSync(path.join(casesDir, "cases.json"), "utf8"));
const llama = await llamaCpp.getLlama({ gpu: false, build: "never", logLevel: "error" });
let failures = 0;
for (const c of cases) {
  const model = await llama.loadModel({ modelPath: path.join(casesDir, `${c.name}.gguf`) });
  const context = await model.createContext({
    contextSize: 64, sequences: 1, flashAttention: false,
    experimentalKvCacheKeyType: "F32", experimentalKvCacheValueType: "F32",
  });
  const sequence = context.getSequence();
  const results = await sequence.controlledEvaluate(c.tokens.map((t) => [t, { generateNext: { logits: true } }]));
  const llamaLogits = c.tokens.map((_, p) => results[p]?.next?.logits);
  for (const variant of c.variants) {
    const ours = readNpy(path.join(casesDir, `${c.name}.${variant.name}.npy`));
    const [positions, vocab] = ours.shape;
    if (positions !== c.tokens.length) throw new Error(`${c.name}: shape ${ours.shape}`);
    let maxDiff = 0, maxLogit = 0, worst = "";
    for (let p = 0; p < positions; ++p) {
      const logits = llamaLogits[p];
      if (!logits || logits.size !== vocab) throw new Error(`${c.name}: llama.cpp gave ${logits?.size} logits at position ${p}, expected ${vocab}`);
      for (const [token, value] of logits) {
        const mine = ours.data[p * vocab + token];
        const diff = Number.isNaN(mine - value) ? Infinity : Math.abs(mine - value);
        maxLogit = Math.max(maxLogit, Math.abs(value));
        if (diff > maxDiff) { maxDiff = diff; worst = `position ${p} token ${token}: ours ${mine}, llama.cpp ${value}`; }
      }
    }
    const bound = 1e-4 * Math.max(1, maxLogit) + variant.rounding_effect;
    const ok = maxDiff <= bound;
    if (!ok) ++failures;
    console.log(`${ok ? "ok  " : "FAIL"} ${c.name.padEnd(28)} ${c.weights.padEnd(5)} ${variant.name.padEnd(7)} max|Δ| ${maxDiff.toExponential(3)}  ` +
                `max|logit| ${maxLogit.toFixed(3)}  relative ${(maxDiff / Math.max(1, maxLogit)).toExponential(3)}` +
                ` (bound ${bound.toExponential(3)}, rounding effect ${variant.rounding_effect.toExponential(3)})${ok ? "" : `\n     worst at ${worst}`}`);
  }
  await context.dispose();
  await model.dispose();
}
console.log(`${cases.length} cases, ${failures} comparisons outside the bound`);
process.exit(failures === 0 ? 0 : 1);
