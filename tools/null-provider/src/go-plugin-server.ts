/**
 * The plugin side of hashicorp/go-plugin's handshake, as Terraform drives it:
 *
 * 1. Terraform starts the executable with TF_PLUGIN_MAGIC_COOKIE (proves we
 *    were launched as a plugin), PLUGIN_PROTOCOL_VERSIONS (e.g. "5,6") and
 *    PLUGIN_CLIENT_CERT (its own throw-away certificate, PEM).
 * 2. The plugin serves gRPC over TLS on 127.0.0.1, trusting only that client
 *    certificate, with a self-signed server certificate of its own.
 * 3. It prints one line on stdout:
 *    `1|<app protocol>|tcp|127.0.0.1:<port>|grpc|<server cert DER, base64, no padding>`
 * 4. When done, Terraform calls plugin.GRPCController/Shutdown, waits about
 *    two seconds for the process to exit, then kills it.
 */
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { createProviderService, RpcObserver } from "./provider-service";
import { createServerCertificate } from "./self-signed-cert";
import { PROTO_DIR } from "./tool-paths";

export const MAGIC_COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE";
export const MAGIC_COOKIE_VALUE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
export const CORE_PROTOCOL_VERSION = 1;
export const PROVIDER_PROTOCOL_VERSION = 5;
const HEALTH_SERVICE_NAME = "plugin";

export class HandshakeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "HandshakeError";
  }
}

export interface HandshakeSettings {
  /** PEM of Terraform's client certificate; absent when the host did not ask for mTLS. */
  readonly clientCertPem: string | null;
}

/** Checks what Terraform put in the environment; throws a HandshakeError telling what is wrong. */
export function readHandshakeSettings(env: NodeJS.ProcessEnv): HandshakeSettings {
  if (env[MAGIC_COOKIE_KEY] !== MAGIC_COOKIE_VALUE) {
    throw new HandshakeError(
      "This is a Terraform provider plugin (a stand-in for hashicorp/null). It is not meant to be run by hand: " +
        "Terraform starts it. See tools/null-provider/README.md.",
    );
  }
  const offered = (env.PLUGIN_PROTOCOL_VERSIONS ?? "")
    .split(",")
    .map((version) => version.trim())
    .filter((version) => version !== "");
  if (offered.length > 0 && !offered.includes(String(PROVIDER_PROTOCOL_VERSION))) {
    throw new HandshakeError(
      `Terraform offers plugin protocol version(s) ${offered.join(", ")}; this stand-in speaks only ${PROVIDER_PROTOCOL_VERSION}.`,
    );
  }
  const clientCertPem = env.PLUGIN_CLIENT_CERT?.trim() ? env.PLUGIN_CLIENT_CERT : null;
  return { clientCertPem };
}

function loadPackage(file: string): grpc.GrpcObject {
  const definition = protoLoader.loadSync(path.join(PROTO_DIR, file), {
    keepCase: true, // field names exactly as on the wire: type_name, Error, ...
    longs: String,
    enums: Number,
    bytes: Buffer,
    defaults: false,
    oneofs: true,
  });
  return grpc.loadPackageDefinition(definition);
}

function serviceOf(pkg: grpc.GrpcObject, dottedName: string): grpc.ServiceDefinition {
  let node: unknown = pkg;
  for (const part of dottedName.split(".")) node = (node as Record<string, unknown>)[part];
  const constructor = node as grpc.ServiceClientConstructor | undefined;
  if (!constructor?.service) throw new Error(`Service ${dottedName} is missing from the .proto files`);
  return constructor.service;
}

export interface PluginServerOptions {
  readonly settings: HandshakeSettings;
  readonly onRpc?: RpcObserver;
  /** Called after Terraform asked the plugin to shut down and the server has stopped. */
  readonly onShutdown: () => void;
}

export interface RunningPluginServer {
  readonly handshakeLine: string;
  stop(): void;
}

export async function startPluginServer(options: PluginServerOptions): Promise<RunningPluginServer> {
  const server = new grpc.Server();
  const stop = (): void => server.forceShutdown();

  server.addService(
    serviceOf(loadPackage("tfplugin5_subset.proto"), "tfplugin5.Provider"),
    createProviderService({ onRpc: options.onRpc }),
  );

  const goPlugin = loadPackage("go_plugin_subset.proto");
  server.addService(serviceOf(goPlugin, "plugin.GRPCController"), {
    Shutdown: (_call: grpc.ServerUnaryCall<object, object>, callback: grpc.sendUnaryData<object>) => {
      options.onRpc?.("plugin.GRPCController/Shutdown");
      callback(null, {});
      // Let the answer leave before the server goes away.
      setTimeout(() => {
        stop();
        options.onShutdown();
      }, 20);
    },
  });
  server.addService(serviceOf(goPlugin, "plugin.GRPCStdio"), {
    // Nothing to mirror: end the stream at once (go-plugin treats that as EOF).
    StreamStdio: (call: grpc.ServerWritableStream<object, object>) => {
      options.onRpc?.("plugin.GRPCStdio/StreamStdio");
      call.end();
    },
  });

  const health = loadPackage("health_subset.proto");
  server.addService(serviceOf(health, "grpc.health.v1.Health"), {
    Check: (
      call: grpc.ServerUnaryCall<{ service?: string }, object>,
      callback: grpc.sendUnaryData<object>,
    ) => {
      options.onRpc?.("grpc.health.v1.Health/Check");
      const service = call.request.service ?? "";
      const known = service === "" || service === HEALTH_SERVICE_NAME;
      callback(null, { status: known ? 1 /* SERVING */ : 3 /* SERVICE_UNKNOWN */ });
    },
  });

  let credentials: grpc.ServerCredentials;
  let certField = "";
  if (options.settings.clientCertPem !== null) {
    const cert = createServerCertificate();
    credentials = grpc.ServerCredentials.createSsl(
      Buffer.from(options.settings.clientCertPem, "utf8"),
      [{ private_key: Buffer.from(cert.keyPem, "utf8"), cert_chain: Buffer.from(cert.certPem, "utf8") }],
      true, // require and verify the client certificate
    );
    certField = cert.certDer.toString("base64").replace(/=+$/, "");
  } else {
    credentials = grpc.ServerCredentials.createInsecure();
  }

  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync("127.0.0.1:0", credentials, (error, boundPort) => (error ? reject(error) : resolve(boundPort)));
  });

  const fields = [CORE_PROTOCOL_VERSION, PROVIDER_PROTOCOL_VERSION, "tcp", `127.0.0.1:${port}`, "grpc"];
  if (certField !== "") fields.push(certField);
  return { handshakeLine: fields.join("|"), stop };
}
