/**
 * The construct: synth time only. It is the one module that imports cdktf; the
 * program it ships into the stack knows nothing of cdktf.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Resource as NullResource } from "@cdktf/provider-null/lib/resource";
import { NullProvider } from "@cdktf/provider-null/lib/provider";
import { AssetType, TerraformAsset, TerraformStack, Token } from "cdktf";
import { Construct } from "constructs";
import { Duration } from "./duration";
import { COMMANDS, ENV, RUNTIME_BUNDLE_FILE, TRIGGER_KEYS } from "./runtime/contract";

/** What `cdktf destroy` (or a replacement of the resource) does with the subscription. */
export enum DeletionPolicy {
  /** Cancel the subscription: check that no desktops remain, DELETE, wait for the job. */
  UNSUBSCRIBE = "UNSUBSCRIBE",
  /** Leave the subscription in place; Terraform only forgets it. The destroy step says so. */
  RETAIN = "RETAIN",
}

export interface WorkspaceSubscriptionProps {
  /**
   * The ID of the Huawei Cloud project whose Workspace subscription this is
   * (32 lower-case hex characters). Part of the resource's identity: changing it
   * replaces the resource, which unsubscribes the old project.
   * A Terraform token (variable, another resource's attribute) is allowed.
   */
  readonly projectId: string;

  /**
   * The region of the project, e.g. `cn-north-4`. Part of the resource's identity,
   * like `projectId`. A Terraform token is allowed.
   */
  readonly region: string;

  /**
   * The Workspace API endpoint (an origin, no path).
   * Setting it here overrides HW_WORKSPACE_ENDPOINT in the environment of terraform.
   * @default - `https://workspace.{region}.myhuaweicloud.com` (`myhuaweicloud.eu` for
   * regions starting with `eu-west-1`; HW_CLOUD overrides the domain), unless
   * HW_WORKSPACE_ENDPOINT is set where terraform runs
   */
  readonly endpoint?: string;

  /**
   * How long the destroy step waits for the cancellation job to finish. When it runs
   * out, the destroy fails, the resource stays in the state, and a later destroy picks
   * the running job up again (no second DELETE).
   * @default Duration.minutes(30)
   */
  readonly jobTimeout?: Duration;

  /**
   * How long the destroy step waits for remaining desktops to disappear before it
   * gives up. Zero fails at once, before any DELETE, naming the desktops.
   * @default Duration.seconds(0) - fail at once if desktops remain
   */
  readonly desktopWait?: Duration;

  /**
   * What destroy does with the subscription.
   * @default DeletionPolicy.UNSUBSCRIBE
   */
  readonly deletionPolicy?: DeletionPolicy;

  /**
   * Extra environment variables for the destroy step, e.g. HTTPS_PROXY or
   * NODE_EXTRA_CA_CERTS. Values are literal strings (a `${` stays a `${`). Credentials
   * are refused here: they must come from the environment of terraform at run time,
   * never from the stack.
   * @default - none
   */
  readonly environment?: Readonly<Record<string, string>>;
}

const REGION_PATTERN = /^[a-z]{2,}(-[a-z]+)+-\d+$/;
const PROJECT_ID_PATTERN = /^[0-9a-f]{32}$/;
const MAX_DURATION_SECONDS = 24 * 3600;
const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SECRET_ENV_NAMES = /(ACCESS_KEY|SECRET|SECURITY_TOKEN|PASSWORD|_AK$|_SK$|TOKEN$)/i;
const RESERVED_ENV_NAMES = new Set<string>(Object.values(ENV));
const RUNTIME_ASSET_ID = "WorkspaceSubscriptionRuntime";

/**
 * A literal for Terraform JSON: every string there is a template, so `${` and `%{`
 * must be doubled to reach the program unchanged.
 */
