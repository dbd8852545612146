import { CftkitError, shellCommand } from "@cftkit/core";

export { shellQuote } from "@cftkit/core";
import type { Launcher } from "./training-plan.js";

export interface AxolotlCommand {
  /** The executable (`axolotl`, or the override). */
  command: string;
  args: string[];
}

/** The launcher actually used: `python` on one GPU unless asked otherwise, `accelerate` on several. */
export function effectiveLauncher(launcher: Launcher): "accelerate" | "torchrun" | "python" {
  if (launcher.kind) return launcher.kind;
  return launcher.gpus_per_node * launcher.nodes > 1 ? "accelerate" : "python";
}

/**
 * `axolotl train <cfg> --launcher accelerate|torchrun|python [-- <launcher args>]` (Axolotl ≥ 0.8 CLI;
 * docs/formats.md). Multi-GPU/multi-node:
 * - accelerate: `--num_processes <total GPUs> --num_machines N --machine_rank R --main_process_ip IP --main_process_port P`
 * - torchrun: `--nnodes N --nproc_per_node G --node_rank R --rdzv_backend c10d --rdzv_endpoint IP:P`
 */
export function buildAxolotlCommand(
  configPath: string,
  launcher: Launcher,
  options: { executable?: string } = {},
): AxolotlCommand {
  const kind = effectiveLauncher(launcher);
  const total = launcher.gpus_per_node * launcher.nodes;
  const args = ["train", configPath, "--launcher", kind];
  const multiNode = launcher.nodes > 1;
  if (multiNode && !launcher.main_process_ip) {
    throw new CftkitError(
      "TRAIN_LAUNCHER_INVALID",
      `a ${launcher.nodes}-node run needs launcher.main_process_ip (the address of node 0)`,
    );
  }
  if (launcher.node_rank >= launcher.nodes) {
    throw new CftkitError(
      "TRAIN_LAUNCHER_INVALID",
      `launcher.node_rank ${launcher.node_rank} is out of range for ${launcher.nodes} node(s)`,
    );
  }
  if (kind === "python" && total > 1) {
    throw new CftkitError(
      "TRAIN_LAUNCHER_INVALID",
      `the python launcher runs one process; ${total} GPUs need launcher.kind accelerate or torchrun`,
    );
  }
  const extra: string[] = [];
  if (kind === "accelerate") {
    extra.push("--num_processes", String(total), "--num_machines", String(launcher.nodes));
    if (multiNode) {
      extra.push(
        "--machine_rank",
        String(launcher.node_rank),
        "--main_process_ip",
        launcher.main_process_ip as string,
        "--main_process_port",
        String(launcher.main_process_port),
      );
    }
  } else if (kind === "torchrun") {
    extra.push("--nnodes", String(launcher.nodes), "--nproc_per_node", String(launcher.gpus_per_node));
    if (multiNode) {
      extra.push(
        "--node_rank",
        String(launcher.node_rank),
        "--rdzv_backend",
        "c10d",
        "--rdzv_endpoint",
        `${launcher.main_process_ip}:${launcher.main_process_port}`,
      );
    }
  }
  if (extra.length > 0) args.push("--", ...extra);
  return { command: options.executable ?? "axolotl", args };
}

/** The command as one shell line, every word quoted (for display, --dry-run and commands.sh). */
export function formatCommand(command: AxolotlCommand): string {
  return shellCommand([command.command, ...command.args]);
}
