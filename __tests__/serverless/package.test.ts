/**
 * Runs the real `sls package` for two stages and checks the CloudFormation template it
 * writes: the durable function, its `durable` alias, the stack outputs and the IAM role.
 * `dev` uses the default params. `prod` uses its own params from serverless.yml, plus
 * secret, parameter and KMS key ARNs given with `--param`.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { describeResult, isolatedEnvironment, makeTempDir, runSls, SLS_TIMEOUT_MS } from '../support/sls';

interface CfnResource {
  Type: string;
  Properties: Record<string, unknown>;
}

interface CfnOutput {
  Description?: string;
  Value: unknown;
}

interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Outputs: Record<string, CfnOutput>;
}

interface IamStatement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

interface PackagedStage {
  templatePath: string;
  template: CfnTemplate;
}

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:rest-caller/token-??????';
const PARAMETER_ARN = 'arn:aws:ssm:us-east-1:123456789012:parameter/rest-caller/api-key';
const KMS_KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

const FUNCTION_ID = 'RestCallerLambdaFunction';
const ALIAS_ID = 'RestCallerDurableLambdaAlias';

async function packageStage(stage: string, extraArgs: string[] = []): Promise<PackagedStage> {
  const packageDir = makeTempDir(`package-${stage}`);

  const result = await runSls(['package', '--stage', stage, '--package', packageDir, ...extraArgs], isolatedEnvironment());

  if (result.exitCode !== 0) {
    throw new Error(`sls package --stage ${stage} failed: ${describeResult(result)}`);
  }
  const templatePath = path.join(packageDir, 'cloudformation-template-update-stack.json');
  return { templatePath, template: JSON.parse(readFileSync(templatePath, 'utf8')) as CfnTemplate };
}

function functionProperties(template: CfnTemplate): Record<string, unknown> {
  return template.Resources[FUNCTION_ID]!.Properties;
}

function resourcesOfType(template: CfnTemplate, type: string): Array<[string, CfnResource]> {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

/** Collects the statements of every inline policy of every IAM role in the template. */
function roleStatements(template: CfnTemplate): IamStatement[] {
  return resourcesOfType(template, 'AWS::IAM::Role').flatMap(([, role]) => {
    const policies = (role.Properties.Policies ?? []) as Array<{ PolicyDocument: { Statement: IamStatement[] } }>;
    return policies.flatMap((policy) => policy.PolicyDocument.Statement);
  });
}

function actionsOf(statement: IamStatement): string[] {
  return ([] as string[]).concat(statement.Action);
}

function resourcesOf(statement: IamStatement): unknown[] {
  return ([] as unknown[]).concat(statement.Resource);
}

function statementsWithAction(template: CfnTemplate, action: string): IamStatement[] {
  return roleStatements(template).filter((statement) => actionsOf(statement).includes(action));
}

/** Returns the ARN text of a resource: a plain string or the template of an `Fn::Sub`. */
function resourceText(resource: unknown): string {
  if (typeof resource === 'string') {
    return resource;
  }
  const sub = (resource as { 'Fn::Sub'?: unknown })['Fn::Sub'];
  return typeof sub === 'string' ? sub : JSON.stringify(resource);
}

