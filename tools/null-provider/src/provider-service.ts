/**
 * The tfplugin5 `Provider` service: decodes each request, calls the pure
 * null_resource functions and encodes the answer. Problems are answered as
 * error diagnostics (which Terraform shows to the user), never as gRPC errors.
 */
import type { sendUnaryData, ServerUnaryCall, UntypedServiceImplementation } from "@grpc/grpc-js";
import { decodeDynamicValue, DynamicValue, encodeDynamicValue } from "./cty-values";
import {
  applyChange,
  fromNullResourceState,
  importState,
  NULL_RESOURCE_ATTRIBUTES,
  NULL_RESOURCE_DESCRIPTION,
  NULL_RESOURCE_SCHEMA_VERSION,
  NULL_RESOURCE_TYPE,
  NullResourceState,
  planChange,
  ResourceError,
  toNullResourceState,
  upgradeState,
} from "./null-resource";

const SEVERITY_ERROR = 1;

interface Diagnostic {
  severity: number;
  summary: string;
  detail: string;
}

/** Called with each RPC's name, before it is handled (for the optional call log). */
export type RpcObserver = (rpc: string) => void;

export interface ProviderServiceOptions {
  readonly onRpc?: RpcObserver;
}

interface TypedRequest {
  type_name?: string;
}

const SERVER_CAPABILITIES = {
  // Without it Terraform plans a destroy itself and never asks the provider.
  plan_destroy: false,
  get_provider_schema_optional: false,
  move_resource_state: false,
};

function providerSchemaResponse(): Record<string, unknown> {
  return {
    provider: { version: 0, block: { version: 0, attributes: [] } },
    resource_schemas: {
      [NULL_RESOURCE_TYPE]: {
        version: NULL_RESOURCE_SCHEMA_VERSION,
        block: {
          version: 0,
          description: NULL_RESOURCE_DESCRIPTION,
          attributes: NULL_RESOURCE_ATTRIBUTES.map((attribute) => ({
            ...attribute,
            type: Buffer.from(attribute.type, "utf8"),
          })),
        },
      },
    },
    data_source_schemas: {},
    diagnostics: [],
    server_capabilities: SERVER_CAPABILITIES,
  };
}

function errorDiagnostic(error: unknown): Diagnostic {
  if (error instanceof ResourceError) {
    return { severity: SEVERITY_ERROR, summary: error.summary, detail: error.detail };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    severity: SEVERITY_ERROR,
    summary: "Internal error in the hashicorp/null stand-in",
    detail: `${message}\nThis stand-in (tools/null-provider) serves only null_resource; see its README.`,
  };
}

function requireNullResource(request: TypedRequest): void {
  if (request.type_name !== NULL_RESOURCE_TYPE) {
    throw new ResourceError(
      "Unsupported resource type",
      `The hashicorp/null stand-in serves only "${NULL_RESOURCE_TYPE}", not "${request.type_name ?? ""}".`,
    );
  }
}

function decodeState(value: DynamicValue | null | undefined, what: string): NullResourceState | null {
  return toNullResourceState(decodeDynamicValue(value), what);
}

function encodeState(state: NullResourceState | null): { msgpack: Buffer } {
  return encodeDynamicValue(fromNullResourceState(state));
}

/**
 * Wraps a handler: logs the call, turns a thrown error into an error
 * diagnostic in the field the response keeps them in.
 */
function unary<Req, Res extends object>(
  name: string,
  options: ProviderServiceOptions,
  handle: (request: Req) => Res,
): (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => void {
  return (call, callback) => {
    options.onRpc?.(name);
    try {
      callback(null, handle(call.request));
    } catch (error) {
      callback(null, { diagnostics: [errorDiagnostic(error)] } as unknown as Res);
    }
  };
}

export function createProviderService(options: ProviderServiceOptions = {}): UntypedServiceImplementation {
  return {
    GetMetadata: unary("GetMetadata", options, () => ({
      server_capabilities: SERVER_CAPABILITIES,
      diagnostics: [],
      data_sources: [],
      resources: [{ type_name: NULL_RESOURCE_TYPE }],
    })),

    GetSchema: unary("GetSchema", options, providerSchemaResponse),

    // The provider block has no attributes; hand the config back unchanged.
    PrepareProviderConfig: unary("PrepareProviderConfig", options, (request: { config?: DynamicValue }) => ({
      prepared_config: request.config ?? encodeDynamicValue({}),
      diagnostics: [],
    })),

    ValidateResourceTypeConfig: unary(
      "ValidateResourceTypeConfig",
      options,
      (request: TypedRequest & { config?: DynamicValue }) => {
        requireNullResource(request);
        decodeState(request.config, "configuration");
        return { diagnostics: [] };
      },
    ),

    UpgradeResourceState: unary(
      "UpgradeResourceState",
      options,
      (request: TypedRequest & { version?: string | number; raw_state?: { json?: Buffer; flatmap?: Record<string, string> } }) => {
        requireNullResource(request);
        const json = request.raw_state?.json ? Buffer.from(request.raw_state.json).toString("utf8") : null;
        const state = upgradeState(Number(request.version ?? 0), json, request.raw_state?.flatmap ?? null);
        return { upgraded_state: encodeState(state), diagnostics: [] };
      },
    ),

    Configure: unary("Configure", options, () => ({ diagnostics: [] })),

    // Nothing exists outside Terraform's state, so the state is always current.
    ReadResource: unary(
      "ReadResource",
      options,
      (request: TypedRequest & { current_state?: DynamicValue; private?: Buffer }) => {
        requireNullResource(request);
        const state = decodeState(request.current_state, "current state");
        return { new_state: encodeState(state), private: request.private ?? Buffer.alloc(0), diagnostics: [] };
      },
    ),

    PlanResourceChange: unary(
      "PlanResourceChange",
      options,
      (
        request: TypedRequest & {
          prior_state?: DynamicValue;
          proposed_new_state?: DynamicValue;
          prior_private?: Buffer;
        },
      ) => {
        requireNullResource(request);
        const prior = decodeState(request.prior_state, "prior state");
        const proposed = decodeState(request.proposed_new_state, "proposed new state");
        const { planned, requiresReplace } = planChange(prior, proposed);
        return {
          planned_state: encodeState(planned),
          requires_replace: requiresReplace ? [{ steps: [{ attribute_name: "triggers" }] }] : [],
          planned_private: request.prior_private ?? Buffer.alloc(0),
          diagnostics: [],
        };
      },
    ),

    ApplyResourceChange: unary(
      "ApplyResourceChange",
      options,
      (request: TypedRequest & { prior_state?: DynamicValue; planned_state?: DynamicValue; planned_private?: Buffer }) => {
        requireNullResource(request);
        const prior = decodeState(request.prior_state, "prior state");
        const planned = decodeState(request.planned_state, "planned state");
        const applied = applyChange(prior, planned);
        return { new_state: encodeState(applied), private: request.planned_private ?? Buffer.alloc(0), diagnostics: [] };
      },
    ),

    ImportResourceState: unary("ImportResourceState", options, (request: TypedRequest & { id?: string }) => {
      requireNullResource(request);
      const state = importState(request.id ?? "");
      return {
        imported_resources: [{ type_name: NULL_RESOURCE_TYPE, state: encodeState(state) }],
        diagnostics: [],
      };
    }),

    GetFunctions: unary("GetFunctions", options, () => ({ diagnostics: [] })),

    // Stop asks to cancel in-flight work; every call here finishes at once.
    Stop: unary("Stop", options, () => ({ Error: "" })),
  };
}

