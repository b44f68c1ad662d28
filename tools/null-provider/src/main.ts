/**
 * Entry point of the hashicorp/null stand-in: the program Terraform starts as
 * `terraform-provider-null` (through the launcher that prepareTerraformEnv
 * writes).
 *
 * Stdout carries only the handshake line. Diagnostics go to stderr, which
 * Terraform keeps in its log (TF_LOG).
 *
 * The process ends when Terraform calls Shutdown, on SIGTERM, or when its
 * parent goes away (Terraform killed hard), so no stand-in outlives its run.
 * SIGINT is ignored like in go-plugin: Ctrl-C reaches the whole process
 * group, and Terraform itself decides how to wind down.
 */
import { appendFileSync } from "node:fs";
import { HandshakeError, readHandshakeSettings, startPluginServer } from "./go-plugin-server";
import { RPC_LOG_ENV } from "./contract";

const PARENT_CHECK_INTERVAL_MS = 500;

function rpcLogger(): ((rpc: string) => void) | undefined {
  const file = process.env[RPC_LOG_ENV];
  if (!file) return undefined;
  return (rpc) => {
    try {
      appendFileSync(file, `${process.pid} ${rpc}\n`);
    } catch {
      // The log is a debugging aid; never fail a Terraform call over it.
    }
  };
}

function exitWhenOrphaned(): void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) process.exit(0);
  }, PARENT_CHECK_INTERVAL_MS);
  timer.unref();
}

async function main(): Promise<void> {
  let settings;
  try {
    settings = readHandshakeSettings(process.env);
  } catch (error) {
    if (error instanceof HandshakeError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }

  process.on("SIGINT", () => undefined);
  process.on("SIGTERM", () => process.exit(0));
  exitWhenOrphaned();

  const server = await startPluginServer({
    settings,
    onRpc: rpcLogger(),
    onShutdown: () => process.exit(0),
  });
  process.stdout.write(`${server.handshakeLine}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`hashicorp/null stand-in failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
