// GPT-2 tokenizer conformance: our ids (cases.json, from lm_gpt2_tokenizer_cases) against llama.cpp's
// tokenizer (node-llama-cpp) on the same GGUF, whose vocabulary says tokenizer.ggml.pre "gpt-2".
// Neither side adds BOS; special-token text is not parsed.
// usage: node gpt2_tokenizer_conformance.mjs JS_DIR CASES_DIR        exit 0 ok, 1 mismatch, 77 skipped
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

const cases = JSON.parse(fs.readFileSync(path.join(casesDir, "cases.json"), "utf8"));
const llama = await llamaCpp.getLlama({ gpu: false, build: "never", logLevel: "error" });
const model = await llama.loadModel({ modelPath: path.join(casesDir, "gpt2_tiny.gguf") });
let failures = 0;
for (const c of cases) {
  const theirs = Array.from(model.tokenize(c.text, false)).map(Number);
  if (JSON.stringify(theirs) === JSON.stringify(c.ids)) continue;
  if (++failures <= 10) console.log(`FAIL ${JSON.stringify(c.text)}\n  ours      ${JSON.stringify(c.ids)}\n  llama.cpp ${JSON.stringify(theirs)}`);
}
console.log(`${cases.length} texts, ${failures} differ`);
await model.dispose();
process.exit(failures === 0 ? 0 : 1);
