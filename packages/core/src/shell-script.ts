import { CftkitError } from "./cftkit-error.js";
import { printable } from "./printable.js";

/**
 * The one way cftkit writes shell: every word of a command goes through `shellQuote`, every comment through
 * `shellComment`, so no user byte (a path with a newline, `$(…)`, quotes, backticks) can end a line or run
 * anything. Scripts are bash (`$'…'` quoting carries control characters without a raw newline).
 */
const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;
const CONTROL = /[\u0000-\u001f\u007f]/;

/** One shell word: bare when harmless, `'…'` otherwise, `$'…'` when it holds control characters. */
export function shellQuote(word: string): string {
  if (word.includes("\0")) {
    throw new CftkitError(
      "SHELL_UNSAFE_ARGUMENT",
      `a NUL byte cannot be passed to a shell command: "${printable(word, 200)}"`,
    );
  }
  if (SAFE_WORD.test(word)) return word;
  if (!CONTROL.test(word)) return `'${word.replace(/'/g, `'\\''`)}'`;
  let body = "";
  for (const ch of word) {
    if (ch === "\\" || ch === "'") body += `\\${ch}`;
    else if (CONTROL.test(ch)) body += `\\x${ch.charCodeAt(0).toString(16).padStart(2, "0")}`;
    else body += ch;
  }
  return `$'${body}'`;
}

/** A command line: every word quoted. */
export function shellCommand(words: readonly string[]): string {
  return words.map(shellQuote).join(" ");
}

/** A `#` comment line: control characters escaped, so the comment cannot end early and start a command. */
export function shellComment(text: string): string {
  return `# ${printable(text)}`.trimEnd();
}

/** A bash script built only from quoted commands, escaped comments and fixed lines cftkit itself owns. */
export class ShellScript {
  private readonly lines: string[] = ["#!/usr/bin/env bash"];

  /** One comment line (a newline in `text` is escaped, never a line break). */
  comment(text: string): this {
    this.lines.push(shellComment(text));
    return this;
  }

  command(words: readonly string[]): this {
    this.lines.push(shellCommand(words));
    return this;
  }

  /** `name() { <words> "$@"; }`: a function that calls a command (how commands.sh calls cftkit). */
  functionDefinition(name: string, words: readonly string[]): this {
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) {
      throw new CftkitError("SHELL_UNSAFE_ARGUMENT", `not a shell function name: "${printable(name, 80)}"`);
    }
    this.lines.push(`${name}() { ${shellCommand(words)} "$@"; }`);
    return this;
  }

  /** A line written by cftkit itself (`set -euo pipefail`); never pass user data here. */
  fixed(line: string): this {
    this.lines.push(line);
    return this;
  }

  blank(): this {
    this.lines.push("");
    return this;
  }

  toString(): string {
    return `${this.lines.join("\n")}\n`;
  }
}
