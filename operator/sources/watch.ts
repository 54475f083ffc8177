// Watches manifest files and folders and calls back once per burst of changes (a hold-off
// coalesces the several events an editor's save produces). Every folder is watched on its own,
// not with `recursive: true`: on Linux, Node 20 emulates recursive watching per file and loses
// files that editors replace by renaming a new file over them. Watching folders sees those
// renames, and new subfolders are picked up on the next change.
import { watch, readdirSync, statSync, type FSWatcher } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'

export interface Watcher {
  close(): void
}

function folders(root: string): string[] {
  const out = [root]
  let entries
  try {
    entries = readdirSync(root, { withFileTypes: true })
  } catch {
    return out
  }
  for (const e of entries) if (e.isDirectory() && !e.name.startsWith('.')) out.push(...folders(join(root, e.name)))
  return out
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}

export function watchManifests(paths: string[], holdOffMs: number, onChange: () => void): Watcher {
  const watchers = new Map<string, FSWatcher>()
  let timer: NodeJS.Timeout | undefined
  let closed = false

  const add = (folder: string, accept: (file: string | null) => boolean) => {
    if (watchers.has(folder) || closed) return
    try {
      const w = watch(folder, (_event, file) => {
        if (accept(file)) fire()
      })
      w.on('error', () => {
        w.close()
        watchers.delete(folder)
      })
      watchers.set(folder, w)
    } catch {
      // A folder that vanished between listing and watching: the next change rescans.
    }
  }

  const scan = () => {
    for (const p of paths) {
      const abs = resolve(p)
      if (isDirectory(abs)) {
        for (const folder of folders(abs)) add(folder, () => true)
      } else {
        // A single file (or a path that does not exist yet): watch its folder for that name.
        const name = basename(abs)
        add(dirname(abs), (file) => file === null || file === name)
      }
    }
  }

  const fire = () => {
    if (timer) clearTimeout(timer)
    timer = setTimeout(() => {
      timer = undefined
      scan()
      onChange()
    }, holdOffMs)
  }

  scan()
  return {
    close() {
      closed = true
      if (timer) clearTimeout(timer)
      for (const w of watchers.values()) w.close()
      watchers.clear()
    },
  }
}