export function terraformLiteral(value: string): string {
  return value.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{");
}

/** Where the built single-file runtime lives: `lib/bundle/`, found from `src/` (tests) and `lib/` (installed) alike. */
export function runtimeBundlePath(): string {
  const bundle = path.resolve(__dirname, "..", "lib", "bundle", RUNTIME_BUNDLE_FILE);
  if (!fs.existsSync(bundle)) {
    throw new Error(
      `WorkspaceSubscription: the runtime bundle ${bundle} is missing. Run "npm run build" in the cdktf-huaweicloud-workspace package (a published package ships it).`,
    );
  }
  return bundle;
}

/**
 * A Huawei Cloud Workspace subscription as a Terraform resource.
 *
 * Deploy creates a `null_resource` whose triggers hold only the subscription's
 * identity (project ID and region), so a routine deploy never replaces it. Its
 * destroy-time provisioner runs `workspace-subscription unsubscribe`, which checks
 * that no desktops remain, cancels the subscription once, and waits for the job.
 */
export class WorkspaceSubscription extends Construct {
  /** The `null_resource` that carries the identity and the destroy step. */
  public readonly resource: NullResource;
  /** The project ID as given (a literal or a token). */
  public readonly projectId: string;
  /** The region as given (a literal or a token). */
  public readonly region: string;

  constructor(scope: Construct, id: string, props: WorkspaceSubscriptionProps) {
    super(scope, id);
    validateProps(props);
    this.projectId = props.projectId;
    this.region = props.region;
    const stack = TerraformStack.of(this);
    ensureNullProvider(stack);
    const runtime = sharedRuntimeAsset(stack);

    this.resource = new NullResource(this, "subscription", {
      triggers: {
        [TRIGGER_KEYS.projectId]: props.projectId,
        [TRIGGER_KEYS.region]: props.region,
      },
      provisioners: [
        {
          type: "local-exec",
          when: "destroy",
          interpreter: ["node"],
          command: "${path.module}/" + terraformLiteral(runtime.path),
          environment: this.destroyEnvironment(props),
        },
      ],
    });
    // cdktf 0.21's LocalExecProvisioner has no on_failure field. "fail" keeps the
    // resource in the state when the step fails, so the next destroy runs it again.
    this.resource.addOverride("provisioner.0.local-exec.on_failure", "fail");
    this.node.addValidation({ validate: () => this.checkLifecycle() });
  }

  private destroyEnvironment(props: WorkspaceSubscriptionProps): Record<string, string> {
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(props.environment ?? {})) env[name] = terraformLiteral(value);
    // A destroy-time provisioner may reference only `self`: the identity comes from the state.
    env[ENV.projectId] = `\${self.triggers.${TRIGGER_KEYS.projectId}}`;
    env[ENV.region] = `\${self.triggers.${TRIGGER_KEYS.region}}`;
    env[ENV.command] = COMMANDS.unsubscribe;
    env[ENV.jobTimeout] = (props.jobTimeout ?? Duration.minutes(30)).toEnvValue();
    env[ENV.desktopWait] = (props.desktopWait ?? Duration.seconds(0)).toEnvValue();
    env[ENV.deletionPolicy] = props.deletionPolicy ?? DeletionPolicy.UNSUBSCRIBE;
    if (props.endpoint !== undefined) env[ENV.endpoint] = terraformLiteral(props.endpoint);
    return env;
  }

  /** Overrides can set a lifecycle after construction, so this runs at synth. */
  private checkLifecycle(): string[] {
    const rendered = this.resource.toTerraform() as { resource?: { null_resource?: Record<string, { lifecycle?: Record<string, unknown> }> } };
    const blocks = Object.values(rendered.resource?.null_resource ?? {});
    const errors: string[] = [];
    for (const block of blocks) {
      const cbd = block.lifecycle?.create_before_destroy;
      if (cbd === true || cbd === "true") {
        errors.push(
          "WorkspaceSubscription: create_before_destroy is set on its null_resource. Terraform does not run destroy-time provisioners for such resources, so a replacement would skip the safe unsubscribe step. Remove the lifecycle override.",
        );
      }
    }
    return errors;
  }
}

