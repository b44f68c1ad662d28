/**
 * The example app named in cdktf.json: one stack holding one WorkspaceSubscription.
 *
 *   HW_PROJECT_ID=<32 hex> HW_REGION_NAME=cn-north-4 npx cdktf synth
 *
 * The identity is read at synth time and written into the stack as literals; the
 * credentials are NOT read here: the destroy step takes them from the environment of
 * terraform when it runs.
 */
import { App, LocalBackend, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { AccessMode, DeletionPolicy, DomainType, Duration, WorkspaceSubscription } from "../index";

/** The project the demo's emulator seeds; a real run sets HW_PROJECT_ID. */
export const EXAMPLE_PROJECT_ID = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
export const EXAMPLE_STACK = "workspace-example";

export interface ExampleStackOptions {
  readonly projectId: string;
  readonly region: string;
  readonly desktopWait: Duration;
  readonly jobTimeout: Duration;
  readonly deletionPolicy: DeletionPolicy;
}

export class ExampleStack extends TerraformStack {
  readonly subscription: WorkspaceSubscription;
  constructor(scope: Construct, id: string, opts: ExampleStackOptions) {
    super(scope, id);
    // A relative state path keeps this machine's folders out of the synthesized JSON.
    new LocalBackend(this, { path: "terraform.tfstate" });
    this.subscription = new WorkspaceSubscription(this, "workspace", {
      projectId: opts.projectId,
      region: opts.region,
      desktopWait: opts.desktopWait,
      jobTimeout: opts.jobTimeout,
      deletionPolicy: opts.deletionPolicy,
      // Opened on deploy if the service is CLOSED; adopted as it is if already SUBSCRIBED.
      subscription: { domainType: DomainType.LITE_AS, accessMode: AccessMode.INTERNET },
    });
  }
}

function seconds(value: string | undefined, fallback: number): Duration {
  return Duration.seconds(value && /^\d+$/.test(value) ? Number(value) : fallback);
}

export function optionsFromEnv(env: NodeJS.ProcessEnv): ExampleStackOptions {
  return {
    projectId: env.HW_PROJECT_ID || EXAMPLE_PROJECT_ID,
    region: env.HW_REGION_NAME || "cn-north-4",
    // The demo's desktop is still being deleted when destroy starts: give it time to go.
    desktopWait: seconds(env.EXAMPLE_DESKTOP_WAIT_SECONDS, 120),
    jobTimeout: seconds(env.EXAMPLE_JOB_TIMEOUT_SECONDS, 1800),
    deletionPolicy: env.EXAMPLE_DELETION_POLICY === "RETAIN" ? DeletionPolicy.RETAIN : DeletionPolicy.UNSUBSCRIBE,
  };
}

if (require.main === module) {
  const app = new App();
  new ExampleStack(app, EXAMPLE_STACK, optionsFromEnv(process.env));
  app.synth();
}
