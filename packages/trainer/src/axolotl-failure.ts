import { CftkitError, type CftkitErrorCode } from "@cftkit/core";
import type { FailureSignal } from "./axolotl-log-parser.js";

/** Everything known about how an Axolotl process ended. */
export interface AxolotlExit {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Error from spawn itself (e.g. ENOENT when `axolotl` is not on PATH). */
  spawnError?: NodeJS.ErrnoException;
  signals: FailureSignal[];
  tail: string[];
  executable: string;
  /** The run was stopped by the caller (AbortSignal). */
  aborted?: boolean;
}

const HINTS: Record<FailureSignal, { code: CftkitErrorCode; message: string }> = {
  cuda_oom: {
    code: "AXOLOTL_CUDA_OOM",
    message:
      "CUDA ran out of GPU memory. Lower hyperparameters.micro_batch_size (the global batch is kept by more gradient accumulation), keep gradient_checkpointing on, shorten sequence_len, or shard the model with launcher.deepspeed: zero3 or launcher.fsdp.",
  },
  no_trainable_parameters: {
    code: "AXOLOTL_NO_TRAINABLE_PARAMETERS",
    message:
      "no parameter is trainable (\"All parameters are frozen\"): the unfrozen_parameters patterns match no parameter name. Check them against the model's names (Axolotl re.match's each pattern from the start of the name, with '.' literal); with LoRA, names are prefixed base_model.model., so freeze patterns and LoRA do not combine.",
  },
  nccl: {
    code: "AXOLOTL_DISTRIBUTED_FAILED",
    message:
      "a distributed (NCCL) collective failed or timed out. Check that every node runs the same plan, that main_process_ip/port are reachable from all nodes, and the network interfaces (NCCL_SOCKET_IFNAME).",
  },
  file_not_found: {
    code: "AXOLOTL_FILE_NOT_FOUND",
    message:
      "a file was not found (a dataset path, the base model folder or the DeepSpeed json). Paths in the config must exist on every node.",
  },
  hub_access: {
    code: "AXOLOTL_HUB_ACCESS",
    message:
      "the model could not be downloaded from the Hugging Face Hub (gated or missing repository, or no token). Log in with `huggingface-cli login` or point base_model at a local folder.",
  },
  config_invalid: {
    code: "AXOLOTL_CONFIG_INVALID",
    message: "Axolotl rejected the config (validation error); see the output above.",
  },
};

/** Order in which causes are reported when several signatures were seen. */
const PRIORITY: FailureSignal[] = [
  "cuda_oom",
  "no_trainable_parameters",
  "config_invalid",
  "hub_access",
  "file_not_found",
  "nccl",
];

/**
 * Turn a failed Axolotl exit into a CftkitError that says what went wrong and what to do; `undefined`
 * when the run succeeded.
 */
export function diagnoseAxolotlFailure(exit: AxolotlExit): CftkitError | undefined {
  const tail = exit.tail.slice(-15).join("\n");
  const details = { exitCode: exit.exitCode, signal: exit.signal, signals: exit.signals, tail: exit.tail };
  if (exit.spawnError) {
    if (exit.spawnError.code === "ENOENT") {
      return new CftkitError(
        "AXOLOTL_NOT_FOUND",
        `\`${exit.executable}\` was not found on PATH. A real Axolotl run needs a GPU machine with Axolotl installed (pip install axolotl; see https://docs.axolotl.ai). On a machine without a GPU use --backend embedded, or --dry-run to print the config and command.`,
        { exitCode: 1, details, cause: exit.spawnError },
      );
    }
    return new CftkitError(
      "AXOLOTL_SPAWN_FAILED",
      `could not start ${exit.executable}: ${exit.spawnError.message}`,
      {
        exitCode: 1,
        details,
        cause: exit.spawnError,
      },
    );
  }
  if (exit.exitCode === 0 && !exit.signal) return undefined;
  const seen = PRIORITY.find((s) => exit.signals.includes(s));
  if (seen) {
    const hint = HINTS[seen];
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.exitCode}`;
    return new CftkitError(hint.code, `axolotl ${how}: ${hint.message}\n--- last output ---\n${tail}`, {
      exitCode: 1,
      details,
    });
  }
  if (exit.signal) {
    const why = exit.aborted
      ? "the run was stopped (interrupted); start it again to resume from the last checkpoint"
      : exit.signal === "SIGKILL"
        ? "SIGKILL usually means the machine ran out of CPU RAM (the kernel's OOM killer) or a scheduler ended the job; resume restarts from the last checkpoint"
        : "the process was terminated from outside; resume restarts from the last checkpoint";
    return new CftkitError(
      "AXOLOTL_KILLED",
      `axolotl was killed by ${exit.signal}: ${why}\n--- last output ---\n${tail}`,
      {
        exitCode: 1,
        details,
      },
    );
  }
  return new CftkitError(
    "AXOLOTL_FAILED",
    `axolotl exited with code ${exit.exitCode}; no known cause was recognised in its output\n--- last output ---\n${tail}`,
    { exitCode: 1, details },
  );
}
