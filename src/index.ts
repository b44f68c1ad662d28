export {
  WorkspaceSubscription,
  WorkspaceSubscriptionProps,
  DeletionPolicy,
  DomainType,
  AccessMode,
  SubscriptionProps,
  ActiveDirectoryProps,
  terraformLiteral,
} from "./workspace-subscription";
export { Duration } from "./duration";
export { ENV, EXIT, TRIGGER_KEYS } from "./runtime/contract";
