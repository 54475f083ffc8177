// A proxy that refuses (NACKs) every config serving an Api with a given id — a proxy too old for
// a feature, say — built from a real gateway and the real subscriber, connected to an operator.
import type { Test } from 'tap'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createGateway, type Gateway } from '../../proxy/gateway.js'
import type { GatewayConfig } from '../../proxy/config/schema.js'
import { subscribe, type Subscriber } from '../../proxy/subscriber.js'
import type { Operator } from '../../operator/operator.js'
import { streamUrl, TOKEN } from './helpers.js'

export function refusingProxy(t: Test, op: Operator, id: string, apiId: string): { gateway: Gateway; subscriber: Subscriber } {
  const real = createGateway({ log: () => {} })
  const gateway: Gateway = Object.create(real, {
    apply: {
      value(config: unknown) {
        if ((config as GatewayConfig).apis.some((a) => a.id === apiId)) throw new Error(`this proxy cannot serve api ${apiId}`)
        real.apply(config)
      },
    },
  }) as Gateway
  const subscriber = subscribe(gateway, { url: streamUrl(op), token: TOKEN, proxyId: id, cacheFile: join(mkdtempSync(join(tmpdir(), 'tg-refusing-')), 'lkg.json'), log: () => {} })
  t.teardown(async () => {
    subscriber.close()
    await real.close()
  })
  return { gateway, subscriber }
}
