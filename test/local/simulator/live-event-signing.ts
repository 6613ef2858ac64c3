/**
 * Signing side of Live Events for tests, the Canvas simulator and the local start script: RS256 key
 * pairs, signed event tokens shaped like Canvas's HTTPS "Sign Payload" deliveries (the claims are the
 * `{ metadata, body }` envelope plus iat/exp), and the JWKS document a test key endpoint serves.
 * Uses only jose and WebCrypto, so it runs both in workerd and in Node. Never used to verify.
 */
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import type { CryptoKey, JSONWebKeySet, JWK } from "jose";

export type TestSigningKey = {
  kid: string;
  privateKey: CryptoKey;
  /** Public half as a JWK carrying kid, alg and use, ready for a JWKS. */
  publicJwk: JWK;
};

/** Generates a 2048-bit RS256 key pair named `kid`. */
export async function generateSigningKey(kid: string): Promise<TestSigningKey> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", {
    modulusLength: 2048,
    extractable: true,
  });
  const exported = await exportJWK(publicKey);
  return { kid, privateKey, publicJwk: { ...exported, kid, alg: "RS256", use: "sig" } };
}

export type SignEventOptions = {
  /** Issue time; defaults to now. */
  issuedAt?: Date;
  /** Lifetime in seconds after `issuedAt`; defaults to 300. Pass null to omit `exp`. */
  expiresInSeconds?: number | null;
  /** An `iss` claim (Canvas's layout does not document one; LIVE_EVENTS_ISSUER checks it when configured). */
  issuer?: string;
};

/** Signs an event envelope as a compact JWS (RS256, `kid` in the protected header). */
export async function signEvent(
  event: Record<string, unknown>,
  privateKey: CryptoKey,
  kid: string,
  options: SignEventOptions = {},
): Promise<string> {
  const issuedAt = Math.floor((options.issuedAt ?? new Date()).getTime() / 1000);
  const lifetime = options.expiresInSeconds === undefined ? 300 : options.expiresInSeconds;
  const jwt = new SignJWT(event).setProtectedHeader({ alg: "RS256", kid, typ: "JWT" }).setIssuedAt(issuedAt);
  if (lifetime !== null) jwt.setExpirationTime(issuedAt + lifetime);
  if (options.issuer !== undefined) jwt.setIssuer(options.issuer);
  return jwt.sign(privateKey);
}

/** The JWKS JSON a key endpoint serves for these keys (public halves only). */
export function jwksFor(keys: readonly TestSigningKey[]): JSONWebKeySet {
  return { keys: keys.map((key) => ({ ...key.publicJwk })) };
}