function validateProps(props: WorkspaceSubscriptionProps): void {
  const problems: string[] = [];
  const literal = (name: string, value: string | undefined) => {
    if (value !== undefined && Token.isUnresolved(value)) {
      problems.push(
        `${name} must be a plain string, not a Terraform token: a destroy-time provisioner may reference only "self", so a variable or resource attribute cannot reach it. Only projectId and region (the identity) accept tokens.`,
      );
      return false;
    }
    return value !== undefined;
  };
  if (typeof props.projectId !== "string" || props.projectId === "") {
    problems.push('projectId is required: the ID of the project (32 hex characters), e.g. "0123456789abcdef0123456789abcdef".');
  } else if (!Token.isUnresolved(props.projectId) && !PROJECT_ID_PATTERN.test(props.projectId)) {
    const hint = PROJECT_ID_PATTERN.test(props.projectId.toLowerCase()) ? " Write it in lower case." : " Find it in the console under My Credentials > API Credentials > Projects (the ID, not the name).";
    problems.push(`projectId "${props.projectId}" is not a project ID: expected 32 lower-case hexadecimal characters.${hint}`);
  }
  if (typeof props.region !== "string" || props.region === "") {
    problems.push('region is required, e.g. "cn-north-4".');
  } else if (!Token.isUnresolved(props.region) && !REGION_PATTERN.test(props.region)) {
    problems.push(`region "${props.region}" is not a Huawei Cloud region name such as "cn-north-4" or "ap-southeast-1".`);
  }
  if (literal("endpoint", props.endpoint)) checkEndpointProp(props.endpoint!, problems);
  for (const [name, d] of [
    ["jobTimeout", props.jobTimeout],
    ["desktopWait", props.desktopWait],
  ] as const) {
    if (d === undefined) continue;
    if (!(d instanceof Duration)) problems.push(`${name} must be a Duration, e.g. Duration.minutes(30).`);
    else if (d.toSeconds() > MAX_DURATION_SECONDS) problems.push(`${name} is ${d}; at most 24 hours is allowed.`);
    else if (name === "jobTimeout" && d.toSeconds() < 10) problems.push(`jobTimeout is ${d}; give the job at least 10 seconds (the default is 30 minutes).`);
  }
  if (props.deletionPolicy !== undefined && !Object.values(DeletionPolicy).includes(props.deletionPolicy)) {
    problems.push(`deletionPolicy must be DeletionPolicy.UNSUBSCRIBE or DeletionPolicy.RETAIN, got "${String(props.deletionPolicy)}".`);
  }
  for (const [name, value] of Object.entries(props.environment ?? {})) {
    if (!ENV_NAME_PATTERN.test(name)) problems.push(`environment: "${name}" is not a valid environment variable name.`);
    else if (RESERVED_ENV_NAMES.has(name)) problems.push(`environment: ${name} is set by the construct itself; use the matching prop instead.`);
    else if (SECRET_ENV_NAMES.test(name)) {
      problems.push(`environment: ${name} looks like a credential. Credentials must not be written into the stack or the state; set them in the environment of terraform / cdktf at run time.`);
    }
    literal(`environment.${name}`, value);
  }
  if (problems.length > 0) {
    throw new Error(`Invalid WorkspaceSubscription props:\n  - ${problems.join("\n  - ")}`);
  }
}

function checkEndpointProp(endpoint: string, problems: string[]): void {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    problems.push(`endpoint "${endpoint}" is not a URL; give an origin such as "https://workspace.cn-north-4.myhuaweicloud.com".`);
    return;
  }
  const loopback = url.hostname === "localhost" || url.hostname === "[::1]" || url.hostname.startsWith("127.");
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    problems.push(`endpoint "${endpoint}" must use https (plain http is accepted only on loopback, for the emulator).`);
  }
  if ((url.pathname !== "/" && url.pathname !== "") || url.search || url.hash || endpoint.endsWith("/")) {
    problems.push(`endpoint "${endpoint}" must be a bare origin without a path, query or trailing slash, e.g. "${url.origin}".`);
  }
}

/** One copy of the runtime per stack, however many subscriptions it holds. */
function sharedRuntimeAsset(stack: TerraformStack): TerraformAsset {
  const existing = stack.node.tryFindChild(RUNTIME_ASSET_ID);
  if (existing instanceof TerraformAsset) return existing;
  return new TerraformAsset(stack, RUNTIME_ASSET_ID, { path: runtimeBundlePath(), type: AssetType.FILE });
}

/** A stack needs a `null` provider block; add one unless the user already has. */
function ensureNullProvider(stack: TerraformStack): void {
  const has = stack.node.findAll().some((c) => c instanceof NullProvider);
  if (!has) new NullProvider(stack, "null");
}
