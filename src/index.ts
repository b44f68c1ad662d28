export { WorkspaceSubscription, WorkspaceSubscriptionProps, DeletionPolicy, terraformLiteral } from "./workspace-subscription";
export { Duration } from "./duration";
export { ENV, EXIT, TRIGGER_KEYS } from "./runtime/contract";
