import { isCftkitError, printableLines, progressFor, type ProgressReporter } from "@cftkit/core";

/** Options every command shares. */
export interface CommonOptions {
  json?: boolean;
  quiet?: boolean;
}

/** Print the one JSON document a `--json` command owes stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Human-readable lines go to stdout without --json; with --json, only the JSON document does. */
export function printHuman(options: CommonOptions, text: string): void {
  if (!options.json) process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
}

/**
 * A command's result: the JSON document with --json, else the human text, built only when printed (a list is
 * printed as that many printHuman calls).
 */
export function printResult(options: CommonOptions, json: unknown, human: () => string | string[]): void {
  if (options.json) printJson(json);
  else for (const text of [human()].flat()) printHuman(options, text);
}

/** Logs always go to stderr so stdout stays machine-readable. */
export function log(options: CommonOptions, text: string): void {
  if (!options.quiet) process.stderr.write(`${text}\n`);
}

export function progress(options: CommonOptions): ProgressReporter {
  return progressFor({ json: options.json, quiet: options.quiet });
}

/**
 * Run `work` with Ctrl-C (SIGINT) and SIGTERM turned into an abort of its signal, so a resumable run stops
 * dispatching and keeps what finished; the handlers are removed afterwards.
 */
export async function untilInterrupted<T>(
  options: CommonOptions,
  what: string,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    log(options, `\n${signal}: stopping — no new requests; ${what}`);
    controller.abort(new Error(signal));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    return await work(controller.signal);
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }
}

/** Turn any thrown value into the CLI's exit behaviour: `error[code]: message` and exit 2 or 1. */
export function reportFailure(error: unknown): number {
  if (isCftkitError(error)) {
    // Messages quote user data (paths, rows): control bytes are escaped, never sent to the terminal raw.
    process.stderr.write(`error[${error.code}]: ${printableLines(error.message)}\n`);
    return error.exitCode;
  }
  const message =
    error instanceof Error
      ? process.env.CFTKIT_DEBUG
        ? (error.stack ?? error.message)
        : error.message
      : String(error);
  process.stderr.write(`error[INTERNAL]: ${printableLines(message)}\n`);
  return 1;
}
