import { SeededRandom } from "@cftkit/core";
import { describe, expect, it } from "vitest";
import { JsonArrayScanner } from "./json-array-scanner.js";

function scanAll(text: string, chunkSizes: () => number) {
  const s = new JsonArrayScanner();
  const out = [];
  for (let i = 0; i < text.length; ) {
    const n = chunkSizes();
    out.push(...s.push(text.slice(i, i + n)));
    i += n;
  }
  return { elements: out, scanner: s };
}

describe("JsonArrayScanner", () => {
  const value = [
    { a: 'x,]}"[{', b: [1, 2, { c: "\\" }] },
    'str"ing]',
    12.5e3,
    true,
    null,
    [],
    {},
    { é: "日本語\n", nested: { deep: [[["]"]]] } },
  ];
  const text = `\ufeff [\n${value.map((v) => JSON.stringify(v, null, 1)).join(" ,\n")}\n]\n`;

  it("splits elements exactly as JSON.parse reads them, for any chunking", () => {
    const rng = new SeededRandom(7);
    for (const size of [() => 1, () => 3, () => 1 + rng.int(20), () => 1 << 20]) {
      const { elements, scanner } = scanAll(text, size);
      expect(elements.map((e) => JSON.parse(e.text))).toEqual(value);
      expect(scanner.complete).toBe(true);
      expect(elements[0]!.line).toBe(2);
    }
  });

  it("reports truncation inside an element", () => {
    const cut = text.slice(0, text.indexOf("nested"));
    const { elements, scanner } = scanAll(cut, () => 5);
    expect(elements.length).toBe(value.length - 1);
    expect(scanner.complete).toBe(false);
    expect(scanner.insideElement).toBe(true);
  });

  it("rejects a document that is not an array", () => {
    expect(() => new JsonArrayScanner().push(' {"data": []}')).toThrow(/not a JSON array/);
  });
});
