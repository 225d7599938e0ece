import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * OpenID Connect tokens as Cognito Identity's GetOpenIdToken hands them out, and their check
 * by STS's AssumeRoleWithWebIdentity. Cognito signs with its own RSA keys; locally one random
 * HMAC key per endpoint start signs and verifies (both services hold the same `WebIdentityTokens`),
 * so a token outlives neither the endpoint nor its ten minutes.
 */

/** The `iss` of Cognito Identity's tokens. */
export const COGNITO_ISSUER = 'https://cognito-identity.amazonaws.com';
/** The federated principal trust policies name for Cognito Identity, and the prefix of its context keys. */
export const COGNITO_PROVIDER = 'cognito-identity.amazonaws.com';
/** GetOpenIdToken's tokens last ten minutes (the API reference: "The OpenID token is valid for 10 minutes"). */
export const OPEN_ID_TOKEN_SECONDS = 600;

export interface WebIdentityClaims {
  readonly iss: string;
  /** The identity id (`us-east-1:…`). */
  readonly sub: string;
  /** The identity pool id. */
  readonly aud: string;
  /** `["unauthenticated"]`, or `["authenticated", provider, …]`. */
  readonly amr: readonly string[];
  /** Seconds since the epoch. */
  readonly iat: number;
  readonly exp: number;
}

export type TokenCheck =
  | { readonly valid: true; readonly claims: WebIdentityClaims }
  | {
      readonly valid: false;
      readonly code: 'InvalidIdentityToken' | 'ExpiredTokenException';
      readonly message: string;
    };

export interface WebIdentityTokensOptions {
  /** @default 32 random bytes */
  readonly key?: Buffer;
  /** Milliseconds since the epoch. @default Date.now */
  readonly now?: () => number;
}

const base64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');
const HEADER = base64url(JSON.stringify({ kid: 'local-1', typ: 'JWS', alg: 'HS256' }));

const invalid = (message: string): TokenCheck => ({ valid: false, code: 'InvalidIdentityToken', message });

function decodeClaims(payload: string): WebIdentityClaims | undefined {
  try {
    const claims = JSON.parse(
      Buffer.from(payload, 'base64url').toString('utf8'),
    ) as Partial<WebIdentityClaims>;
    const ok =
      typeof claims.iss === 'string' &&
      typeof claims.sub === 'string' &&
      typeof claims.aud === 'string' &&
      Array.isArray(claims.amr) &&
      typeof claims.exp === 'number';
    return ok ? (claims as WebIdentityClaims) : undefined;
  } catch {
    return undefined;
  }
}

export class WebIdentityTokens {
  private readonly key: Buffer;
  private readonly now: () => number;

  constructor(options: WebIdentityTokensOptions = {}) {
    this.key = options.key ?? randomBytes(32);
    this.now = options.now ?? Date.now;
  }

  private signature(signed: string): Buffer {
    return createHmac('sha256', this.key).update(signed).digest();
  }

  /** A Cognito-style OpenID token for `sub` in pool `aud`. */
  sign(
    claims: Pick<WebIdentityClaims, 'sub' | 'aud' | 'amr'>,
    lifetimeSeconds = OPEN_ID_TOKEN_SECONDS,
  ): string {
    const iat = Math.floor(this.now() / 1000);
    const payload = base64url(
      JSON.stringify({
        sub: claims.sub,
        aud: claims.aud,
        amr: claims.amr,
        iss: COGNITO_ISSUER,
        exp: iat + lifetimeSeconds,
        iat,
      }),
    );
    const signed = `${HEADER}.${payload}`;
    return `${signed}.${base64url(this.signature(signed))}`;
  }

  /** STS's check of a web identity token: well-formed, issued here, not expired. */
  verify(token: string): TokenCheck {
    const parts = token.split('.');
    const claims = parts.length === 3 ? decodeClaims(parts[1]) : undefined;
    if (!claims)
      return invalid(
        'The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)',
      );
    if (claims.iss !== COGNITO_ISSUER) {
      return invalid(`No OpenIDConnect provider found in your account for ${claims.iss}`);
    }
    const expected = this.signature(`${parts[0]}.${parts[1]}`);
    const given = Buffer.from(parts[2], 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return invalid('The web identity token could not be verified with the keys of its issuer.');
    }
    const now = Math.floor(this.now() / 1000);
    if (now >= claims.exp) {
      return {
        valid: false,
        code: 'ExpiredTokenException',
        message: `Token expired: current date/time ${now} must be before the expiration date/time ${claims.exp}`,
      };
    }
    return { valid: true, claims };
  }
}