/** Builds a pattern that matches text containing any of `parts` literally. */
function anyOf(parts: string[]): RegExp {
  return new RegExp(parts.map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'));
}

/** Runs cfn-lint on a template and returns its errors, without warnings, or undefined when cfn-lint is not installed. */
function cfnLintErrors(templatePath: string): string[] | undefined {
  const run = spawnSync('cfn-lint', ['--format', 'json', templatePath], { encoding: 'utf8' });
  if ((run.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    return undefined;
  }
  if (run.error) {
    throw run.error;
  }

  const findings = JSON.parse(run.stdout) as Array<{ Level: string; Rule: { Id: string }; Message: string }>;
  return findings.filter((finding) => finding.Level === 'Error').map((finding) => `${finding.Rule.Id}: ${finding.Message}`);
}

describe('sls package', () => {
  let dev: PackagedStage;
  let prod: PackagedStage;

  beforeAll(async () => {
    // Sequential, because both runs bundle into the same .esbuild folder of the service.
    dev = await packageStage('dev');
    prod = await packageStage('prod', [`--param=secretArns=${SECRET_ARN}`, `--param=parameterArns=${PARAMETER_ARN}`, `--param=kmsKeyArns=${KMS_KEY_ARN}`]);
  }, 2 * SLS_TIMEOUT_MS);

  describe('restCaller function', () => {
    it('uses runtime nodejs24.x', () => {
      expect(functionProperties(dev.template).Runtime).toBe('nodejs24.x');
    });

    it('uses the TypeScript handler', () => {
      expect(functionProperties(dev.template).Handler).toBe('src/handlers/restCaller.handler');
    });

    it('is named after service and stage', () => {
      expect(functionProperties(dev.template).FunctionName).toBe('durable-rest-caller-dev-restCaller');
    });

    it('has 256 MB memory', () => {
      expect(functionProperties(dev.template).MemorySize).toBe(256);
    });

    it('has a 900 s timeout', () => {
      expect(functionProperties(dev.template).Timeout).toBe(900);
    });
  });

  describe('DurableConfig', () => {
    it('dev execution timeout 900 s', () => {
      expect(functionProperties(dev.template).DurableConfig).toMatchObject({ ExecutionTimeout: 900 });
    });

    it('dev retention 7 days', () => {
      expect(functionProperties(dev.template).DurableConfig).toMatchObject({ RetentionPeriodInDays: 7 });
    });

    it('prod execution timeout 3600 s', () => {
      expect(functionProperties(prod.template).DurableConfig).toMatchObject({ ExecutionTimeout: 3600 });
    });

    it('prod retention 30 days', () => {
      expect(functionProperties(prod.template).DurableConfig).toMatchObject({ RetentionPeriodInDays: 30 });
    });
  });

  describe('environment', () => {
    it('dev variables from default params', () => {
      const environment = functionProperties(dev.template).Environment;

      expect(environment).toEqual({
        Variables: {
          API_URL: '',
          ALLOWED_HOSTS: '',
          ALLOW_PRIVATE_NETWORKS: 'false',
          ALLOWED_SCHEMES: 'https,http',
          REDACT_HEADERS: '',
          DURABLE_EXECUTION_TIMEOUT_SECONDS: '900',
          NODE_OPTIONS: '--enable-source-maps',
        },
      });
    });

    it('timeout variable follows DurableConfig', () => {
      const properties = functionProperties(prod.template);
      const variables = (properties.Environment as { Variables: Record<string, string> }).Variables;
      const durableConfig = properties.DurableConfig as { ExecutionTimeout: number };

      expect(variables.DURABLE_EXECUTION_TIMEOUT_SECONDS).toBe(String(durableConfig.ExecutionTimeout));
    });
  });

  describe('durable alias', () => {
    it('is named durable', () => {
      expect(dev.template.Resources[ALIAS_ID]?.Properties.Name).toBe('durable');
    });

    it('belongs to restCaller', () => {
      expect(dev.template.Resources[ALIAS_ID]?.Properties.FunctionName).toEqual({ Ref: FUNCTION_ID });
    });

    it('points at the published version', () => {
      const versions = resourcesOfType(dev.template, 'AWS::Lambda::Version');

      expect(versions).toHaveLength(1);
      expect(dev.template.Resources[ALIAS_ID]?.Properties.FunctionVersion).toEqual({ 'Fn::GetAtt': [versions[0]![0], 'Version'] });
    });
  });

  describe('outputs', () => {
    it('function name', () => {
      expect(dev.template.Outputs.RestCallerFunctionName?.Value).toEqual({ Ref: FUNCTION_ID });
    });

    it('function ARN', () => {
      expect(dev.template.Outputs.RestCallerFunctionArn?.Value).toEqual({ 'Fn::GetAtt': [FUNCTION_ID, 'Arn'] });
    });

    it('durable alias ARN', () => {
      expect(dev.template.Outputs.RestCallerDurableAliasArn?.Value).toEqual({ Ref: ALIAS_ID });
    });

    it('each has a description', () => {
      for (const name of ['RestCallerFunctionName', 'RestCallerFunctionArn', 'RestCallerDurableAliasArn']) {
        expect(dev.template.Outputs[name]?.Description).toEqual(expect.stringMatching(/\S/));
      }
    });
  });

  describe('IAM role', () => {
    it('names concrete actions', () => {
      const actions = [...roleStatements(dev.template), ...roleStatements(prod.template)].flatMap(actionsOf);

      expect(actions.length).toBeGreaterThan(0);
      for (const action of actions) {
        expect(action).toMatch(/^[a-z0-9-]+:[A-Za-z]+$/);
      }
    });

    it('dev resources are scoped', () => {
      const scoped = anyOf([':log-group:/aws/lambda/durable-rest-caller-dev', ':function:durable-rest-caller-dev']);

      for (const resource of roleStatements(dev.template).flatMap(resourcesOf)) {
        expect(resourceText(resource)).toMatch(scoped);
      }
    });

    it('prod resources are scoped', () => {
      const scoped = anyOf([':log-group:/aws/lambda/durable-rest-caller-prod', ':function:durable-rest-caller-prod', SECRET_ARN, PARAMETER_ARN, KMS_KEY_ARN]);

      for (const resource of roleStatements(prod.template).flatMap(resourcesOf)) {
        expect(resourceText(resource)).toMatch(scoped);
      }
    });

    it('checkpoint limited to restCaller', () => {
      const statements = statementsWithAction(dev.template, 'lambda:CheckpointDurableExecution');

      expect(statements).toHaveLength(1);
      expect(resourcesOf(statements[0]!).map(resourceText)).toEqual([
        'arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:durable-rest-caller-dev-restCaller:*/durable-execution/*/*',
      ]);
    });

    it('dev has no secrets statements', () => {
      const actions = roleStatements(dev.template).flatMap(actionsOf);

      expect(actions).not.toContain('secretsmanager:GetSecretValue');
      expect(actions).not.toContain('ssm:GetParameter');
      expect(actions).not.toContain('kms:Decrypt');
    });

    it('prod reads only given secrets', () => {
      const statements = statementsWithAction(prod.template, 'secretsmanager:GetSecretValue');

      expect(statements).toHaveLength(1);
      expect(resourcesOf(statements[0]!)).toEqual([SECRET_ARN]);
    });

    it('prod reads only given parameters', () => {
      const statements = statementsWithAction(prod.template, 'ssm:GetParameter');

      expect(statements).toHaveLength(1);
      expect(resourcesOf(statements[0]!)).toEqual([PARAMETER_ARN]);
    });

    it('prod decrypts with given keys', () => {
      const statements = statementsWithAction(prod.template, 'kms:Decrypt');

      expect(statements).toHaveLength(1);
      expect(resourcesOf(statements[0]!)).toEqual([KMS_KEY_ARN]);
    });
  });

  describe('cfn-lint', () => {
    it.each(['dev', 'prod'])('%s template has no errors', (stage) => {
      const { templatePath } = stage === 'dev' ? dev : prod;

      const errors = cfnLintErrors(templatePath);

      if (errors === undefined) {
        console.warn('cfn-lint is not installed, so the CloudFormation lint check was skipped. Install it with `pip install cfn-lint` to run it.');
        return;
      }
      expect(errors).toEqual([]);
    });
  });
});
