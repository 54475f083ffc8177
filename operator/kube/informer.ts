// Keeps a client-node informer alive. client-node's informer stops for good on any error but a
// 410 (a cut connection, a failed list): we restart it with capped exponential backoff, and
// `start()` resumes from the last resourceVersion; a 410 clears it and the informer relists by
// itself, reporting the objects that vanished meanwhile as deletions.
import type { Informer, KubernetesObject, ObjectCache } from '@kubernetes/client-node'

export interface KeptInformer<T extends KubernetesObject> {
  readonly informer: Informer<T> & ObjectCache<T>
  /** Resolves once the informer listed once and started watching. */
  readonly synced: Promise<void>
  readonly isSynced: boolean
  stop(): Promise<void>
}

export interface KeepAliveOptions {
  log: (line: string) => void
  /** Restart backoff after an error (default 500 ms doubling to 30 s). */
  backoff?: { initialMs: number; maxMs: number }
}

export function keepAlive<T extends KubernetesObject>(
  informer: Informer<T> & ObjectCache<T>,
  what: string,
  opts: KeepAliveOptions,
): KeptInformer<T> {
  const initialMs = opts.backoff?.initialMs ?? 500
  const maxMs = opts.backoff?.maxMs ?? 30_000
  let attempt = 0
  let timer: NodeJS.Timeout | null = null
  let stopped = false
  let isSynced = false
  let markSynced: () => void = () => {}
  const synced = new Promise<void>((resolve) => (markSynced = resolve))

  function restart(err: unknown): void {
    if (stopped || timer) return
    const delay = Math.min(maxMs, initialMs * 2 ** attempt)
    attempt++
    opts.log(`watch of ${what} failed (${describe(err)}); restarting in ${delay} ms`)
    timer = setTimeout(() => {
      timer = null
      void run()
    }, delay)
  }

  async function run(): Promise<void> {
    if (stopped) return
    let failed = false
    const onError = () => (failed = true)
    informer.on('error', onError)
    try {
      await informer.start()
    } catch (err) {
      failed = true
      restart(err)
    } finally {
      informer.off('error', onError)
    }
    if (failed || stopped) return
    attempt = 0
    if (!isSynced) {
      isSynced = true
      markSynced()
    }
  }

  informer.on('error', (err: unknown) => restart(err))
  void run()
  return {
    informer,
    synced,
    get isSynced() {
      return isSynced
    },
    async stop() {
      stopped = true
      if (timer) clearTimeout(timer)
      await informer.stop()
    },
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code
    return code !== undefined ? `${err.message} (${String(code)})` : err.message
  }
  return String(err)
}
