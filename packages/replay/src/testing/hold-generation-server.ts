// Test helper process: launch a generation server for argv[2] with the command in argv[3] (JSON), print
// "ready <pid> <baseUrl>" and wait — the test then interrupts this process and checks the server is gone.
import { launchOpenAIServer } from "@cftkit/core";

const [model, argvJson] = process.argv.slice(2);
const server = await launchOpenAIServer({ argv: JSON.parse(argvJson!) as string[], model: model! });
process.stdout.write(`ready ${server.pid} ${server.baseUrl}\n`);
setInterval(() => {}, 1000);
