/**
 * The throwaway certificates of test/fixtures/credentials (its README says how they were made): where
 * they are, their password and the thumbprint the Azure portal would show for the registered one.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { TokenError } from '../../src/connectors/odata/tokens.js';

const folder = path.resolve(import.meta.dirname, '../fixtures/credentials');

/** A fixture's path, e.g. `credentialFile('client.pfx')`. */
export const credentialFile = (name: string): string => path.join(folder, name);

/** A fixture's bytes. */
export const readCredentialFile = (name: string): Buffer => readFileSync(credentialFile(name));

/** The password of `client.pfx`, `client-legacy.pfx` and `client-encrypted.pem`. */
export const fixturePassword = 'test-password';

/** `certificate.pem`'s SHA-1 thumbprint, as `openssl x509 -fingerprint -sha1` and the Azure portal give it. */
export const fixtureThumbprint = '6D7E5E802469EB36E12E8D6E1D0E0B3D94012614';

/** The TokenError a token request failed with (the test fails if it succeeded or failed otherwise). */
export async function tokenFailure(request: Promise<unknown>): Promise<TokenError> {
  const error = await request.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TokenError);
  return error as TokenError;
}
