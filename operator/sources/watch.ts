// Watches manifest files and folders and calls back once per burst of changes (a hold-off
// coalesces the several events an editor's save produces). Folders are watched recursively;
// a file is watched through its parent folder so that editors that save by renaming a new
// file over the old one are seen too.
import { watch, statSync, type FSWatcher } from 'node:fs'
import { basename, dirname, resolve } from 'node:path'

export interface Watcher {
  close(): void
}

export function watchManifests(paths: string[], holdOffMs: number, onChange: () => void): Watcher {
  const watchers: FSWatcher[] = []
  let timer: NodeJS.Timeout | undefined
  const fire = () => {
    if (timer) clearTimeout(timer)
    timer = setTimeout(() => {
      timer = undefined
      onChange()
    }, holdOffMs)
  }
  for (const p of paths) {
    const abs = resolve(p)
    let isDir = false
    try {
      isDir = statSync(abs).isDirectory()
    } catch {
      // A missing path is reported by the loader; watch its folder so its creation is seen.
    }
    if (isDir) {
      watchers.push(watch(abs, { recursive: true }, fire))
    } else {
      const name = basename(abs)
      watchers.push(watch(dirname(abs), (_event, file) => {
        if (file === null || file === name) fire()
      }))
    }
  }
  return {
    close() {
      if (timer) clearTimeout(timer)
      for (const w of watchers) w.close()
    },
  }
}
