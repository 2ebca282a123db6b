import { describe, expect, it } from 'vitest';
import { CertificateError, readClientCertificate } from '../../../src/connectors/odata/credentials.js';
import {
  fixturePassword as password,
  fixtureThumbprint as sha1,
  readCredentialFile as file,
} from '../../support/credentials.js';

function refusal(read: () => unknown): string {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(CertificateError);
    return (error as Error).message;
  }
  throw new Error('expected a CertificateError');
}

describe('client certificates', () => {
  it.each([
    ['PEM with key and certificate', 'client.pem', undefined],
    ['PEM with an encrypted key', 'client-encrypted.pem', password],
    ['PKCS#12 with AES and SHA-256', 'client.pfx', password],
    ['PKCS#12 as older Windows exports it (3DES)', 'client-legacy.pfx', password],
  ])('reads %s, with the thumbprint Entra ID shows', (_, name, secret) => {
    const certificate = readClientCertificate(file(name), secret);
    expect(certificate.thumbprint).toBe(sha1);
    expect(certificate.thumbprintSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(certificate.subject).toBe('CN=hub-test-client');
    expect(certificate.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(certificate.certificatePem).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
  });

  it('gives the same key and thumbprints whatever the file format', () => {
    const fromPem = readClientCertificate(file('client.pem'));
    const fromPfx = readClientCertificate(file('client.pfx'), password);
    expect(fromPfx).toEqual(fromPem);
  });

  it.each([
    [
      'a PKCS#12 file with a wrong password',
      () => readClientCertificate(file('client.pfx'), 'wrong'),
      'the PKCS#12 file does not open with the password given',
    ],
    [
      'a PKCS#12 file without its password',
      () => readClientCertificate(file('client.pfx')),
      'the PKCS#12 file does not open with no password',
    ],
    [
      'an encrypted PEM key with a wrong password',
      () => readClientCertificate(file('client-encrypted.pem'), 'wrong'),
      'the private key is encrypted and the password does not open it',
    ],
    [
      'a certificate without its key',
      () => readClientCertificate(file('certificate.pem')),
      'the PEM file holds no private key (it needs the key and the certificate)',
    ],
    [
      'a key without its certificate',
      () => readClientCertificate(file('private-key.pem')),
      'the PEM file holds no certificate (it needs the key and the certificate)',
    ],
    [
      "another certificate's key",
      () => readClientCertificate(Buffer.concat([file('other-key.pem'), file('certificate.pem')])),
      "the private key does not belong to the file's certificate",
    ],
    [
      'a file that is neither',
      () => readClientCertificate(Buffer.from('not a certificate')),
      'the file is neither PEM nor PKCS#12 (.pfx/.p12)',
    ],
    [
      'an expired certificate',
      () => readClientCertificate(file('client.pem'), undefined, new Date('2200-01-01')),
      /^the certificate \(CN=hub-test-client\) expired on 2126-/,
    ],
  ])('refuses %s, saying why', (_, read, reason) => {
    expect(refusal(read)).toMatch(reason);
  });

  it('never quotes the file in a refusal', () => {
    const key = file('other-key.pem').toString();
    const message = refusal(() =>
      readClientCertificate(Buffer.concat([file('other-key.pem'), file('certificate.pem')])),
    );
    expect(message).not.toContain(key.split('\n')[1]);
    expect(message).not.toMatch(/PRIVATE KEY-----/);
  });
});
