import { type FaultServer, startFaultServer } from "@cftkit/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiBase, isServerUrl, lmEvalModelFor, openEvalModel } from "./eval-model-for.js";

describe("the model behind --model: a folder or a server", () => {
  let server: FaultServer;
  beforeAll(async () => {
    server = await startFaultServer({ model: "served-model" });
  });
  afterAll(() => server.close());

  it("adds /v1 to a bare server URL and keeps a path", () => {
    expect(apiBase("http://127.0.0.1:8000")).toBe("http://127.0.0.1:8000/v1");
    expect(apiBase("http://127.0.0.1:8000/")).toBe("http://127.0.0.1:8000/v1");
    expect(apiBase("http://host/openai/v1/")).toBe("http://host/openai/v1");
    expect(isServerUrl("https://host")).toBe(true);
    expect(isServerUrl("models/tiny")).toBe(false);
  });

  it("asks the server for its model name when none is given", async () => {
    const base = server.url.replace(/\/v1$/, "");
    const { model, dispose } = await openEvalModel({ model: base });
    expect(model.id).toBe("served-model");
    dispose();
    expect(await lmEvalModelFor(base)).toEqual({
      kind: "local-completions",
      baseUrl: `${server.url}/completions`,
      model: "served-model",
    });
    expect(await lmEvalModelFor("models/tiny", { dtype: "float32" })).toEqual({
      kind: "hf",
      dir: "models/tiny",
      dtype: "float32",
    });
  });
});
