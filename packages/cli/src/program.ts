import { Command, CommanderError } from "commander";
import { addDeclaredCommand } from "./build-command.js";
import { reportFailure } from "./cli-output.js";
import { commandGroups, declaredCommands } from "./commands/index.js";

export function buildProgram(): Command {
  const program = new Command();
  program
    .name("cftkit")
    .description(
      "Two-phase continual instruction fine-tuning for multilingual adaptation: measure the risk, apply mitigations, train, evaluate, explain.",
    )
    .version("0.1.0")
    .showHelpAfterError()
    .exitOverride();
  for (const command of declaredCommands) addDeclaredCommand(program, command, commandGroups);
  return program;
}

/** Run the CLI with `argv` (without node and script); resolves to the process exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: "user" });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit 0; usage errors are bad input.
      return error.exitCode === 0 ? 0 : 2;
    }
    return reportFailure(error);
  }
}
