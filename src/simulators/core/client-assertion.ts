/**
 * Entra's check of a certificate credential: a `client_assertion` JWT (RFC 7523) signed with the key of
 * a certificate registered on the app. msal-node signs RS256 naming the certificate by `x5t` (SHA-1
 * thumbprint) or PS256 naming it by `x5t#S256` (SHA-256 thumbprint); claims aud (the token endpoint),
 * iss = sub = client id, exp, nbf and jti. Refusals copy Entra's AADSTS codes and wording; none of them
 * repeats the assertion (a thumbprint names a public certificate, as Entra's own messages do).
 */
import { constants, createHash, verify, X509Certificate } from 'node:crypto';

/** Entra tolerates this much clock skew on nbf and exp. */
const clockSkewSeconds = 5 * 60;

const docs =
  'Review the documentation at https://docs.microsoft.com/azure/active-directory/develop/active-directory-certificate-credentials .';

/** A registered certificate, parsed once, with the thumbprints an assertion may name it by. */
export interface RegisteredCertificate {
  certificate: X509Certificate;
  /** base64url SHA-1 of the DER certificate, as in `x5t`. */
  x5t: string;
  /** base64url SHA-256 of the DER certificate, as in `x5t#S256`. */
  x5tS256: string;
}

export function registerCertificate(pem: string): RegisteredCertificate {
  const certificate = new X509Certificate(pem);
  const digest = (algorithm: string) => createHash(algorithm).update(certificate.raw).digest('base64url');
  return { certificate, x5t: digest('sha1'), x5tS256: digest('sha256') };
}

export type AssertionRefusal = { error: string; code: number; description: string };

export interface AssertionCheck {
  assertion: string;
  /** The `client_id` form parameter. */
  clientId: string;
  certificates: readonly RegisteredCertificate[];
  /** The token endpoint's own URL: the only audience accepted. */
  audience: string;
  nowMs: number;
}

/** Undefined when the assertion proves the client; otherwise why Entra would refuse it. */
export function checkClientAssertion({
  assertion,
  clientId,
  certificates,
  audience,
  nowMs,
}: AssertionCheck): AssertionRefusal | undefined {
  const parts = assertion.split('.');
  const header = parts.length === 3 ? decodeJson(parts[0]!) : undefined;
  const claims = parts.length === 3 ? decodeJson(parts[1]!) : undefined;
  if (!header || !claims) return malformed('JWT token is invalid or malformed.');
  return checkSignature(header, parts, certificates, nowMs) ?? checkClaims(claims, clientId, audience, nowMs);
}

/** Entra checks the key first: which certificate the header names, whether it is valid, and signed. */
function checkSignature(
  header: Record<string, unknown>,
  parts: string[],
  certificates: readonly RegisteredCertificate[],
  nowMs: number,
): AssertionRefusal | undefined {
  const alg = header['alg'];
  if (alg !== 'RS256' && alg !== 'PS256') {
    return {
      error: 'invalid_request',
      code: 5002738,
      description: `AADSTS5002738: Invalid JWT token. '${String(alg)}' is not a supported signature algorithm. Supported signing algorithms are: 'RS256, PS256'.`,
    };
  }
  const x5tS256 = typeof header['x5t#S256'] === 'string' ? header['x5t#S256'] : undefined;
  const x5t = typeof header['x5t'] === 'string' ? header['x5t'] : undefined;
  if (!x5tS256 && !x5t)
    return malformed('Invalid JWT token. No certificate thumbprint specified in token header.');
  const thumbprint = Buffer.from((x5tS256 ?? x5t)!, 'base64url')
    .toString('hex')
    .toUpperCase();
  const registered = certificates.find((c) => (x5tS256 ? c.x5tS256 === x5tS256 : c.x5t === x5t));
  if (!registered)
    return invalidSignature(`The key was not found., Thumbprint of key used by client: '${thumbprint}'`);

  const { certificate } = registered;
  const found = `Thumbprint of key used by client: '${thumbprint}', Found key 'Start=${isoDate(certificate.validFrom)}, End=${isoDate(certificate.validTo)}'`;
  if (Date.parse(certificate.validTo) < nowMs || Date.parse(certificate.validFrom) > nowMs) {
    return invalidSignature(`The key used is expired., ${found}`);
  }
  const key =
    alg === 'PS256'
      ? // RFC 7518 §3.5: PSS with MGF1-SHA-256 and a salt as long as the digest.
        {
          key: certificate.publicKey,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
        }
      : { key: certificate.publicKey, padding: constants.RSA_PKCS1_PADDING };
  const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
  const signature = Buffer.from(parts[2]!, 'base64url');
  if (!verifies(() => verify('sha256', signed, key, signature))) {
    return invalidSignature(`Key was found, but use of the key to verify the signature failed., ${found}`);
  }
  return undefined;
}

/** Then the claims: whose assertion it is, for which endpoint, and when (RFC 7523 §3). */
function checkClaims(
  claims: Record<string, unknown>,
  clientId: string,
  audience: string,
  nowMs: number,
): AssertionRefusal | undefined {
  if (claims['iss'] !== clientId || claims['sub'] !== clientId) {
    return {
      error: 'invalid_client',
      code: 700021,
      description: `AADSTS700021: Client assertion application identifier doesn't match 'client_id' parameter. ${docs}`,
    };
  }
  const aud = claims['aud'];
  if (!(aud === audience || (Array.isArray(aud) && aud.includes(audience)))) {
    return {
      error: 'invalid_client',
      code: 700023,
      description: `AADSTS700023: Client assertion audience claim does not match Realm issuer. ${docs}`,
    };
  }
  const exp = claims['exp'];
  const nbf = typeof claims['nbf'] === 'number' ? claims['nbf'] : undefined;
  if (typeof exp !== 'number') return malformed('Invalid JWT token. The token has no expiry (exp).');
  const nowSeconds = nowMs / 1000;
  if (nowSeconds > exp + clockSkewSeconds || (nbf !== undefined && nowSeconds < nbf - clockSkewSeconds)) {
    const validFrom = nbf !== undefined ? isoDate(nbf * 1000) : 'unspecified';
    return {
      error: 'invalid_client',
      code: 700024,
      description: `AADSTS700024: Client assertion is not within its valid time range. Current time: ${isoDate(nowMs)}, assertion valid from ${validFrom}, expiry time of assertion ${isoDate(exp * 1000)}. ${docs}`,
    };
  }
  return undefined;
}

/** A signature of the wrong length makes node:crypto throw rather than answer false. */
function verifies(check: () => boolean): boolean {
  try {
    return check();
  } catch {
    return false;
  }
}

function decodeJson(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

const malformed = (description: string): AssertionRefusal => ({
  error: 'invalid_request',
  code: 50027,
  description: `AADSTS50027: ${description}`,
});

const invalidSignature = (reason: string): AssertionRefusal => ({
  error: 'invalid_client',
  code: 700027,
  description: `AADSTS700027: Client assertion contains an invalid signature. [Reason - ${reason}]`,
});

const isoDate = (time: string | number): string => new Date(time).toISOString();
