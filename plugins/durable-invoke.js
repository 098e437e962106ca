'use strict';

/**
 * Serverless Framework (osls) plugin that makes the invoke commands work with durable
 * functions, and drops IAM statements that grant nothing.
 *
 * - `sls invoke` without `--qualifier` on a function with `durableConfig` invokes its
 *   `durable` alias, which osls points at the version published by the last deploy.
 *   osls rejects an unqualified invocation of a durable function.
 * - `sls invoke local` on a function with `durableConfig` runs the handler as a local
 *   durable execution with `scripts/invoke-local.ts`, because a durable handler rejects
 *   the plain event that osls would pass to it. `--skip-time` fast-forwards retry
 *   delays and durable waits. The runner loads the TypeScript source with tsx, so this
 *   path does not exercise the esbuild bundle that `sls package` builds.
 * - A `provider.iam.role.statements` entry whose Resource is an empty list is removed,
 *   so a stage param such as `secretArns: []` turns its statement off.
 */

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/** Runner script, relative to the service directory. */
const LOCAL_RUNNER_SCRIPT = 'scripts/invoke-local.ts';

/** Extensions tried, in order, for the module named by a function's `handler`. */
const HANDLER_EXTENSIONS = ['.ts', '.js', '.cjs'];

/** Internal command that `invoke local` spawns. Its type `entrypoint` hides it from the CLI. */
const LOCAL_DURABLE_COMMAND = 'durableInvokeLocal';

class DurableInvokePlugin {
  constructor(serverless, options, utils = {}) {
    this.serverless = serverless;
    this.options = options;
    this.provider = serverless.getProvider('aws');
    this.log = utils.log;

    // `sls invoke local` copies the function's environment into process.env before the
    // invoke step, overwriting the caller's values, so the caller's values are read now.
    this.callerEnvironment = { ...process.env };

    this.commands = {
      invoke: {
        commands: {
          local: {
            options: {
              'skip-time': {
                usage: 'Durable functions only: fast-forward retry delays and durable waits instead of sleeping through them',
                type: 'boolean',
              },
            },
          },
        },
      },
      [LOCAL_DURABLE_COMMAND]: {
        type: 'entrypoint',
        lifecycleEvents: ['run'],
      },
    };

    this.hooks = {
      // `initialize` runs before every command, so also before package and deploy build the role.
      initialize: () => this.removeEmptyIamStatements(),
      'before:invoke:invoke': () => this.defaultQualifierToDurableAlias(),
      // Runs after osls has read the event and resolved the environment, and before
      // serverless-esbuild bundles for the invoke step, which a durable run does not need.
      'after:invoke:local:loadEnvVars': () => this.takeOverDurableLocalInvoke(),
      [`${LOCAL_DURABLE_COMMAND}:run`]: () => this.runLocalDurableExecution(),
    };
  }

  removeEmptyIamStatements() {
    const role = this.serverless.service.provider.iam?.role;
    if (!role || !Array.isArray(role.statements)) {
      return;
    }

    role.statements = role.statements.filter((statement) => !(Array.isArray(statement.Resource) && statement.Resource.length === 0));
  }

  /** Returns the invoked function's configuration, or undefined when osls will report it as unknown. */
  findFunction() {
    const name = this.options.function;
    if (!name || !this.serverless.service.getAllFunctions().includes(name)) {
      return undefined;
    }
    return this.serverless.service.getFunction(name);
  }

  defaultQualifierToDurableAlias() {
    const functionObject = this.findFunction();
    if (!functionObject?.durableConfig || this.options.qualifier) {
      return;
    }

    const alias = this.provider.naming.getLambdaDurableAliasName();
    this.options.qualifier = alias;
    this.log?.notice(`Invoking the "${alias}" alias of ${this.options.function} because it is a durable function; pass --qualifier to invoke another version or alias.`);
  }

  async takeOverDurableLocalInvoke() {
    if (!this.findFunction()?.durableConfig) {
      return;
    }

    // Runs the internal command, then ends the `invoke local` lifecycle without the
    // bundling and plain-handler steps that follow.
    await this.serverless.pluginManager.spawn(LOCAL_DURABLE_COMMAND, { terminateLifecycleAfterExecution: true });
  }

