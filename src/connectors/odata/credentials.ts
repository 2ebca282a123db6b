/**
 * How the hub signs in to a system, as Microsoft Entra ID offers it to a daemon application: an app
 * registration's client secret or certificate, or the managed identity of the machine the hub runs on.
 *
 * A certificate comes as one file: PEM (the private key and the certificate, as `openssl` and Key Vault
 * export them) or PKCS#12 (`.pfx`/`.p12`, as Windows and Key Vault export them, with its password). The
 * hub reads it once at start and keeps the private key in memory only; its thumbprint, which Entra ID
 * matches against the certificates uploaded to the app registration, is computed from the certificate.
 */
import { createHash, createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import forge from 'node-forge';

export type Credential =
  | { kind: 'client-secret'; tenantId: string; clientId: string; clientSecret: string }
  | { kind: 'certificate'; tenantId: string; clientId: string; certificate: ClientCertificate }
  | {
      kind: 'managed-identity';
      /** A user-assigned identity's client id; absent for the system-assigned identity. */
      clientId?: string;
    };

export interface ClientCertificate {
  /** The private key as unencrypted PKCS#8 PEM, as msal-node signs with it. */
  privateKey: string;
  /** The certificate as PEM (public: it may be logged and sent). */
  certificatePem: string;
  /** SHA-1 thumbprint in upper-case hex, as the Azure portal shows it next to an uploaded certificate. */
  thumbprint: string;
  /** SHA-256 thumbprint in hex: what the hub sends (`x5t#S256`, with a PS256 signature). */
  thumbprintSha256: string;
  /** The certificate's subject and expiry, for the start-up line. */
  subject: string;
  validTo: Date;
}

/** The certificate file cannot be used; the message says why without quoting any of its contents. */
export class CertificateError extends Error {
  override name = 'CertificateError';
}

/**
 * Reads a certificate credential from a PEM or PKCS#12 file's bytes. The password opens a PKCS#12 file
 * or an encrypted PEM private key. Refuses a file without a private key or certificate, a key that is
 * not the certificate's, a certificate that is not RSA (Entra ID's client assertions are RS256/PS256),
 * and an expired certificate.
 */
export function readClientCertificate(file: Buffer, password?: string, now = new Date()): ClientCertificate {
  const { key, certificate } = isPem(file)
    ? fromPem(file.toString('utf8'), password)
    : fromPkcs12(file, password);
  if (key.asymmetricKeyType !== 'rsa') {
    throw new CertificateError(
      `the private key is ${key.asymmetricKeyType ?? 'of an unknown type'}; Entra ID client certificates need an RSA key`,
    );
  }
  if (!certificate.checkPrivateKey(key)) {
    throw new CertificateError("the private key does not belong to the file's certificate");
  }
  const validTo = new Date(certificate.validTo);
  if (validTo.getTime() <= now.getTime()) {
    throw new CertificateError(
      `the certificate (${certificate.subject.replaceAll('\n', ', ')}) expired on ${validTo.toISOString()}`,
    );
  }
  return {
    privateKey: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
    certificatePem: certificate.toString(),
    thumbprint: createHash('sha1').update(certificate.raw).digest('hex').toUpperCase(),
    thumbprintSha256: createHash('sha256').update(certificate.raw).digest('hex'),
    subject: certificate.subject.replaceAll('\n', ', '),
    validTo,
  };
}

function isPem(file: Buffer): boolean {
  return file.subarray(0, 2048).toString('latin1').includes('-----BEGIN ');
}

interface KeyAndCertificate {
  key: KeyObject;
  certificate: X509Certificate;
}

function fromPem(text: string, password: string | undefined): KeyAndCertificate {
  const keyBlock =
    /-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----/.exec(
      text,
    )?.[0];
  const certificateBlock = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(text)?.[0];
  if (!keyBlock)
    throw new CertificateError('the PEM file holds no private key (it needs the key and the certificate)');
  if (!certificateBlock) {
    throw new CertificateError('the PEM file holds no certificate (it needs the key and the certificate)');
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({
      key: keyBlock,
      format: 'pem',
      ...(password !== undefined && { passphrase: password }),
    });
  } catch {
    throw new CertificateError(
      keyBlock.includes('ENCRYPTED') || /Proc-Type: 4,ENCRYPTED/.test(keyBlock)
        ? 'the private key is encrypted and the password does not open it'
        : 'the private key cannot be read',
    );
  }
  return { key, certificate: parseCertificate(certificateBlock) };
}

function fromPkcs12(file: Buffer, password: string | undefined): KeyAndCertificate {
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(file.toString('binary')), password ?? '');
  } catch (error) {
    const wrongPassword = error instanceof Error && /password|MAC/i.test(error.message);
    throw new CertificateError(
      wrongPassword
        ? `the PKCS#12 file does not open with ${password === undefined ? 'no password' : 'the password given'}`
        : 'the file is neither PEM nor PKCS#12 (.pfx/.p12)',
    );
  }
  const bagsOf = (type: string): forge.pkcs12.Bag[] => p12.getBags({ bagType: type })[type] ?? [];
  const forgeKey = [...bagsOf(oids.shroudedKey), ...bagsOf(oids.key)].find((bag) => bag.key)?.key;
  if (!forgeKey) throw new CertificateError('the PKCS#12 file holds no private key');
  const certificates = bagsOf(oids.certificate)
    .map((bag) => bag.cert)
    .filter((cert): cert is forge.pki.Certificate => cert !== undefined)
    .map((cert) => parseCertificate(forge.pki.certificateToPem(cert)));
  const key = createPrivateKey(forge.pki.privateKeyToPem(forgeKey));
  // A file may carry the issuing chain too: the client certificate is the one the key belongs to.
  const certificate = certificates.find((candidate) => candidate.checkPrivateKey(key));
  if (!certificate) {
    throw new CertificateError(
      certificates.length === 0
        ? 'the PKCS#12 file holds no certificate'
        : "the private key does not belong to any of the file's certificates",
    );
  }
  return { key, certificate };
}

/** PKCS#12 bag types (node-forge's `pki.oids`, named). */
const oids = {
  shroudedKey: '1.2.840.113549.1.12.10.1.2',
  key: '1.2.840.113549.1.12.10.1.1',
  certificate: '1.2.840.113549.1.12.10.1.3',
};

function parseCertificate(pem: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch {
    throw new CertificateError('the certificate cannot be read');
  }
}
