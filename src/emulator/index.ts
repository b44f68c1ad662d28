/**
 * A local emulator of the Huawei Cloud Workspace API (and the one IAM call the client needs),
 * for tests, demos and pipelines on machines that cannot reach Huawei Cloud.
 * See README.md in this folder for what it implements and the choices it makes.
 */
export { startEmulator, DEMO_CREDENTIALS, LOOPBACK_HOSTS } from "./server";
export { ERROR_CODES } from "./errors";
export { CONTROL_PREFIX } from "./control-http";
export { ROUTE_NAMES, SERVICE_STATUSES, JOB_OUTCOMES } from "./types";
export type {
  DesktopSeed,
  EmulatorControl,
  EmulatorCredentials,
  EmulatorOptions,
  FaultSpec,
  JobKind,
  JobOutcome,
  JobPlan,
  RequestRecord,
  RouteName,
  RunningEmulator,
  ServiceStatus,
  ServiceStatusExtras,
  TenantSeed,
  TenantSnapshot,
  ThrottleSpec,
} from "./types";
