import { EXIT, ExitCode } from "./contract";

/**
 * An error that ends the program with a documented exit code. Its message always says
 * what happened, what did (or did not) change in the cloud, and what to do next.
 */
export class ExitError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    readonly result: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "ExitError";
  }
}

export function badInput(message: string): ExitError {
  return new ExitError(EXIT.badInput, "bad-input", `${message} Nothing was sent to Huawei Cloud.`);
}