  async runLocalDurableExecution() {
    this.rejectUnsupportedLocalOptions();

    const serviceDir = this.serverless.serviceDir;
    const runnerPath = path.join(serviceDir, LOCAL_RUNNER_SCRIPT);
    if (!fs.existsSync(runnerPath)) {
      throw new this.serverless.classes.Error(`Local durable runner not found: ${runnerPath}. It runs durable functions for "sls invoke local".`);
    }

    const tsxCliPath = require.resolve('tsx/cli', { paths: [serviceDir] });
    const handlerSpec = this.resolveHandlerSpec(serviceDir);
    const eventDir = fs.mkdtempSync(path.join(os.tmpdir(), 'durable-invoke-'));
    const eventPath = path.join(eventDir, 'event.json');

    try {
      fs.writeFileSync(eventPath, JSON.stringify(this.readEvent()));

      const args = [tsxCliPath, runnerPath, '--path', eventPath, '--handler', handlerSpec];
      if (this.options['skip-time']) {
        args.push('--skip-time');
      }

      this.log?.notice(`Running ${this.options.function} as a local durable execution with ${LOCAL_RUNNER_SCRIPT}.`);
      const exitCode = await runChild(process.execPath, args, { cwd: serviceDir, env: this.buildChildEnvironment() });

      // The runner has already printed the reason to stderr. Passing its exit status on
      // lets scripts tell a failed execution (1) from a usage error (2).
      if (exitCode !== 0) {
        process.exitCode = exitCode;
      }
    } finally {
      fs.rmSync(eventDir, { recursive: true, force: true });
    }
  }

  rejectUnsupportedLocalOptions() {
    const unsupported = ['docker', 'context', 'contextPath'].filter((name) => this.options[name]);
    if (unsupported.length > 0) {
      const listed = unsupported.map((name) => `--${name}`).join(', ');
      throw new this.serverless.classes.Error(`${listed} cannot be used with a durable function in "sls invoke local": the local durable runner creates the context itself and runs without Docker. Remove ${listed}.`);
    }
  }

  /** Returns the event that osls read from `--path`, `--data` or stdin, or an empty object when there was none. */
  readEvent() {
    const data = this.options.data;
    if (data === undefined || data === null || data === '') {
      return {};
    }
    return data;
  }

  /** Turns `src/handlers/restCaller.handler` into `<serviceDir>/src/handlers/restCaller.ts#handler`. */
  resolveHandlerSpec(serviceDir) {
    const handler = this.findFunction().handler;
    const separator = handler.lastIndexOf('.');
    const modulePath = path.join(serviceDir, handler.slice(0, separator));
    const exportName = handler.slice(separator + 1);

    const file = HANDLER_EXTENSIONS.map((extension) => modulePath + extension).find((candidate) => fs.existsSync(candidate));
    if (!file) {
      throw new this.serverless.classes.Error(`Handler module of "${handler}" not found: tried ${modulePath} with ${HANDLER_EXTENSIONS.join(', ')}.`);
    }
    return `${file}#${exportName}`;
  }

  /**
   * Builds the runner's environment. From lowest to highest priority: Lambda-like
   * defaults, the function's environment from serverless.yml, the caller's environment,
   * and `--env NAME=value` options. osls has already resolved the function's
   * environment into process.env, including CloudFormation references.
   */
  buildChildEnvironment() {
    const functionObject = this.findFunction();
    const region = this.provider.getRegion();
    const environment = {
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_LAMBDA_FUNCTION_NAME: functionObject.name,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    };

    const configuredNames = Object.keys({ ...this.serverless.service.provider.environment, ...functionObject.environment });
    for (const name of configuredNames) {
      if (process.env[name] !== undefined) {
        environment[name] = process.env[name];
      }
    }

    Object.assign(environment, this.callerEnvironment);

    // An explicit --aws-profile wins over an AWS_PROFILE inherited from the shell.
    if (this.options['aws-profile']) {
      environment.AWS_PROFILE = this.options['aws-profile'];
    }

    for (const assignment of [].concat(this.options.env ?? [])) {
      const [name, ...valueParts] = assignment.split('=');
      environment[name] = valueParts.join('=');
    }
    return environment;
  }
}

/** Runs a command with inherited stdio and resolves to its exit code, which is 1 when a signal ended it. */
function runChild(command, args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(signal ? 1 : code));
  });
}

module.exports = DurableInvokePlugin;
