// The usage API on the admin listener: API Gateway's GetUsage and UpdateUsage over the meter's
// daily usage records. Served by `tollgate run` (admin port, default 9090 on --host) and by
// `tollgate proxy` when it has an admin token; `tollgate usage get|update` calls it
// (docs/usage-plans.md#usage-reporting).
//
//   GET   /v1/usageplans/{planId}/usage?startDate=YYYY-MM-DD&endDate=YYYY-MM-DD[&keyId={keyId}]
//         → 200 {usagePlanId, startDate, endDate, items: {keyId: [[used, remaining], ...]}}
//           one pair per day from startDate to endDate (UTC), as AWS's GetUsage.
//   PATCH /v1/usageplans/{planId}/keys/{keyId}/usage
//         body {"patchOperations": [{"op": "replace", "path": "/remaining", "value": "N"}]}
//         → 200, the GetUsage of that key for today (AWS's UpdateUsage).
//
// Ids are "namespace/name", percent-encoded in the path (default%2Fgold). Errors answer
// {"message": ...} with 400 (bad request), 401 (token), 404 (no such plan or key in the plan),
// 409 (plan without a quota: only quotas count usage) or 503 (the store cannot be reached).
import type { IncomingMessage, ServerResponse } from 'node:http'
import { timingSafeEqual, createHash } from 'node:crypto'
import type { GatewayConfig } from '../config/schema.js'
import { MeterUnavailableError, type Meter } from '../stores/meter.js'
import { DAY_MS, dayString, parseDay, quotaPeriod } from '../stores/quota-period.js'
import { buildMeteringIndex, quotaAt, quotaSchedule, type MeteringIndex, type PlanRuntime } from './index.js'

/** AWS GetUsage's longest range is 90 days, as far back as daily usage is kept. */
export const MAX_USAGE_DAYS = 90

export interface UsageApiOptions {
  /** The config being served (undefined before one is applied). */
  config(): GatewayConfig | undefined
  readonly meter: Meter
  /** When set, every request needs `Authorization: Bearer <token>`. */
  readonly token?: string
  readonly now?: () => number
}

export interface GetUsageResult {
  usagePlanId: string
  startDate: string
  endDate: string
  /** keyId → one [used, remaining] pair per day, oldest first. */
  items: Record<string, [number, number][]>
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

/** Returns a handler that answers the usage paths (true) and leaves others alone (false). */
export function usageApi(opts: UsageApiOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  const now = opts.now ?? Date.now
  let cached: { config: GatewayConfig; index: MeteringIndex } | undefined
  const index = (): { config: GatewayConfig; index: MeteringIndex } => {
    const config = opts.config()
    if (config === undefined) throw new HttpError(503, 'no config loaded')
    if (cached?.config !== config) cached = { config, index: buildMeteringIndex(config) }
    return cached
  }
  const tokenDigest = opts.token ? createHash('sha256').update(opts.token).digest() : null

  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://admin')
    const parts = url.pathname.split('/')
    if (parts[1] !== 'v1' || parts[2] !== 'usageplans') return false
    const reply = (status: number, body: unknown) => {
      const text = JSON.stringify(body)
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) })
      res.end(text)
    }
    const run = async (): Promise<unknown> => {
      if (tokenDigest !== null) {
        const auth = req.headers.authorization ?? ''
        const given = createHash('sha256').update(auth.startsWith('Bearer ') ? auth.slice(7) : '').digest()
        if (!timingSafeEqual(given, tokenDigest)) throw new HttpError(401, 'a valid admin token is required (Authorization: Bearer ...)')
      }
      const planId = decode(parts[3])
      // GET /v1/usageplans/{plan}/usage
      if (parts.length === 5 && parts[4] === 'usage') {
        if (req.method !== 'GET') throw new HttpError(405, 'use GET')
        const from = url.searchParams.get('startDate') ?? ''
        const to = url.searchParams.get('endDate') ?? ''
        const keyId = url.searchParams.get('keyId') ?? undefined
        return getUsage(opts.meter, index().index, planId, from, to, keyId)
      }
      // PATCH /v1/usageplans/{plan}/keys/{key}/usage
      if (parts.length === 7 && parts[4] === 'keys' && parts[6] === 'usage') {
        if (req.method !== 'PATCH') throw new HttpError(405, 'use PATCH')
        const keyId = decode(parts[5])
        const remaining = remainingOf(await readJson(req))
        return updateUsage(opts.meter, index().index, planId, keyId, remaining, now())
      }
      throw new HttpError(404, 'not found')
    }
    run().then(
      (body) => reply(200, body),
      (err: unknown) => {
        if (err instanceof HttpError) reply(err.status, { message: err.message })
        else if (err instanceof MeterUnavailableError) reply(503, { message: `metering store unavailable: ${err.message}` })
        else reply(500, { message: (err as Error)?.message ?? String(err) })
      },
    )
    return true
  }
}

