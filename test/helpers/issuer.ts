// A real token issuer for tests: an HTTP server on port 0 serving OpenID Connect discovery
// (/.well-known/openid-configuration) and a JSON Web Key Set (/.well-known/jwks.json) of keys made
// with jose, which mints tokens with jose's SignJWT. Keys can be rotated and the server can be
// made to fail, to exercise the gateway's key cache.
import { createServer } from 'node:http'
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose'
import { listen } from './servers.js'

export interface SigningKey {
  readonly kid: string
  readonly alg: string
  readonly privateKey: CryptoKey
  readonly publicJwk: JWK
}

export async function signingKey(kid: string, alg = 'RS256'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' }
  return { kid, alg, privateKey, publicJwk }
}

export interface Issuer {
  /** The issuer URL (the `iss` of its tokens): http://127.0.0.1:PORT */
  readonly url: string
  readonly jwksUri: string
  /** Keys published in the JWKS (the first one signs by default). */
  keys: SigningKey[]
  /** When set, every request is answered with this status (or the connection is destroyed for 0). */
  failWith: number | null
  /** Requests per path. */
  readonly hits: Map<string, number>
  /** A token signed with `key` (default: keys[0]); `claims` override the defaults (iss, sub, exp, iat). */
  mint(claims?: JWTPayload, options?: { key?: SigningKey; header?: Record<string, unknown> }): Promise<string>
  close(): Promise<void>
}

export async function startIssuer(options: { discovery?: boolean } = {}): Promise<Issuer> {
  const hits = new Map<string, number>()
  const server = createServer((req, res) => {
    const path = req.url ?? '/'
    hits.set(path, (hits.get(path) ?? 0) + 1)
    if (issuer.failWith !== null) {
      if (issuer.failWith === 0) return req.socket.destroy()
      res.writeHead(issuer.failWith).end('unavailable')
      return
    }
    if (path === '/.well-known/jwks.json') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: issuer.keys.map((k) => k.publicJwk) }))
      return
    }
    if (path === '/.well-known/openid-configuration' && options.discovery !== false) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ issuer: issuer.url, jwks_uri: issuer.jwksUri }))
      return
    }
    res.writeHead(404).end()
  })
  const port = await listen(server)
  const url = `http://127.0.0.1:${port}`
  const issuer: Issuer = {
    url,
    jwksUri: `${url}/.well-known/jwks.json`,
    keys: [await signingKey('key-1')],
    failWith: null,
    hits,
    async mint(claims = {}, opts = {}) {
      const key = opts.key ?? issuer.keys[0]!
      const now = Math.floor(Date.now() / 1000)
      return new SignJWT({ iss: url, sub: 'user-1', iat: now, exp: now + 3600, ...claims })
        .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT', ...opts.header })
        .sign(key.privateKey)
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
  return issuer
}

/** base64url of a JSON value or bytes. */
export function b64url(value: unknown): string {
  const bytes = Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value))
  return bytes.toString('base64url')
}
