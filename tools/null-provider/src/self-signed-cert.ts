/**
 * The plugin's half of go-plugin's automatic mutual TLS: a throw-away,
 * self-signed server certificate for "localhost", made fresh at each start.
 *
 * Node can generate keys and sign, but cannot build an X.509 certificate by
 * itself, so node-forge assembles it. The shape follows what go-plugin's own
 * plugins send (self-signed CA cert, SAN "localhost", server and client auth),
 * because Terraform verifies it with the certificate as its only root and
 * "localhost" as the expected server name.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import forge from "node-forge";

export interface ServerCertificate {
  readonly certPem: string;
  readonly keyPem: string;
  /** The certificate's DER bytes, as sent in the handshake line. */
  readonly certDer: Buffer;
}

const HOST = "localhost";
const VALID_FOR_DAYS = 30; // the process lives for one Terraform command

export function createServerCertificate(now: Date = new Date()): ServerCertificate {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });

  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  // The leading 01 keeps the serial positive: Go rejects negative ones.
  cert.serialNumber = `01${randomBytes(16).toString("hex")}`;
  cert.validity.notBefore = new Date(now.getTime() - 30_000); // clock skew
  cert.validity.notAfter = new Date(now.getTime() + VALID_FOR_DAYS * 24 * 3600_000);
  const name = [
    { name: "commonName", value: HOST },
    { name: "organizationName", value: "hashicorp-null stand-in" },
  ];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, keyCertSign: true, critical: true },
    { name: "extKeyUsage", serverAuth: true, clientAuth: true },
    { name: "subjectAltName", altNames: [{ type: 2, value: HOST }] },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(privateKey), forge.md.sha256.create());

  const certPem = forge.pki.certificateToPem(cert);
  const certDer = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), "binary");
  return { certPem, keyPem: privateKey, certDer };
}
