import { describe, expect, it } from "vitest";
import { cftkitInvocation } from "./cftkit-invocation.js";

describe("cftkitInvocation: how commands.sh calls cftkit again", () => {
  const env = { PATH: "/usr/local/bin:/usr/bin" };
  it.each([
    [
      ["node", "/proj/node_modules/.bin/cftkit"],
      ["npx", "cftkit"],
    ],
    [["node", "/usr/local/bin/cftkit"], ["cftkit"]],
    [["node", "/opt/tools/cftkit"], ["/opt/tools/cftkit"]],
    [
      ["node", "/repo/packages/cli/src/main.ts"],
      ["npx", "tsx", "/repo/packages/cli/src/main.ts"],
    ],
    [
      ["node", "/repo/packages/cli/bin/cftkit.js"],
      ["node", "/repo/packages/cli/bin/cftkit.js"],
    ],
  ])("%j → %j", (argv, words) => {
    expect(cftkitInvocation(argv, env)).toEqual(words);
  });
});