function decode(part: string | undefined): string {
  try {
    return decodeURIComponent(part ?? '')
  } catch {
    throw new HttpError(400, 'bad percent-encoding in the path')
  }
}

function planOf(index: MeteringIndex, planId: string): PlanRuntime {
  const plan = index.plans.get(planId)
  if (plan === undefined) throw new HttpError(404, `no usage plan ${planId} (ids are namespace/name)`)
  if (plan.config.quota === null) throw new HttpError(409, `usage plan ${planId} has no quota: usage is counted for plans with a quota`)
  return plan
}

export async function getUsage(meter: Meter, index: MeteringIndex, planId: string, from: string, to: string, keyId: string | undefined): Promise<GetUsageResult> {
  const plan = planOf(index, planId)
  let first: number
  let last: number
  try {
    first = parseDay(from)
    last = parseDay(to)
  } catch (err) {
    throw new HttpError(400, `startDate and endDate must be dates (YYYY-MM-DD): ${(err as Error).message}`)
  }
  if (last < first) throw new HttpError(400, 'endDate is before startDate')
  if (last - first + 1 > MAX_USAGE_DAYS) throw new HttpError(400, `at most ${MAX_USAGE_DAYS} days at once`)
  const keys = keyId === undefined ? plan.config.apiKeys : [keyId]
  if (keyId !== undefined && !plan.config.apiKeys.includes(keyId)) throw new HttpError(404, `API key ${keyId} is not in usage plan ${planId}`)
  const quota = plan.config.quota!
  // Read from the start of the quota period of `from`, to carry `remaining` over days without requests.
  const readFrom = Math.min(first, Math.floor(quotaPeriod(first * DAY_MS, quota.period).start / DAY_MS))
  const items: Record<string, [number, number][]> = {}
  for (const id of keys) {
    const schedule = quotaSchedule(plan, id)!
    const days = await meter.usage(plan.domain, schedule.regular.key, dayString(readFrom), dayString(last))
    const pairs: [number, number][] = []
    let periodStart = -1
    let remaining = 0
    for (const day of days) {
      const d = parseDay(day.day)
      const start = quotaPeriod(d * DAY_MS, quota.period).start
      if (start !== periodStart) {
        periodStart = start
        remaining = quotaAt(schedule, d * DAY_MS).limit
      }
      if (day.remaining !== null) remaining = day.remaining
      if (d >= first) pairs.push([day.used, Math.max(0, remaining)])
    }
    items[id] = pairs
  }
  return { usagePlanId: plan.id, startDate: dayString(first), endDate: dayString(last), items }
}

export async function updateUsage(meter: Meter, index: MeteringIndex, planId: string, keyId: string, remaining: number, now: number): Promise<GetUsageResult> {
  const plan = planOf(index, planId)
  if (!plan.config.apiKeys.includes(keyId)) throw new HttpError(404, `API key ${keyId} is not in usage plan ${planId}`)
  const schedule = quotaSchedule(plan, keyId)!
  await meter.setRemaining(plan.domain, quotaAt(schedule, now), remaining)
  const today = dayString(Math.floor(now / DAY_MS))
  return getUsage(meter, index, planId, today, today, keyId)
}

function remainingOf(body: unknown): number {
  const ops = (body as { patchOperations?: unknown } | null)?.patchOperations
  const op = Array.isArray(ops) ? (ops as { op?: unknown; path?: unknown; value?: unknown }[]).find((o) => o?.path === '/remaining') : undefined
  if (op === undefined || op.op !== 'replace') {
    throw new HttpError(400, 'expected {"patchOperations": [{"op": "replace", "path": "/remaining", "value": "N"}]}')
  }
  const n = Number(op.value)
  if (!Number.isInteger(n) || n < 0) throw new HttpError(400, `remaining must be an integer >= 0, got ${JSON.stringify(op.value)}`)
  return n
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > 64 * 1024) {
        reject(new HttpError(413, 'body too large'))
        req.destroy()
      } else chunks.push(c)
    })
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null'))
      } catch {
        reject(new HttpError(400, 'the body is not JSON'))
      }
    })
    req.on('error', reject)
  })
}
