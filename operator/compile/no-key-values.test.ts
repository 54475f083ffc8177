// No API key value — nor its base64 form — appears anywhere in what the compiler produces: the
// GatewayConfig, the statuses, or the problem messages. Only SHA-256 digests leave it.
// IAM identity Secrets are the exception by design: their secretAccessKey must reach the proxy
// (SigV4 verification needs it), so it is in config.iam — and nowhere else (no status, no message).
import t from 'tap'
import { createHash } from 'node:crypto'
import { stringify } from 'yaml'
import { compile } from './index.js'
import { isIamIdentity } from './iam.js'
import { caseNames, GOLDEN_OPTIONS, readCase } from './testdata/cases.js'

t.test('secret values never leave the compiler', async (t) => {
  let secretsSeen = 0
  for (const name of caseNames()) {
    const resources = readCase(name)
    const values: string[] = []
    const iamSecrets: string[] = []
    for (const r of resources) {
      if (r.apiVersion !== 'v1' || r.kind !== 'Secret') continue
      secretsSeen++
      if (isIamIdentity(r)) {
        const s = r as { stringData?: Record<string, string>; data?: Record<string, string> }
        const secret = s.stringData?.secretAccessKey ?? (s.data?.secretAccessKey !== undefined ? Buffer.from(s.data.secretAccessKey, 'base64').toString('utf8') : undefined)
        if (secret !== undefined && secret.length >= 8) iamSecrets.push(secret, Buffer.from(secret).toString('base64'))
        continue
      }
      const s = r as { stringData?: Record<string, string>; data?: Record<string, string> }
      for (const v of Object.values(s.stringData ?? {})) values.push(v, Buffer.from(v).toString('base64'))
      for (const v of Object.values(s.data ?? {})) values.push(v, Buffer.from(v, 'base64').toString('utf8'))
    }
    if (values.length === 0 && iamSecrets.length === 0) continue
    const result = compile(resources, GOLDEN_OPTIONS)
    const statuses = `${JSON.stringify(result.statuses)}\n${stringify(result.statuses)}`
    for (const v of iamSecrets) t.notOk(statuses.includes(v), `${name}: an IAM secret access key of ${v.length} characters is in no status`)
    const text = `${JSON.stringify(result)}\n${stringify(result)}`
    for (const v of values.map((v) => v.trim()).filter((v) => v.length >= 8)) {
      t.notOk(text.includes(v), `${name}: a value of ${v.length} characters is not in the output`)
    }
    t.ok((result.config.metering?.apiKeys ?? []).every((k) => /^[0-9a-f]{64}$/.test(k.valueSha256)), `${name}: keys are digests`)
  }
  t.ok(secretsSeen >= 3, `${secretsSeen} Secrets in the cases`)
})

t.test('the digest is sha256 of the value', async (t) => {
  const value = 'AliceKey0123456789abcdefXYZ'
  const result = compile(
    [
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { v: Buffer.from(value).toString('base64') } },
      { apiVersion: 'tollgate.dev/v1alpha1', kind: 'ApiKey', metadata: { name: 'k' }, spec: { valueFrom: { secretKeyRef: { name: 's', key: 'v' } } } },
    ],
    GOLDEN_OPTIONS,
  )
  t.same(result.config.metering?.apiKeys.map((k) => k.valueSha256), [createHash('sha256').update(value, 'utf8').digest('hex')])
  t.equal(result.statuses.length, 1, 'the Secret gets no status')
})
