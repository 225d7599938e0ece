import { readAlarmDefinition } from '../../local/metrics/alarm-definition';

/**
 * An alarm as a template declares one (`AWS::CloudWatch::Alarm` properties), read as the local
 * run reads it: on the Errors of the function `fn`, summed over a minute, in ALARM at one error
 * or more; `properties` add to these or replace them. Its ARN is in account 000000000000.
 */
export function functionErrorsAlarm(
  logicalId: string,
  name: string,
  properties: Record<string, unknown> = {},
): ReturnType<typeof readAlarmDefinition> {
  return readAlarmDefinition(logicalId, name, `arn:aws:cloudwatch:us-east-1:000000000000:alarm:${name}`, {
    MetricName: 'Errors',
    Namespace: 'AWS/Lambda',
    Dimensions: [{ Name: 'FunctionName', Value: 'fn' }],
    Statistic: 'Sum',
    Period: 60,
    EvaluationPeriods: 1,
    Threshold: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    ...properties,
  });
}
