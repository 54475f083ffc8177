// The tollgate command. Parses arguments once and hands typed options to each command.
import { parse, USAGE, UsageError } from './options.js'
// Each command's module is loaded only when that command runs, so one-shot commands start fast.

async function main(argv: string[]): Promise<number> {
  const args = parse(argv, process.env)
  if (args.help || args.command === 'help') {
    process.stdout.write(USAGE)
    return 0
  }
  const needsFiles = ['run', 'validate', 'compile']
  if (needsFiles.includes(args.command) && args.run.files.length === 0) {
    throw new UsageError(`${args.command} needs at least one -f PATH`)
  }
  switch (args.command) {
    case 'run':
      return (await import('./run.js')).runCommand(args.run)
    case 'validate':
      return (await import('./check.js')).validateCommand(args.run)
    case 'compile':
      return (await import('./check.js')).compileCommand(args.run)
    case 'quickstart':
      return (await import('./quickstart.js')).quickstartCommand(args.run, args.backendPort)
    case 'proxy':
      return (await import('./proxy.js')).proxyCommand(args.proxy)
    case 'keys':
      if (args.subcommand !== 'import') throw new UsageError(`unknown command "keys ${args.subcommand}" (try keys import)`)
      if (args.keysImport.file === '') throw new UsageError('keys import needs -f FILE (an AWS API key file, CSV)')
      return (await import('./keys-import.js')).keysImportCommand(args.keysImport)
    case 'function':
      if (args.subcommand !== 'serve') throw new UsageError(`unknown command "function ${args.subcommand}" (try function serve)`)
      if (args.functionServe.handler === '') throw new UsageError('function serve needs --handler FILE#EXPORT')
      return (await import('./function.js')).functionServeCommand(args.functionServe)
    case 'deploy':
      return (await import('./deploy.js')).deployCommand(args.deploy)
    case 'operator':
      return (await import('./operator.js')).operatorCommand(args.operator)
    case 'usage':
      return (await import('./usage.js')).usageCommand(args.usage)
    case 'cache':
      return (await import('./cache.js')).cacheCommand(args.cache)
    case 'status':
      return (await import('./status.js')).statusCommand(args.status)
    default:
      throw new UsageError(`unknown command ${JSON.stringify(args.command)}`)
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    // Servers keep the process alive; one-shot commands exit with their code.
    if (code !== -1) process.exitCode = code
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`tollgate: ${err.message}\n\n${USAGE}`)
      process.exitCode = 2
    } else {
      process.stderr.write(`tollgate: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`)
      process.exitCode = 1
    }
  },
)
