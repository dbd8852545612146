import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { CftkitError, type CftkitErrorCode } from "./cftkit-error.js";

export interface LaunchServerOptions {
  /** The server command, without a shell: `["vllm", "serve", "{model}", "--port", "{port}"]`. */
  argv: readonly string[];
  /** Replaces `{model}` in argv. */
  model: string;
  /** Address the server listens on and is polled at (default 127.0.0.1). */
  host?: string;
  /** How long the server may take until `/v1/models` answers (default 10 minutes: large models load slowly). */
  readyTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Aborting stops the server (also while it is starting). */
  signal?: AbortSignal;
  /** The server's stdout and stderr as they arrive. */
  onOutput?: (text: string) => void;
}

export interface LaunchedServer {
  /** `http://host:port/v1`. */
  baseUrl: string;
  port: number;
  pid: number;
  /** The first model id `/v1/models` lists (what requests must name). */
  modelId: string;
  /** SIGTERM, then SIGKILL after `graceMs` (default 10 s); resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

/** A free TCP port on `host`, as the system assigns one to port 0. */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, host, () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolvePort(port));
    });
  });
}

/** `{model}` and `{port}` filled in each argument (the arguments stay separate: no shell ever sees them). */
export function fillServerArgv(argv: readonly string[], model: string, port: number): string[] {
  return argv.map((a) => a.replaceAll("{model}", model).replaceAll("{port}", String(port)));
}

const live = new Set<ChildProcess>();
let hooksInstalled = false;

/** Stop every live server, then end this process by `signal` as it would have ended without us. */
function onTerminatingSignal(signal: NodeJS.Signals): void {
  for (const c of live) c.kill("SIGTERM");
  // Another handler (a CLI that shuts down cleanly) decides what happens next; otherwise die by the signal.
  if (process.listenerCount(signal) > 1) return;
  process.removeListener(signal, onTerminatingSignal);
  process.kill(process.pid, signal);
}

/** Servers started here never outlive this process: stopped on exit, Ctrl-C, SIGTERM and SIGHUP. */
function trackChild(child: ChildProcess): void {
  live.add(child);
  child.once("exit", () => live.delete(child));
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.once("exit", () => {
    for (const c of live) c.kill("SIGKILL");
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, onTerminatingSignal);
}

function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve();
  return new Promise((done) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      done();
    });
    child.kill("SIGTERM");
  });
}

/** Poll `/v1/models` until it lists a model; reject when the child exits, the time is up or `signal` aborts. */
async function waitUntilReady(
  baseUrl: string,
  child: ChildProcess,
  options: { timeoutMs: number; signal?: AbortSignal; tail: () => string },
): Promise<string> {
  const deadline = Date.now() + options.timeoutMs;
  const fail = (code: CftkitErrorCode, why: string) =>
    new CftkitError(code, `${why}\n--- last server output ---\n${options.tail()}`, { exitCode: 1 });
  while (true) {
    if (options.signal?.aborted) throw fail("SERVER_ABORTED", "stopped while the server was starting");
    if (child.pid === undefined) throw fail("SERVER_NOT_STARTED", `cannot start \`${child.spawnfile}\``);
    if (child.exitCode !== null || child.signalCode !== null)
      throw fail(
        "SERVER_EXITED",
        `the server exited (${child.exitCode ?? child.signalCode}) before it answered ${baseUrl}/models`,
      );
    if (Date.now() > deadline)
      throw fail("SERVER_NOT_READY", `${baseUrl}/models did not answer within ${options.timeoutMs} ms`);
    try {
      const res = await fetch(`${baseUrl}/models`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) {
        const body = (await res.json()) as { data?: { id?: unknown }[] };
        const id = body.data?.[0]?.id;
        if (typeof id === "string") return id;
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Start an OpenAI-compatible server (`vllm serve {model} --port {port}`, `cftkit lm serve {model} --port {port}`)
 * on a free port of 127.0.0.1 without a shell, and wait until `/v1/models` answers. On any failure while
 * starting the process is stopped; afterwards the caller stops it (`stop()` in a `finally`), and it is killed
 * at the latest when this process exits.
 */
export async function launchOpenAIServer(options: LaunchServerOptions): Promise<LaunchedServer> {
  if (options.argv.length === 0) throw new CftkitError("SERVER_NO_COMMAND", "the server command is empty");
  const host = options.host ?? "127.0.0.1";
  const port = await freePort(host);
  const [command, ...args] = fillServerArgv(options.argv, options.model, port);
  const child = spawn(command!, args, {
    shell: false,
    env: options.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  trackChild(child);
  let output = "";
  let spawnError: Error | undefined;
  child.on("error", (error) => {
    spawnError = error;
  });
  for (const stream of [child.stdout!, child.stderr!])
    stream.on("data", (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      output = (output + text).slice(-4000);
      options.onOutput?.(text);
    });
  const baseUrl = `http://${host}:${port}/v1`;
  try {
    const modelId = await waitUntilReady(baseUrl, child, {
      timeoutMs: options.readyTimeoutMs ?? 600_000,
      signal: options.signal,
      tail: () => (spawnError ? `${spawnError.message}\n${output}` : output),
    });
    return { baseUrl, port, pid: child.pid!, modelId, stop: (graceMs = 10_000) => stopChild(child, graceMs) };
  } catch (error) {
    await stopChild(child, 2000);
    throw error;
  }
}
